"""Flow ``analyse``: every kind of data the project declares, analysed from the store's active
data into the results tables (``output/results/``), checked against the results contract.

Methods, in order: the store's ingest accounting; per survey instrument its scale scores,
reliability, item statistics, change between waves, group comparisons, response rates and
normalisation profile (:mod:`analysis.survey`); the indicators' interrupted time series,
before/after comparisons, goals, project logic and participant outcomes
(:mod:`analysis.indicators`); the interviews' code frequencies, co-occurrence, inter-coder
agreement and quotes (:mod:`analysis.codings`). A kind the project does not declare is skipped.
The statistics are pure functions; this module only reads, calls them and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from analysis.codings import analyse_codings
from analysis.columns import stack_results
from analysis.indicators import analyse_indicators
from analysis.survey import analyse_survey
from ingest.codings import read_active_codings
from ingest.indicators import read_indicator_values, read_outcome_values
from instruments.spec import project_instrument
from project.config import Project, load_project
from project.layout import ProjectPaths
from store import warehouse
from store.results import ingest_accounting, write_results

if TYPE_CHECKING:
    import pandas as pd

Tables = dict[str, "pd.DataFrame"]

#: The kinds of results, in the order they are analysed.
KINDS = ("ingest", "survey", "indicators", "codings")


def declares(project: Project, kind: str) -> bool:
    """Whether project.yaml declares a kind (the store's accounting always applies)."""
    return {
        "ingest": True,
        "survey": bool(project.instrument_ids),
        "indicators": bool(
            project.indicators or project.outcomes or project.goals or project.activities
        ),
        "codings": project.interviews is not None,
    }[kind]


def _ingest(paths: ProjectPaths, project: Project) -> Tables:
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        return ingest_accounting(con)


def _survey(paths: ProjectPaths, project: Project) -> Tables:
    specs = [project_instrument(project, i, paths.root) for i in project.instrument_ids]
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        frames = [warehouse.read_survey_frames(con, spec) for spec in specs]
    parts = [
        analyse_survey(wide, long, spec=spec, project=project)
        for spec, (wide, long) in zip(specs, frames, strict=True)
    ]
    return stack_results(parts, kind="survey")


def _indicators(paths: ProjectPaths, project: Project) -> Tables:
    if not paths.warehouse.is_file():
        return analyse_indicators(None, None, project=project)
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        values, counts = read_indicator_values(con), read_outcome_values(con)
    return analyse_indicators(values, counts, project=project)


def _codings(paths: ProjectPaths, project: Project) -> Tables:
    if not paths.warehouse.is_file():
        return analyse_codings(None, None, project=project)
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        codings, documents = read_active_codings(con)
    return analyse_codings(codings, documents, project=project)


_PLANS: dict[str, Callable[[ProjectPaths, Project], Tables]] = {
    "ingest": _ingest,
    "survey": _survey,
    "indicators": _indicators,
    "codings": _codings,
}


def results_of(project_dir: Path, kind: str) -> Tables:
    """The results tables of one kind, read from the store and analysed (nothing written);
    ``{}`` when project.yaml does not declare the kind."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    return _PLANS[kind](paths, project) if declares(project, kind) else {}


@task(name="analyse-kind", cache_policy=NO_CACHE)
def analyse_kind(project_dir: Path, kind: str) -> Tables:
    return results_of(project_dir, kind)


@task(name="write-results", cache_policy=NO_CACHE)
def write(results_dir: Path, tables: Tables) -> list[Path]:
    return write_results(results_dir, tables)


@flow(name="analyse", validate_parameters=False)
def analyse_project(project_dir: Path) -> list[Path]:
    """Analyse every declared kind and write its results tables (see the module docstring)."""
    paths = ProjectPaths(Path(project_dir))
    tables: Tables = {}
    for kind in KINDS:
        tables |= analyse_kind.with_options(name=f"analyse-{kind}")(paths.root, kind)
    return write(paths.results, tables)
