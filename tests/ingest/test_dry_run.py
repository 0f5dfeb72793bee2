"""A dry run tells the truth: it says what the ingest would do with the same options — load,
replace, refuse or nothing — with the same counts, rules, rows and words.

Every case of the bad-input corpus (``test_bad_input_corpus.py``) is run both ways on the same
project; then the outcomes that depend on what is loaded already (the same file again, another file
for a loaded slot, with and without ``--replace``) for each kind.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from flows import cli
from ingest.codings import ingest_codings
from ingest.indicators import ingest_indicators
from ingest.report import IngestReport
from ingest.survey import ingest_survey
from project.errors import PipelineError
from tests.ingest.corpus import Case
from tests.ingest.test_bad_input_corpus import QUARANTINED, REFUSED, VALID

DATA = Path(__file__).resolve().parents[1] / "data" / "indicators"
CASES: dict[str, Case] = (
    {f"refused: {k}": case for k, (case, _) in REFUSED.items()}
    | {f"quarantined: {k}": case for k, (case, _) in QUARANTINED.items()}
    | {f"valid: {k}": Case(build) for k, build in VALID.items()}
)


def _outcome(run: Callable[[], IngestReport]) -> tuple:
    """What an ingest did or would do, in terms both can be compared by."""
    try:
        report = run()
    except PipelineError as exc:
        return ("refuse", type(exc).__name__, str(exc))
    return (
        "refuse" if report.refusal else "load",
        report.refusal,
        (report.rows_read, report.rows_loaded, report.rows_quarantined),
        report.reasons,
        report.superseded,
        report.notes,
        [tuple(d.values()) for d in report.diagnosis],
    )


def _quarantine(project: Path) -> list[tuple]:
    con = duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT source_row, column_name, rule, detail FROM quarantine "
            "ORDER BY source_row, rule, column_name"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("name", list(CASES))
def test_dry_run_and_ingest_agree_on_every_corpus_case(name: str, example_project: Path) -> None:
    case = CASES[name]
    path = case.build(example_project)

    def ingest(dry_run: bool) -> Callable[[], IngestReport]:
        options = dict(case.options, dry_run=dry_run)
        return lambda: ingest_survey(
            example_project, path, instrument=case.instrument, wave=case.wave, **options
        )

    dry = _outcome(ingest(dry_run=True))
    real = _outcome(ingest(dry_run=False))
    assert dry == real
    if real[0] == "load":  # the rows the dry run lists are the rows the ingest quarantined
        assert sorted(real[-1]) == sorted(_quarantine(example_project))


def _t1(project: Path, name: str, **kw) -> IngestReport:
    return ingest_survey(project, project / "inbox" / name, instrument="nomad", wave="T1", **kw)


def _corrected_t1(project: Path) -> None:
    text = (project / "inbox" / "nomad_T1.csv").read_text(encoding="utf-8-sig")
    lines = [line for line in text.splitlines() if not line.startswith("67;")]
    (project / "inbox" / "nomad_T1_fixed.csv").write_text("\n".join(lines), encoding="utf-8")


def test_a_dry_run_of_a_loaded_file_diagnoses_it(example_project: Path) -> None:
    loaded = _t1(example_project, "nomad_T1.csv")
    dry = _t1(example_project, "nomad_T1.csv", dry_run=True)
    again = _t1(example_project, "nomad_T1.csv")
    already = (
        f"nomad_T1.csv: already loaded as nomad T1 (same content, sha256 {loaded.sha256[:12]}); "
        f"nothing to do."
    )
    assert again.status == "already_loaded" and again.lines() == [already]
    assert dry.status == "dry_run" and dry.already_loaded and dry.refusal is None
    assert dry.lines() == [
        already,
        "  diagnosis: 152 rows read = 150 loaded + 2 quarantined",
        "  quarantined 2 row(s): duplicate_respondent (the same respondent answered more than "
        "once in this wave)",
        "  first 2 of 2 problem(s): row, column, rule",
        "    row 62, respondent_id: duplicate_respondent — the same person answered more than once "
        "in this wave; keep one answer in the export",
        "    row 63, respondent_id: duplicate_respondent — the same person answered more than once "
        "in this wave; keep one answer in the export",
    ]
    assert (dry.rows_read, dry.rows_loaded, dry.reasons) == (152, 150, loaded.reasons)


def test_a_dry_run_refuses_with_the_words_of_the_ingest(example_project: Path) -> None:
    _t1(example_project, "nomad_T1.csv")
    _corrected_t1(example_project)
    dry = _t1(example_project, "nomad_T1_fixed.csv", dry_run=True)
    with pytest.raises(PipelineError) as info:
        _t1(example_project, "nomad_T1_fixed.csv")
    assert dry.refusal == str(info.value)
    assert re.fullmatch(
        r"nomad_T1_fixed\.csv: nomad wave T1 already holds data from nomad_T1\.csv \(sha256 "
        r"[0-9a-f]{12}\)\. Hint: to load this file instead, run again with --replace \(the "
        r"earlier load stays in history\)\.",
        dry.refusal or "",
    )
    assert dry.lines()[0] == (
        "nomad_T1_fixed.csv → nomad T1: 151 rows read = 151 would load with --replace + 0 "
        "quarantined"
    )
    assert not any("replaces" in line for line in dry.lines())
    replacing = _t1(example_project, "nomad_T1_fixed.csv", dry_run=True, replace=True)
    replaced = _t1(example_project, "nomad_T1_fixed.csv", replace=True)
    assert replacing.superseded == replaced.superseded == ("nomad_T1.csv",)
    assert replacing.refusal is None and replacing.notes == replaced.notes
    assert "  replaces the earlier load of nomad_T1.csv (kept in history)" in replacing.lines()


def test_the_dry_run_command_ends_like_the_ingest(example_project: Path, capsys, monkeypatch):
    monkeypatch.chdir(example_project)
    _t1(example_project, "nomad_T1.csv")
    _corrected_t1(example_project)
    argv = ["ingest", "inbox/nomad_T1_fixed.csv", "--instrument", "nomad", "--wave", "T1"]
    errors = []
    for extra in (["--dry-run"], []):
        monkeypatch.setattr(sys, "argv", ["impleval", *argv, *extra])
        with pytest.raises(SystemExit) as info:
            cli.main()
        out, err = capsys.readouterr()
        assert info.value.code == 2 and err.count("\n") == 1 and err.startswith("error: ")
        errors.append(err)
        if extra:
            assert "151 rows read = 151 would load with --replace + 0 quarantined" in out
    assert errors[0] == errors[1]


def test_indicator_dry_runs_list_rows_and_refuse_like_the_ingest(example_project: Path) -> None:
    lines = ingest_indicators(example_project, DATA / "bad_rows.csv", dry_run=True).lines()
    assert "  first 13 of 13 problem(s): row, column, rule" in lines
    assert (
        "    row 5, value: negative_value — counts, shares (numerators) and means of these "
        "indicators are never negative"
    ) in lines
    assert "    row 11, värde: not_a_number — value is empty or not a number" in lines
    assert (
        "    row 3, indicator, category, unit, period, disaggregation: duplicate_period — each "
        "indicator (outcome category), unit, period and breakdown may occur once in a file"
    ) in lines
    first = example_project / "inbox" / "indicators_planning.csv"
    ingest_indicators(example_project, first)
    changed = example_project / "indicators_planning_v2.csv"
    changed.write_text(
        first.read_text(encoding="utf-8").replace("2017,432", "2017,433"), encoding="utf-8"
    )
    dry = ingest_indicators(example_project, changed, dry_run=True)
    with pytest.raises(PipelineError) as info:
        ingest_indicators(example_project, changed)
    assert dry.refusal == str(info.value) and "are already loaded from indicators_planning.csv" in (
        dry.refusal or ""
    )
    replacing = ingest_indicators(example_project, changed, dry_run=True, replace=True)
    replaced = ingest_indicators(example_project, changed, replace=True)
    assert replacing.superseded == replaced.superseded == ("indicators_planning.csv",)


def test_coding_dry_runs_refuse_and_replace_like_the_ingest(example_project: Path) -> None:
    csv = example_project / "inbox" / "codings_interviews.csv"
    qdpx = example_project / "exports" / "codings_interviews.qdpx"
    dry_first = ingest_codings(example_project, csv, dry_run=True)
    first = ingest_codings(example_project, csv)
    assert _outcome(lambda: dry_first) == _outcome(lambda: first)
    assert dry_first.lines()[-2:] == [
        "  first 1 of 1 problem(s): row, column, rule",
        "    row 101, coder: unknown_coder — the coder is not declared under interviews.coders",
    ]
    dry = ingest_codings(example_project, qdpx, dry_run=True)
    with pytest.raises(PipelineError) as info:
        ingest_codings(example_project, qdpx)
    assert dry.refusal == str(info.value)
    assert dry.refusal == (
        "codings_interviews.qdpx: codings of some of these documents are already loaded from "
        "codings_interviews.csv. Hint: to load this file instead, run again with --replace (the "
        "earlier load stays in history)."
    )
    replacing = ingest_codings(example_project, qdpx, dry_run=True, replace=True)
    replaced = ingest_codings(example_project, qdpx, replace=True)
    assert _outcome(lambda: replacing) == _outcome(lambda: replaced)
    assert replaced.superseded == ("codings_interviews.csv",)
