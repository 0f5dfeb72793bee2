"""The data a report may use (analysis/cut.py): up to a cut-off, of one organisation."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.cut import DataCut, cut_indicator_values, cut_project, cut_survey
from project.config import load_project
from tests.conftest import EXAMPLE

CUT = dt.date(2018, 6, 30)


def test_periods_count_when_they_ended_by_the_cutoff() -> None:
    project = load_project(EXAMPLE)
    values = pd.DataFrame(
        {
            "indicator": ["days_ready_for_discharge"] * 2 + ["patient_participation"] * 2,
            "unit": ["all"] * 4,
            "period": ["2018-06", "2018-07", "2017", "2018"],
            "period_start": pd.to_datetime(
                ["2018-06-01", "2018-07-01", "2017-01-01", "2018-01-01"]
            ),
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    kept = cut_indicator_values(values, project=project, cut=DataCut(CUT))
    assert kept["period"].tolist() == ["2018-06", "2017"]  # the year 2018 had not ended


def test_waves_closed_by_the_cutoff_and_one_organisation() -> None:
    project = load_project(EXAMPLE)
    wide = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c", "a"],
            "wave": ["T0", "T0", "T0", "T1"],
            "organisation": ["hc_strand", "hc_asen", "hc_strand", "hc_strand"],
            "submitted_at": pd.to_datetime(["2017-09-10", "2017-09-11", None, "2019-02-10"]),
        }
    )
    long = pd.DataFrame(
        {"wave": wide["wave"], "respondent_id": wide["respondent_id"], "item": "q1"}
    )
    kept, kept_long = cut_survey(
        wide, long, project=project, instrument="nomad", cut=DataCut(CUT, "hc_strand")
    )
    assert kept["respondent_id"].tolist() == ["a", "c"]
    assert kept_long[["wave", "respondent_id"]].values.tolist() == [["T0", "a"], ["T0", "c"]]
    seen = cut_project(project, DataCut(CUT))
    assert {w.id for w in seen.waves} == {"T0", "VT2018"}
    assert seen.survey.omega_bootstrap_samples == project.survey.omega_bootstrap_samples
