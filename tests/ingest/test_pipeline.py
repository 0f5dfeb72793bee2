"""Ingest end to end on the example exports: accounting, idempotence, replace, atomicity, privacy.

These run the real great-expectations suite and the real DuckDB store.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.read import read_table
from ingest.report import write_quarantine_report
from ingest.survey import ingest_survey
from privacy.keys import key_path
from project.errors import ConfigError, KeyMissingError
from project.layout import ProjectPaths
from store import reads, staging, warehouse


def _ingest(project: Path, wave: str, **kw):
    name = {"T0": "nomad_T0.xlsx", "T1": "nomad_T1.csv"}[wave]
    return ingest_survey(project, project / "inbox" / name, instrument="nomad", wave=wave, **kw)


def _counts(project: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("ingests", "respondents", "responses")
        )
    finally:
        con.close()


def test_example_waves_load_with_exact_accounting(example_project: Path) -> None:
    t0, t1 = _ingest(example_project, "T0"), _ingest(example_project, "T1")
    assert (t0.rows_read, t0.rows_loaded, t0.rows_quarantined) == (203, 202, 1)
    assert t0.reasons == {"unknown_label": 1}
    assert (t1.rows_read, t1.rows_loaded, t1.rows_quarantined) == (152, 150, 2)
    assert t1.reasons == {"duplicate_respondent": 2}
    assert _counts(example_project) == (2, 352, 352 * 23)
    assert t0.key_created and not t1.key_created


def test_same_content_twice_is_a_noop(example_project: Path) -> None:
    _ingest(example_project, "T0")
    before = _counts(example_project)
    again = _ingest(example_project, "T0")
    assert again.status == "already_loaded" and again.already_landed
    assert _counts(example_project) == before
    assert len(list((example_project / ".impleval" / "raw").glob("*.xlsx"))) == 1


def test_raw_file_is_kept_unchanged(example_project: Path) -> None:
    report = _ingest(example_project, "T1")
    raw = example_project / ".impleval" / "raw" / f"{report.sha256}.csv"
    assert raw.read_bytes() == (example_project / "inbox" / "nomad_T1.csv").read_bytes()


def test_a_different_file_for_a_loaded_wave_needs_replace(example_project: Path) -> None:
    _ingest(example_project, "T1")
    corrected = example_project / "nomad_T1_fixed.csv"
    text = (example_project / "inbox" / "nomad_T1.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    dup = [i for i, line in enumerate(lines) if line.startswith("67;")]
    corrected.write_text(
        "\n".join(line for i, line in enumerate(lines) if i not in dup), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        ingest_survey(example_project, corrected, instrument="nomad", wave="T1")
    assert re.fullmatch(
        r"nomad_T1_fixed\.csv: nomad wave T1 already holds data from nomad_T1\.csv \(sha256 "
        r"[0-9a-f]{12}\)\. Hint: to load this file instead, run again with --replace \(the "
        r"earlier load stays in history\)\.",
        str(info.value),
    )
    report = ingest_survey(example_project, corrected, instrument="nomad", wave="T1", replace=True)
    assert (report.rows_read, report.rows_loaded, report.superseded) == (
        151,
        151,
        ("nomad_T1.csv",),
    )
    with warehouse.open_warehouse(
        example_project / ".impleval" / "warehouse.duckdb", read_only=True
    ) as con:
        respondents, _ = reads.read_survey(con, "nomad")
        history = con.execute("SELECT count(*) FROM ingests").fetchone()[0]  # type: ignore[index]
    assert len(respondents) == 151 and history == 2


def test_no_email_address_reaches_the_store(example_project: Path) -> None:
    _ingest(example_project, "T0")
    _ingest(example_project, "T1")
    emails = set()
    for name in ("nomad_T0.xlsx", "nomad_T1.csv"):
        emails |= {
            str(e).strip().casefold()
            for e in read_table(example_project / "inbox" / name)["E-post"]
        }
    assert len(emails) > 200
    con = duckdb.connect(str(example_project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        dump = []
        for (table,) in con.execute("SHOW TABLES").fetchall():
            dump.append(con.execute(f"SELECT * FROM {table}").df().to_csv())
    finally:
        con.close()
    text = "\n".join(dump).casefold()
    assert "@" not in text
    assert not any(e.split("@")[0] in text for e in emails if len(e.split("@")[0]) > 6)


@pytest.mark.parametrize("staged", [False, True], ids=["direct", "through staging files"])
def test_a_failure_while_loading_leaves_the_store_as_it_was(
    staged: bool, example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(example_project, "T0")
    before = _counts(example_project)
    real = staging.insert_frames

    def broken(con, table, frames, *, rows):  # fails after the responses went in
        real(con, table, frames, rows=rows)
        raise OSError("disk full")

    monkeypatch.setattr(staging, "STAGING_ROWS", 0 if staged else 1_000_000)
    monkeypatch.setattr(staging, "insert_frames", broken)
    with pytest.raises(OSError):
        _ingest(example_project, "T1")
    assert _counts(example_project) == before
    monkeypatch.setattr(staging, "insert_frames", real)
    assert _ingest(example_project, "T1").rows_loaded == 150


def test_dry_run_loads_and_lands_nothing(example_project: Path) -> None:
    report = _ingest(example_project, "T0", dry_run=True)
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("dry_run", 202, 1)
    assert not (example_project / ".impleval" / "raw").exists()
    assert not (example_project / ".impleval" / "warehouse.duckdb").exists()
    from project.config import load_project

    assert not key_path(load_project(example_project).id).exists()


def test_dry_run_on_a_project_with_data_changes_nothing(example_project: Path) -> None:
    _ingest(example_project, "T0")
    before = _counts(example_project)
    report = _ingest(example_project, "T1", dry_run=True)
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("dry_run", 150, 2)
    assert _counts(example_project) == before


def test_missing_key_for_a_project_with_data_is_an_error(example_project: Path) -> None:
    first = _ingest(example_project, "T0")
    assert first.key_created
    from project.config import load_project

    key_path(load_project(example_project).id).unlink()
    with pytest.raises(KeyMissingError, match="already holds data"):
        _ingest(example_project, "T1")


def test_a_different_key_is_refused(example_project: Path) -> None:
    _ingest(example_project, "T0")
    from project.config import load_project

    path = key_path(load_project(example_project).id)
    path.chmod(0o600)
    path.write_text("00" * 32 + "\n")
    with pytest.raises(KeyMissingError, match="not the key this project's data"):
        _ingest(example_project, "T1")


def test_answers_outside_the_wave_window_and_codes_outside_the_set(
    example_project: Path,
) -> None:
    frame = read_table(example_project / "inbox" / "nomad_T1.csv")
    frame.loc[2, "Inskickad"] = "2018-01-15 09:00"
    frame.loc[3, "CO1"] = "7"
    frame.loc[4, "G2"] = "11"
    path = example_project / "edited_T1.csv"
    frame.to_csv(path, sep=";", index=False)
    report = ingest_survey(example_project, path, instrument="nomad", wave="T1")
    assert report.reasons == {"duplicate_respondent": 2, "outside_wave_window": 1, "out_of_set": 2}
    target = write_quarantine_report(ProjectPaths(example_project))
    quarantine = pd.read_csv(target)
    rows = quarantine.set_index("rule")
    assert rows.loc["outside_wave_window", "row"] == 2
    assert set(quarantine.loc[quarantine.rule == "out_of_set", "detail"]) == {
        "code 7 not in response set agree_5",
        "code 11 not in response set scale_0_10",
    }
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
