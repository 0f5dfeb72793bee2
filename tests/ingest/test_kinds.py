"""The kind registry: any subset of kinds, inbox pick-up, and the same bad-input answers for every kind.

The fixture projects under ``tests/data/projects/`` each declare one kind (written by
``make_projects.py`` there): key figures only, participant outcomes only, interviews only.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from flows import cli
from ingest.kinds import KIND_NAMES, KINDS, IngestOptions, declared_kinds, get_kind, inbox_files
from ingest.transaction import ingest_file
from project.config import load_project
from project.errors import ConfigError, PipelineError
from project.layout import ProjectPaths
from store.schema import DDL

PROJECTS = Path(__file__).resolve().parents[1] / "data" / "projects"
#: Fixture → (declared kinds, {inbox file: (rows read, loaded, quarantined)}, {table: rows}).
FIXTURES = {
    "indicators-only": (
        ("indicators",),
        {"indicators_hemgang.csv": (27, 27, 0)},
        {"indicator_values": 27, "outcome_values": 0},
    ),
    "outcomes-only": (
        ("indicators",),
        {"indicators_deltagare.csv": (18, 18, 0)},
        {"outcome_values": 18, "indicator_values": 0},
    ),
    "interviews-only": (
        ("codings",),
        {"codings_intervjuer.csv": (48, 48, 0)},
        {"codings": 48, "coding_documents": 6},
    ),
}


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(PROJECTS / name, tmp_path / name))


def _count(project: Path, table: str) -> int:
    con = duckdb.connect(str(ProjectPaths(project).warehouse), read_only=True)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def test_the_registry_lists_every_kind_once_with_its_module_and_tables() -> None:
    assert KIND_NAMES == ("survey", "indicators", "codings", "roster")
    for kind in KINDS:
        module, _, name = kind.ingest.partition(":")
        assert isinstance(getattr(importlib.import_module(module), name), type), kind.name
        for table in kind.tables:
            assert f"CREATE TABLE IF NOT EXISTS {table} (" in DDL, (kind.name, table)
    with pytest.raises(
        PipelineError, match=r"^--kind photos: expected survey, indicators, codings or roster\.$"
    ):
        get_kind("photos")


@pytest.mark.parametrize("name", list(FIXTURES))
def test_a_project_with_one_kind_ingests_its_inbox(name: str, tmp_path: Path) -> None:
    kinds, files, tables = FIXTURES[name]
    project = _copy(name, tmp_path)
    assert tuple(k.name for k in declared_kinds(load_project(project))) == kinds
    found = inbox_files(ProjectPaths(project), load_project(project))
    assert [(f.kind, f.path.name) for f in found] == [(kinds[0], n) for n in files]
    for inbox in found:
        report = ingest_file(project, inbox.kind, inbox.path, inbox.options)
        expected = files[inbox.path.name]
        assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == expected
        assert report.page is not None and report.page.is_file()  # every kind gets its page
        page_title = (
            "Validering: " if load_project(project).report.language == "sv" else "Validation: "
        )
        assert page_title in report.page.read_text(encoding="utf-8")
        again = ingest_file(project, inbox.kind, inbox.path, inbox.options)
        assert again.status == "already_loaded" and again.lines()[0].endswith("nothing to do.")
    for table, n in tables.items():
        assert _count(project, table) == n, table


def test_outcomes_alone_declare_the_indicators_kind(tmp_path: Path) -> None:
    project = load_project(_copy("outcomes-only", tmp_path))
    assert not project.indicators and project.outcomes
    assert [k.name for k in declared_kinds(project)] == ["indicators"]


def test_a_project_that_declares_nothing(tmp_path: Path) -> None:
    (tmp_path / "project.yaml").write_text(
        "id: empty\nname: {sv: Tomt, en: Empty}\n", encoding="utf-8"
    )
    project = load_project(tmp_path)
    assert declared_kinds(project) == ()
    assert inbox_files(ProjectPaths(tmp_path), project) == []
    with pytest.raises(ConfigError) as info:
        declared_kinds(project, required=True)
    assert str(info.value) == (
        "project.yaml declares no survey waves, indicators, outcomes or interviews: nothing to "
        "ingest. Hint: add survey instruments and waves (instruments:, waves:), an indicator "
        "registry (indicators:) or participant outcomes (outcomes:), or an interviews: section, "
        "then put the exports in inbox/ (see docs/project-yaml.md)."
    )


UNDECLARED = [
    (
        "indicators-only",
        "codings",
        "project.yaml: no interviews: section, so codings cannot be ingested. Hint: declare "
        "stakeholder_groups, rounds, documents and coders under interviews: (see "
        "docs/interviews.md).",
    ),
    (
        "interviews-only",
        "indicators",
        "project.yaml: no indicators are declared. Hint: add an indicators: section (the "
        "indicator registry) or an outcomes: section before ingesting indicator data.",
    ),
    (
        "outcomes-only",
        "survey",
        "project.yaml: no survey waves are declared, so survey answers cannot be ingested. Hint: "
        "add the instrument under instruments: and its waves under waves: (see "
        "docs/project-yaml.md).",
    ),
]


@pytest.mark.parametrize(("name", "kind", "message"), UNDECLARED)
def test_an_undeclared_kind_is_one_line_and_nothing_is_landed(
    name: str, kind: str, message: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    project = _copy(name, tmp_path)
    export = next((project / "inbox").iterdir())
    argv = ["impleval", "ingest", str(export), "--kind", kind, "-p", str(project)]
    if kind == "survey":
        argv += ["--instrument", "nomad", "--wave", "T0"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as info:
        cli.main()
    _, err = capsys.readouterr()
    assert info.value.code == 2 and err == f"error: {message}\n"
    assert not (project / ".impleval").exists()


def _loaded(project: Path) -> tuple[int, int]:
    return _count(project, "ingests"), _count(project, "quarantine")


# A file of one kind ingested as another: one line, exit 2, nothing loaded, nothing lost.
MISFITS = [
    (
        "indicators-only",
        "interviews-only/inbox/codings_intervjuer.csv",
        "indicators",
        "codings_intervjuer.csv: missing column(s) indicator, period, value. Expected a long table "
        "with indicator, unit, period, value (and optional denominator); found Document group, "
        "Document name, Code, Beginning, End, Segment, Created by. Hint: one row per indicator "
        "and period.",
    ),
    (
        "interviews-only",
        "outcomes-only/inbox/indicators_deltagare.csv",
        "codings",
        "indicators_deltagare.csv: the columns are not those of a known coded-segment export. "
        "Expected (atlasti: Document, Codes, Content, Created by; maxqda: Document name, Code, "
        "Segment, Created by; nvivo: File, Code, Coded Text, Coded By); found "
        "indicator, category, period, value, sex. Hint: export the coded segments again, or name "
        "the layout with --profile.",
    ),
]


@pytest.mark.parametrize(("name", "other", "kind", "message"), MISFITS)
def test_a_file_of_another_kind_is_one_line_and_changes_nothing(
    name: str, other: str, kind: str, message: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    project = _copy(name, tmp_path)
    for found in inbox_files(ProjectPaths(project), load_project(project)):
        ingest_file(project, found.kind, found.path, found.options)
    before = _loaded(project)
    export = tmp_path / Path(other).name
    shutil.copy(PROJECTS / other, export)
    monkeypatch.setattr(
        sys, "argv", ["impleval", "ingest", str(export), "--kind", kind, "-p", str(project)]
    )
    with pytest.raises(SystemExit) as info:
        cli.main()
    _, err = capsys.readouterr()
    assert info.value.code == 2 and err == f"error: {message}\n"
    assert _loaded(project) == before  # nothing loaded, nothing lost
    manifest = (project / ".impleval" / "raw" / "manifest.jsonl").read_text(encoding="utf-8")
    assert export.name in manifest  # the raw copy is kept, as every landed export


def test_options_that_do_not_fit_the_kind(tmp_path: Path) -> None:
    project = _copy("indicators-only", tmp_path)
    export = project / "inbox" / "indicators_hemgang.csv"
    with pytest.raises(PipelineError) as info:
        ingest_file(project, "indicators", export, IngestOptions(instrument="nomad", sheet="x"))
    assert str(info.value) == (
        "ingest: --instrument and --sheet do not apply to --kind indicators. Expected only "
        "--replace or --dry-run; found --instrument, --sheet. Hint: leave them out, or check --kind."
    )
    assert not (project / ".impleval").exists()
