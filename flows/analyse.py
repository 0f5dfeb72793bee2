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

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.codings import analyse_codings
from analysis.columns import stack_results
from analysis.cut import (
    DataCut,
    cut_codings,
    cut_indicator_values,
    cut_ingest_accounting,
    cut_project,
    cut_survey,
)
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


WHOLE = DataCut()


def _store_accounting(paths: ProjectPaths, project: Project, cut: DataCut = WHOLE) -> Tables:
    with warehouse.open_reader(paths.warehouse) as con:
        tables = ingest_accounting(con)
    return cut_ingest_accounting(tables, project=project, cut=cut)


def _survey(paths: ProjectPaths, project: Project, cut: DataCut = WHOLE) -> Tables:
    specs = [project_instrument(project, i, paths.root) for i in project.instrument_ids]
    with warehouse.open_reader(paths.warehouse) as con:
        frames = [reads.read_survey_frames(con, spec) for spec in specs]
        rosters = [outreach.roster_invited(con, spec.id) for spec in specs]
    if not cut.is_whole:
        frames = [
            cut_survey(wide, long, project=project, instrument=spec.id, cut=cut)
            for spec, (wide, long) in zip(specs, frames, strict=True)
        ]
    seen = cut_project(project, cut)
    parts = [
        analyse_survey(wide, long, spec=spec, project=seen, roster_invited=invited)
        for spec, (wide, long), invited in zip(specs, frames, rosters, strict=True)
    ]
    return stack_results(parts, kind="survey")


def _indicators(paths: ProjectPaths, project: Project, cut: DataCut = WHOLE) -> Tables:
    with warehouse.open_reader(paths.warehouse) as con:
        values, counts = reads.read_indicator_values(con), reads.read_outcome_values(con)
    if not cut.is_whole:
        values = cut_indicator_values(values, project=project, cut=cut)
        counts = cut_indicator_values(counts, project=project, cut=cut, kind="outcome")
    return analyse_indicators(values, counts, project=cut_project(project, cut))


def _codings(paths: ProjectPaths, project: Project, cut: DataCut = WHOLE) -> Tables:
    with warehouse.open_reader(paths.warehouse) as con:
        codings, documents = reads.read_active_codings(con)
    if not cut.is_whole:
        codings, documents = cut_codings(codings, documents, project=project, cut=cut)
    return analyse_codings(codings, documents, project=cut_project(project, cut))


#: How each kind of the registry is analysed: read its active data (within the cut: the data up
#: to a cut-off, of one organisation, :mod:`analysis.cut`), call its plan (``ingest``: the
#: store's own accounting of what was loaded and quarantined).
PLANS: dict[str, Callable[[ProjectPaths, Project, DataCut], Tables]] = {
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
    return PLANS[kind](paths, project, WHOLE) if kind in analysed_kinds(project) else {}


def analyse_project(
    paths: ProjectPaths,
    project: Project,
    *,
    progress: Progress | None = None,
    cut: DataCut = WHOLE,
    results_dir: Path | None = None,
    skip: Collection[str] = (),
) -> list[Path]:
    """Analyse every declared kind (but those in ``skip``) and write its results tables (see the
    module docstring): the whole data to ``output/results/``, or the data within ``cut`` to
    ``results_dir``."""
    kinds = [k for k in analysed_kinds(project) if k not in skip]
    tables: Tables = {}
    for done, kind in enumerate(kinds):
        if progress:
            progress(f"analyse {kind}", done, len(kinds))
        tables |= PLANS[kind](paths, project, cut)
    if progress:
        progress("write results", len(kinds), len(kinds))
    return write_results(results_dir or paths.results, tables)
