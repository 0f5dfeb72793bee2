"""The analysis's units within a data cut (docs/reports.md, docs/scale.md): a cut-off and one
organisation give, through the plans and their units, the tables the whole-frame plans give from
the same cut frames (the survey per instrument, the indicators with their ITS fitted at once, the
codings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

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
from flows.analyse import _analyse, analysed_kinds
from flows.executors import InProcess
from flows.ingest import ingest_inbox
from instruments.spec import project_instrument
from project.config import Project, load_project
from project.layout import ProjectPaths
from store import outreach, reads, warehouse
from store.results import ingest_accounting

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CUTS = {
    "cutoff": DataCut(cutoff=dt.date(2018, 6, 30)),
    "organisation": DataCut(organisation="hosp_alvstad"),
    "both": DataCut(cutoff=dt.date(2018, 12, 31), organisation="hosp_alvstad"),
}


def _whole_frames(paths: ProjectPaths, project: Project, cut: DataCut) -> dict:
    """The tables as the plans gave them before they were cut into units: every read whole, the
    cut applied to it, each kind analysed in one call."""
    seen = cut_project(project, cut)
    specs = [project_instrument(project, i, paths.root) for i in project.instrument_ids]
    with warehouse.open_reader(paths.warehouse) as con:
        tables = cut_ingest_accounting(ingest_accounting(con), project=project, cut=cut)
        parts = []
        for spec in specs:
            wide, long = reads.read_survey_frames(con, spec)
            wide, long = cut_survey(wide, long, project=project, instrument=spec.id, cut=cut)
            invited = outreach.roster_invited(con, spec.id)
            parts.append(
                analyse_survey(wide, long, spec=spec, project=seen, roster_invited=invited)
            )
        values = cut_indicator_values(reads.read_indicator_values(con), project=project, cut=cut)
        counts = cut_indicator_values(
            reads.read_outcome_values(con), project=project, cut=cut, kind="outcome"
        )
        codings, documents = cut_codings(*reads.read_active_codings(con), project=project, cut=cut)
    tables |= stack_results(parts, kind="survey")
    tables |= analyse_indicators(values, counts, project=seen)
    return tables | analyse_codings(codings, documents, project=seen)


def test_the_units_of_a_cut_give_the_whole_frame_tables(example_project: Path) -> None:
    paths, project = ProjectPaths(example_project), load_project(example_project)
    ingest_inbox(paths, project)
    kinds = analysed_kinds(project)
    assert {"survey", "indicators", "codings"} <= set(kinds)
    for name, cut in CUTS.items():
        units = _analyse(paths, project, kinds, InProcess(), cut)
        whole = _whole_frames(paths, project, cut)
        assert set(units) == set(whole), name
        for table, frame in whole.items():
            assert_frame_equal(units[table], frame, obj=f"{name}: {table}")
