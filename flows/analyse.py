"""Stage ``analyse``: every kind the project declares, from the store's active data to the results
tables (``output/results/``), checked against the results contract.

Methods, in order: the store's ingest accounting; per survey instrument its scale scores,
reliability, item statistics, change between waves, group comparisons, response rates and
normalisation profile (:mod:`analysis.survey`); the indicators' interrupted time series,
before/after comparisons, goals, project logic and participant outcomes
(:mod:`analysis.indicators`); the interviews' code frequencies, co-occurrence, inter-coder
agreement and quotes (:mod:`analysis.codings`). The kinds come from the registry
(:mod:`ingest.kinds`); a kind the project does not declare is skipped. The statistics are pure
functions; this module only reads, calls them and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.codings import analyse_codings
from analysis.columns import stack_results
from analysis.indicators import analyse_indicators
from analysis.survey import analyse_survey
from ingest.kinds import KINDS
from instruments.spec import project_instrument
from project.config import Project, load_project
from project.layout import ProjectPaths
from store import outreach, reads, warehouse
from store.results import ingest_accounting, write_results

if TYPE_CHECKING:
    import pandas as pd

Tables = dict[str, "pd.DataFrame"]
Progress = Callable[[str, int, int], None]


def _store_accounting(paths: ProjectPaths, project: Project) -> Tables:
    with warehouse.open_reader(paths.warehouse) as con:
        return ingest_accounting(con)


def _survey(paths: ProjectPaths, project: Project) -> Tables:
    specs = [project_instrument(project, i, paths.root) for i in project.instrument_ids]
    with warehouse.open_reader(paths.warehouse) as con:
        frames = [reads.read_survey_frames(con, spec) for spec in specs]
        rosters = [outreach.roster_invited(con, spec.id) for spec in specs]
    parts = [
        analyse_survey(wide, long, spec=spec, project=project, roster_invited=invited)
        for spec, (wide, long), invited in zip(specs, frames, rosters, strict=True)
    ]
    return stack_results(parts, kind="survey")


def _indicators(paths: ProjectPaths, project: Project) -> Tables:
    with warehouse.open_reader(paths.warehouse) as con:
        values, counts = reads.read_indicator_values(con), reads.read_outcome_values(con)
    return analyse_indicators(values, counts, project=project)


def _codings(paths: ProjectPaths, project: Project) -> Tables:
    with warehouse.open_reader(paths.warehouse) as con:
        codings, documents = reads.read_active_codings(con)
    return analyse_codings(codings, documents, project=project)


#: How each kind of the registry is analysed: read its active data, call its plan (``ingest``:
#: the store's own accounting of what was loaded and quarantined).
PLANS: dict[str, Callable[[ProjectPaths, Project], Tables]] = {
    "ingest": _store_accounting,
    "survey": _survey,
    "indicators": _indicators,
    "codings": _codings,
}


def analysed_kinds(project: Project) -> list[str]:
    """The kinds the analysis treats for this project: the store's accounting, then the
    registry's kinds in order."""
    return ["ingest", *(kind.name for kind in KINDS if kind.analysed(project))]


def results_of(project_dir: Path, kind: str) -> Tables:
    """The results tables of one kind, read from the store and analysed (nothing written);
    ``{}`` when project.yaml does not declare the kind."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    return PLANS[kind](paths, project) if kind in analysed_kinds(project) else {}


def analyse_project(
    paths: ProjectPaths, project: Project, *, progress: Progress | None = None
) -> list[Path]:
    """Analyse every declared kind and write its results tables (see the module docstring)."""
    kinds = analysed_kinds(project)
    tables: Tables = {}
    for done, kind in enumerate(kinds):
        if progress:
            progress(f"analyse {kind}", done, len(kinds))
        tables |= PLANS[kind](paths, project)
    if progress:
        progress("write results", len(kinds), len(kinds))
    return write_results(paths.results, tables)
