"""The analyse stage on projects that declare only some kinds: every declared kind's tables, none
of the others, all of them on the results contract. Plain functions, no Prefect engine."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.columns import check_table, tables_of
from flows.analyse import PLANS, analysed_kinds, results_of
from ingest.codings import ingest_codings
from ingest.indicators import ingest_indicators
from project.config import load_project
from store.results import write_results

SURVEY = ("instruments", "waves")
INDICATORS = ("indicators", "goals", "activities")
PROJECTS = {
    # project.yaml sections left out, the inbox files ingested, the kinds analysed
    "indicators": (
        (*SURVEY, "outcomes", "interviews"),
        ["indicators_discharge.csv", "indicators_planning.csv"],
        {"ingest", "indicators"},
    ),
    "outcomes": (
        (*SURVEY, *INDICATORS, "interviews"),
        ["indicators_outcomes.csv"],
        {"ingest", "indicators"},
    ),
    "interviews": (
        (*SURVEY, *INDICATORS, "outcomes"),
        ["codings_interviews.csv"],
        {"ingest", "codings"},
    ),
}


def _only(project: Path, leave_out: tuple[str, ...]) -> None:
    config = yaml.safe_load((project / "project.yaml").read_text(encoding="utf-8"))
    for key in leave_out:
        if key in SURVEY:  # required keys today: an empty list declares no survey
            config[key] = []
        else:
            config.pop(key, None)
    (project / "project.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


def _analyse(project: Path) -> dict:
    tables: dict = {}
    for kind in PLANS:
        tables |= results_of(project, kind)
    return tables


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_a_project_with_one_kind_analyses(example_project: Path, name: str) -> None:
    leave_out, files, kinds = PROJECTS[name]
    _only(example_project, leave_out)
    project = load_project(example_project)
    assert set(analysed_kinds(project)) == kinds
    for file in files:
        ingest = ingest_codings if file.startswith("codings_") else ingest_indicators
        ingest(example_project, example_project / "inbox" / file)
    tables = _analyse(example_project)
    assert set(tables) == {t for kind in kinds for t in tables_of(kind)}
    for table, frame in tables.items():
        check_table(table, frame)
    rows = {t for t, f in tables.items() if not f.empty}
    expected = {"indicators": {"its", "before_after"}, "outcomes": {"outcomes", "outcome_targets"}}
    assert expected.get(name, {"agreement", "quotes"}) <= rows
    written = write_results(example_project / "output" / "results", tables)
    assert {p.stem for p in written} == set(tables)


def test_undeclared_kinds_give_nothing(example_project: Path) -> None:
    _only(example_project, (*SURVEY, *INDICATORS, "outcomes", "interviews"))
    for kind in ("survey", "indicators", "codings"):
        assert results_of(example_project, kind) == {}
