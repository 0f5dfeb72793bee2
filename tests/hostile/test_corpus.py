"""The hostile corpus: every case ends exactly as declared, through the command line, with no
traceback. Survey, indicator and codings files go through ``impleval ingest --dry-run`` (the same
path as an ingest up to the commit); project.yaml cases through ``impleval run --stage ingest``.

The 200 MB file and the 10 000 columns are measured in ``bench/hostile_large.py``, not here.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.hostile import cases_codings, cases_indicators, cases_project, cases_survey
from tests.hostile.cases import Case, check_outcome, run_cli

KINDS = {
    "survey": cases_survey.CASES,
    "indicators": cases_indicators.CASES,
    "codings": cases_codings.CASES,
    "project.yaml": cases_project.CASES,
}
FILE_CASES = [(kind, c) for kind in ("survey", "indicators", "codings") for c in KINDS[kind]]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the example project for every file case (dry runs leave it as it is)."""
    target = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".impleval", "output", "inbox"))
    (target / "inbox").mkdir()
    return target


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.mark.parametrize(
    ("kind", "case"), FILE_CASES, ids=[f"{k}: {c.name}" for k, c in FILE_CASES]
)
def test_hostile_file_ends_as_declared(
    kind: str, case: Case, project: Path, capsys, monkeypatch
) -> None:
    for variable, value in case.env.items():
        monkeypatch.setenv(variable, value)
    folder = project / "hostile" / kind / _slug(case.name)
    folder.mkdir(parents=True)
    path = case.build(folder)
    code, out, err = run_cli(
        ["ingest", str(path), *case.args, "-p", str(project)], capsys, monkeypatch
    )
    check_outcome(case, code, out, err, project)
    assert not (project / ".impleval" / "raw").exists()  # a dry run lands nothing


#: Cases also ingested for real (every case's dry run takes the same path up to the commit; these
#: prove the commit path: NaN and infinity never reach the store's NOT NULL columns).
REAL = {
    "survey": ("NaN as a numeric answer", "formula as an answer label"),
    "indicators": ("NaN value", "inf value", "NaN denominator", "#DIV/0! from a workbook"),
    "codings": ("coder not declared", "formula as document name"),
}
REAL_CASES = [(k, c) for k, c in FILE_CASES if c.name in REAL[k]]


@pytest.mark.parametrize(
    ("kind", "case"), REAL_CASES, ids=[f"{k}: {c.name}" for k, c in REAL_CASES]
)
def test_hostile_file_is_ingested_as_its_dry_run_said(
    kind: str, case: Case, example_project: Path, capsys, monkeypatch
) -> None:
    folder = example_project / "hostile"
    folder.mkdir()
    path = case.build(folder)
    args = [a for a in case.args if a != "--dry-run"]
    argv = ["ingest", str(path), *args, "-p", str(example_project)]
    code, out, err = run_cli(argv, capsys, monkeypatch)
    check_outcome(case, code, out, err, example_project)
    quarantine = example_project / "output" / "validation" / "quarantine.csv"
    with quarantine.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) > case.quarantined  # a header and at least one line per row kept out
    assert not [c for row in rows for c in row if c.startswith(("=", "@", "+", "\t", "\r"))]


@pytest.mark.parametrize("case", cases_project.CASES, ids=[c.name for c in cases_project.CASES])
def test_hostile_project_yaml_ends_as_declared(case: Case, tmp_path: Path, capsys, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    case.build(project)
    code, out, err = run_cli(["run", "--stage", "ingest", "-p", str(project)], capsys, monkeypatch)
    check_outcome(case, code, out, err, project)


def test_corpus_size() -> None:
    """At least 30 cases per kind of file and 10 for project.yaml, each outcome represented."""
    counts = {kind: Counter(c.outcome for c in cases) for kind, cases in KINDS.items()}
    for kind, count in counts.items():
        assert sum(count.values()) >= (10 if kind == "project.yaml" else 30), (kind, count)
        names = [c.name for c in KINDS[kind]]
        assert len(set(names)) == len(names), kind
    for kind in ("survey", "indicators", "codings"):
        assert set(counts[kind]) == {"refused", "quarantined", "loaded"}, (kind, counts[kind])
