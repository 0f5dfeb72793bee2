"""Stage staleness: plain hashing, no Prefect."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.stages import (
    fingerprint,
    is_current,
    read_state,
    record_stage,
    stage_inputs,
)
from ingest.kinds import inbox_files
from project.config import load_project
from project.layout import ProjectPaths
from project.provenance import file_sha256

SETTINGS = {"lang": "sv", "formats": ["pdf"], "min_cell_size": 5}


def _fp(stage: str, paths: ProjectPaths, data_version: str | None = "v1") -> str:
    project = load_project(paths.root)
    return fingerprint(
        stage_inputs(stage, paths, project, settings=SETTINGS, data_version=data_version)
    )


def test_inbox_files_are_matched_to_declared_waves(example_project: Path) -> None:
    paths = ProjectPaths(example_project)
    (example_project / "inbox" / "notes.txt").write_text("x")
    (example_project / "inbox" / "nomad_T9.csv").write_text("x")
    found = [f for f in inbox_files(paths, load_project(example_project)) if f.kind == "survey"]
    assert [(f.path.name, f.options.instrument, f.options.wave) for f in found] == [
        ("nomad_T0.xlsx", "nomad", "T0"),
        ("nomad_T1.csv", "nomad", "T1"),
        ("pcat_HT2018.csv", "pcat", "HT2018"),
        ("pcat_VT2018.xlsx", "pcat", "VT2018"),
    ]


def test_recorded_stage_is_current_until_an_input_changes(example_project: Path) -> None:
    paths = ProjectPaths(example_project)
    fp = _fp("ingest", paths)
    out = example_project / "marker"
    out.write_text("x")
    record_stage(paths, "ingest", fp, [out])
    assert is_current(paths, "ingest", _fp("ingest", paths))
    (example_project / "inbox" / "nomad_T1.csv").write_bytes(b"changed")
    assert not is_current(paths, "ingest", _fp("ingest", paths))
    assert read_state(paths)["stages"]["ingest"]["outputs"] == {"marker": file_sha256(out)}


def test_missing_outputs_make_a_stage_stale(example_project: Path) -> None:
    paths = ProjectPaths(example_project)
    out = example_project / "marker"
    out.write_text("x")
    record_stage(paths, "analyse", _fp("analyse", paths), [out])
    out.unlink()
    assert not is_current(paths, "analyse", _fp("analyse", paths))


def test_a_changed_output_makes_its_stage_stale(example_project: Path) -> None:
    """Outputs are fingerprinted by content: a truncated report is not a finished one."""
    paths = ProjectPaths(example_project)
    out = example_project / "report.docx"
    out.write_bytes(b"PK" + b"x" * 100)
    record_stage(paths, "report", _fp("report", paths), [out])
    assert is_current(paths, "report", _fp("report", paths))
    out.write_bytes(b"")
    assert not is_current(paths, "report", _fp("report", paths))


def test_what_each_stage_depends_on(example_project: Path) -> None:
    paths = ProjectPaths(example_project)
    assert _fp("analyse", paths, "v1") != _fp("analyse", paths, "v2")
    assert _fp("ingest", paths, "v1") == _fp("ingest", paths, "v2")
    before = _fp("report", paths)
    (example_project / "narrative" / "summary.md").write_text("Ny text.", encoding="utf-8")
    assert _fp("report", paths) != before
    assert _fp("ingest", paths) == _fp("ingest", paths)


def _edit_yaml(project: Path, edit) -> None:  # type: ignore[no-untyped-def]
    path = project / "project.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(config)
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "stale"),
    [
        (lambda c: c["report"].update(evaluator="Ny utvärderare AB"), {"report"}),
        (lambda c: c["report"].update(language="en"), {"report"}),
        (lambda c: c.update(funder="Ny finansiär"), {"report"}),
        (
            lambda c: c["waves"][1].update(labels={"sv": "Uppföljning", "en": "Follow-up"}),
            {"report"},
        ),
        (lambda c: c["waves"][1].update(invited=180), {"analyse", "report"}),
        (lambda c: c.setdefault("privacy", {}).update(min_cell_size=7), {"analyse", "report"}),
        (lambda c: c.setdefault("survey", {}).update(reliability_min_n=40), {"analyse", "report"}),
        (lambda c: c["waves"][1].update(closes="2019-12-31"), {"ingest", "analyse", "report"}),
        (
            lambda c: c.setdefault("privacy", {}).update(free_text="quarantine"),
            {"ingest", "report"},
        ),
    ],
)
def test_an_edit_of_project_yaml_makes_only_the_stages_that_read_it_stale(
    example_project: Path, edit, stale: set[str]
) -> None:
    """An evaluator's name never re-ingests; invited counts re-analyse; a wave window re-ingests."""
    paths = ProjectPaths(example_project)
    before = {s: _fp(s, paths) for s in ("ingest", "analyse", "report")}
    _edit_yaml(example_project, edit)
    after = {s: _fp(s, paths) for s in ("ingest", "analyse", "report")}
    assert {s for s in before if before[s] != after[s]} == stale


def test_a_comment_in_project_yaml_re_renders_only_the_report(example_project: Path) -> None:
    paths = ProjectPaths(example_project)
    before = {s: _fp(s, paths) for s in ("ingest", "analyse", "report")}
    project_yaml = example_project / "project.yaml"
    project_yaml.write_text(project_yaml.read_text() + "\n# edited\n")
    after = {s: _fp(s, paths) for s in ("ingest", "analyse", "report")}
    assert {s for s in before if before[s] != after[s]} == {"report"}
