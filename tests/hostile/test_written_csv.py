"""Every CSV the tool writes for people holds no cell a spreadsheet would run as a formula: each is
read back and checked (quarantine list, results files, release tables use one helper)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ingest.kinds import IngestOptions
from ingest.report import write_quarantine_report
from ingest.transaction import ingest_file
from project.layout import ProjectPaths
from reports.results import read_results_file
from store.csv_cells import FORMULA_STARTS, neutralise, restore
from store.results import write_results
from tests.hostile.files import cell, csv_text, survey_rows

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "\t=1", "=1"]


def _text_cells(path: Path) -> list[str]:
    """Every cell of the file that is not a number."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [c for row in csv.reader(handle) for c in row if not _number(c)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_quarantine_csv_holds_no_formula(example_project: Path) -> None:
    frame = survey_rows()
    for row, value in enumerate(FORMULAS):
        cell(row, "CO1", value)(frame)
    cell(0, "Organisation", '=HYPERLINK("http://x")')(frame)
    path = example_project / "nomad_T1.csv"
    path.write_text(csv_text(frame), encoding="utf-8")
    report = ingest_file(
        example_project, "survey", path, IngestOptions(instrument="nomad", wave="T1")
    )
    assert (report.rows_read, report.rows_quarantined) == (6, 6)
    written = write_quarantine_report(ProjectPaths(example_project))
    assert written is not None
    cells = _text_cells(written)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    details = [restore(c) for c in cells]
    assert {"=cmd|' /C calc'!A0", "-2+3"} <= set(details)  # what was in the file, restorable
    assert "'=cmd|' /C calc'!A0" in cells


def test_results_files_neutralise_text_and_read_back_as_written(tmp_path: Path) -> None:
    rules = ["=HYPERLINK(1)", "-x", "'=quoted", "plain", "@at", "''"]
    frame = pd.DataFrame(
        {"instrument": "nomad", "wave": "T0", "rule": rules, "n": [-1, 2, 3, 4, 5, 6]}
    )
    (path,) = write_results(tmp_path, {"quarantine_reasons": frame})
    cells = _text_cells(path)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "-1\n" in path.read_text(encoding="utf-8")  # a number stays a number
    back = read_results_file(path, "quarantine_reasons")
    assert back["rule"].tolist() == rules
    assert back["n"].tolist() == [-1, 2, 3, 4, 5, 6]


def test_neutralise_is_undone_by_restore() -> None:
    for text in [*FORMULAS, "\r=1", "'", "''", "'=x", "a", "", "'a", "-0.5"]:
        assert restore(neutralise(text)) == text
        assert not str(neutralise(text)).startswith(FORMULA_STARTS)
    assert neutralise(-0.5) == -0.5
