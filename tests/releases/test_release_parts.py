"""The parts of a release on small synthetic inputs: versions, keys, anonymity, CSV safety,
the identifier scan and the DDI subset schema."""

from __future__ import annotations

import datetime as dt
import itertools
import stat
from pathlib import Path

import pandas as pd
import pytest
import xmlschema

from privacy.redact import luhn_valid
from project.config import load_project
from project.errors import KeyMissingError, ReleaseError
from releases.anonymity import anonymise_rows, classes
from releases.ddi import SUBSET_XSD
from releases.keys import release_key, save_key
from releases.model import Column, Table, both
from releases.options import check_version, release_options
from releases.scan import scan_file
from releases.writers import write_csv
from tests.conftest import EXAMPLE


@pytest.mark.parametrize("version", ["1.0", "0.1", "1.2.3", "2.0-rc1", "10.4.0-beta.2"])
def test_versions_that_look_like_versions(version: str) -> None:
    assert check_version(version) == version


@pytest.mark.parametrize("version", ["", "1", "v1.0", "1.0.0.0", "01.0", "latest", "1.0 final"])
def test_anything_else_is_refused_with_the_format(version: str) -> None:
    with pytest.raises(ReleaseError, match=r"Expected MAJOR\.MINOR or MAJOR\.MINOR\.PATCH"):
        check_version(version)


def test_release_pseudonyms_depend_on_the_key_only_and_the_key_is_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPLEVAL_RELEASE_KEY_DIR", str(tmp_path / "keys"))
    first = release_key("demo", "1.0")
    assert first.pseudonym("p0123") == first.pseudonym("p0123")
    assert first.pseudonym("p0123") != release_key("demo", "9.9").pseudonym("p0123")
    assert len(first.pseudonym("p0123")) == 17 and first.pseudonym("x").startswith("r")
    with pytest.raises(KeyMissingError, match=r"--link-to 1\.0: no release key"):
        release_key("demo", "1.1", link_to="1.0")
    path = save_key("demo", first)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert release_key("demo", "1.0").secret == first.secret  # a rebuild reuses it
    assert release_key("demo", "1.1", link_to="1.0").secret == first.secret
    save_key("demo", release_key("demo", "2.0"))
    with pytest.raises(KeyMissingError, match="made earlier with its own key"):
        release_key("demo", "2.0", link_to="1.0")


def _people(groups: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    counter = itertools.count()
    rows = [
        {
            "respondent_id": f"p{next(counter)}",
            "wave": w,
            "organisation": o,
            "staff_group": g,
            "unit": None,
            "submitted_at": pd.Timestamp("2017-09-05 13:31"),
            "score": next(counter) % 5,
        }
        for (w, o, g), n in groups.items()
        for _ in range(n)
    ]
    return pd.DataFrame(rows)


def _options(max_share: float = 0.05, **privacy: object):
    project = load_project(EXAMPLE)
    project = project.model_copy(
        update={
            "privacy": project.privacy.model_copy(update=privacy),
            "release": project.release.model_copy(update={"max_suppressed_share": max_share}),
        }
    )
    return project, release_options(project, version="1.0", date=dt.date(2026, 1, 5))


def test_generalisation_stops_at_the_first_rung_that_reaches_k() -> None:
    project, options = _options(k_anonymity=5)
    frame = _people(
        {
            ("T0", "hosp_alvstad", "nurse"): 12,
            ("T0", "hosp_alvstad", "physician"): 2,
            ("T0", "hosp_fjallby", "nurse"): 9,
            ("T0", "hosp_fjallby", "physician"): 3,
        }
    )
    out, keep, outcome = anonymise_rows(
        frame, table="t", project=project, person="respondent_id", options=options
    )
    kept = out[keep.to_numpy()]
    # merging the small physician groups within each hospital (2 and 3 people) would still
    # drop 5 of 26 rows (19 %); hospitals to their type keeps everyone (21 nurses, 5 physicians)
    assert outcome.steps == [
        "submitted_at to month",
        "submitted_at removed (time to wave)",
        "unit removed (units to organisations)",
        "organisations to organisation type",
    ]
    assert set(kept["organisation"]) == {"hospital"} and outcome.rows_dropped == 0
    assert set(kept["staff_group"]) == {"nurse", "physician"}
    assert classes(kept, ["organisation", "staff_group", "wave"], "respondent_id").min() >= 5
    assert frame["staff_group"].tolist().count("physician") == 5  # the input is not changed


def test_refusal_names_the_combinations_that_block() -> None:
    project, options = _options(k_anonymity=20)
    frame = _people({("T0", "hc_asen", "nurse"): 6, ("T0", "hosp_alvstad", "nurse"): 30})
    with pytest.raises(ReleaseError) as info:
        anonymise_rows(
            frame, table="survey_x", project=project, person="respondent_id", options=options
        )
    message = str(info.value)
    assert message.startswith("survey_x: k = 20 cannot be reached without dropping 6 of 36 rows")
    assert "organisation=other, staff_group=other, wave=T0 (6 people)" in message
    assert "\n" not in message


def test_l_diversity_suppresses_a_group_that_all_answered_alike() -> None:
    project, options = _options(
        max_share=0.5,
        k_anonymity=2,
        quasi_identifiers=("wave",),
        sensitive_columns=("score",),
        l_diversity=2,
    )
    frame = _people({("T0", "hc_asen", "nurse"): 6, ("T1", "hc_asen", "nurse"): 3})
    frame.loc[frame["wave"] == "T1", "score"] = 4  # everyone in T1 has the same score
    _, keep, outcome = anonymise_rows(
        frame, table="t", project=project, person="respondent_id", options=options
    )
    assert outcome.rows_dropped == 3 and not keep[frame["wave"] == "T1"].any()
    assert outcome.l_achieved is not None and outcome.l_achieved >= 2


def test_csv_neutralises_formula_text_but_not_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"note": ["=1+1", "+46", "@SUM", "\tx", "ok", None], "code": [-1, -2, 3, 4, 5, 6]}
    )
    table = Table(
        "t",
        both("t", "t"),
        frame,
        (Column("note", "string", both("n", "n")), Column("code", "integer", both("c", "c"))),
    )
    text = write_csv(table, tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text.splitlines() == [
        "note,code",
        "'=1+1,-1",
        "'+46,-2",
        "'@SUM,3",
        "'\tx,4",
        "ok,5",
        ",6",
    ]


def test_scan_finds_identifiers_but_not_fractions(tmp_path: Path) -> None:
    assert luhn_valid("8112189876")
    clean = tmp_path / "clean.csv"
    clean.write_text("score\n3.8112189876\n2.1428571428\n", encoding="utf-8")
    assert not scan_file(clean, ["Karin Sjöberg"])
    dirty = tmp_path / "dirty.csv"
    dirty.write_text(
        "a,b\n811218-9876,karin.sjoberg@example.se\nKarin Sjöberg,x\n", encoding="utf-8"
    )
    assert scan_file(dirty, ["Karin Sjöberg"]) == {"personnummer": 1, "email": 1, "name": 1}


def test_the_ddi_subset_keeps_the_official_element_order() -> None:
    schema = xmlschema.XMLSchema(str(SUBSET_XSD))
    head = '<codeBook xmlns="ddi:codebook:2_5" version="2.5"><stdyDscr><citation><titlStmt>'
    tail = "</titlStmt></citation></stdyDscr></codeBook>"
    assert schema.is_valid(head + "<titl>T</titl><parTitl>P</parTitl><IDNo>x</IDNo>" + tail)
    assert not schema.is_valid(head + "<parTitl>P</parTitl><titl>T</titl>" + tail)
    assert not schema.is_valid(head + "<IDNo>x</IDNo>" + tail)  # titl is required
    assert not schema.is_valid(
        head.replace('version="2.5"', 'version="2.6"') + "<titl>T</titl>" + tail
    )


def test_ddi_output_does_not_depend_on_other_modules_namespace_registrations(
    tmp_path: Path,
) -> None:
    """ElementTree's prefix registry is process-wide: another module (the example's REFI-QDA
    generator did) registering the default prefix must not change codebook.xml."""
    import xml.etree.ElementTree as ET

    from releases.ddi import ddi_codebook, write_ddi

    project, options = _options()
    first = write_ddi(ddi_codebook(project, options, [], notes=[]), tmp_path / "a.xml")
    ET.register_namespace("", "urn:QDA-XML:project:1.0")
    try:
        second = write_ddi(ddi_codebook(project, options, [], notes=[]), tmp_path / "b.xml")
    finally:
        ET.register_namespace("qda", "urn:QDA-XML:project:1.0")
    assert first.read_bytes() == second.read_bytes()
    assert b'<codeBook xmlns="ddi:codebook:2_5"' in first.read_bytes()
    assert b"ns0:" not in second.read_bytes()
