"""The analysis plans (analysis/survey.py, indicators.py, codings.py): frames in, every table of
the kind out, on the results contract, inputs untouched; a kind with no data gives empty tables."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.codings import analyse_codings
from analysis.columns import check_table, tables_of
from analysis.indicators import analyse_indicators
from analysis.omega import OUT_OF_RANGE, SINGULAR, TOO_FEW_ITEMS, mcdonald_omega
from analysis.reliability import reliability_by_scale
from analysis.survey import analyse_survey
from analysis.two_sample import paired_tests, unpaired_tests
from project.config import load_project
from tests.conftest import EXAMPLE

REPORT_PROJECT = Path(__file__).resolve().parents[1] / "data" / "reports"


@pytest.fixture(scope="module")
def survey_frames(golden_wide, nomad) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The golden fixture as the store gives it: waves T0 and T1, and its long table."""
    wide = golden_wide.assign(wave=golden_wide["wave"].map({"w1": "T0", "w2": "T1"}))
    columns = {nomad.column(i.id): i.id for i in nomad.items}
    long = wide.melt(id_vars=["respondent_id", "wave"], value_vars=list(columns), var_name="item")
    long["item"] = long["item"].map(columns)
    long["status"] = np.where(long["value"].notna(), "answered", "missing")
    long["not_applicable"] = None
    return wide, long


def test_survey_plan_gives_every_table_on_the_contract(survey_frames, nomad):
    wide, long = survey_frames
    before = wide.copy(), long.copy()
    tables = analyse_survey(wide, long, spec=nomad, project=load_project(REPORT_PROJECT))
    assert tuple(tables) == tables_of("survey")
    for name, frame in tables.items():
        checked = check_table(name, frame)
        assert tuple(frame.columns) == tuple(checked.columns), name
        assert not frame.empty, name
    pd.testing.assert_frame_equal(wide, before[0])
    pd.testing.assert_frame_equal(long, before[1])
    rates = tables["response_rates"]
    assert rates["invited"].tolist() == [262, 241] and set(rates["staff_group"]) == {"all"}
    assert set(tables["reliability"]["measure"]) == {"cronbach_alpha", "omega_total"}
    profile = tables["normalisation_profile"]
    assert profile["scale"].notna().sum() == 2 * 4 and profile["item"].notna().sum() == 2 * 3


@pytest.mark.parametrize("plan", ["indicators", "codings"])
def test_a_kind_without_data_gives_its_empty_tables(plan):
    project = load_project(EXAMPLE)
    if plan == "indicators":
        tables = analyse_indicators(None, None, project=project)
    else:
        tables = analyse_codings(None, None, project=project)
    assert set(tables) == set(tables_of(plan))
    declared = {"goals", "logic"}  # project.yaml's goals and logic are rows without any data
    for name, frame in tables.items():
        assert frame.empty != (name in declared), name
        assert tuple(check_table(name, frame).columns) == tuple(frame.columns)


def test_goals_without_data_are_not_measured_or_manual():
    goals = analyse_indicators(None, None, project=load_project(EXAMPLE))["goals"]
    assert set(goals["status_source"]) <= {"none", "manual"}
    assert (goals.loc[goals["status_source"] == "none", "status"] == "not_measured").all()


def test_omega_on_a_singular_matrix_is_computed_quietly_with_a_note(nomad, make_wide):
    answers = [
        {
            "ca1": 1 + i % 5,
            "ca2": 1 + (i * 2) % 5,
            "ca3": 1 + (i * 3) % 5,
            "ca4": 5 - i % 5,
            "ca5": 1 + (i + 1) % 5,
            "ca6": 2,
            "ca7": 1 + i % 3,
        }
        for i in range(5)
    ]
    answers[0]["ca6"] = 3  # not constant
    items = make_wide(nomad, answers)[[nomad.column(f"ca{i}") for i in range(1, 8)]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        negative = mcdonald_omega(items)  # ca4 runs against ca1: omega total -0.26
        for answer in answers:
            answer["ca4"] = 6 - answer["ca4"]  # reversed, as its key would
        result = mcdonald_omega(make_wide(nomad, answers)[list(items.columns)])
    assert result.n == 5 and result.k_items == 7
    assert 0 <= result.estimate <= 1 and result.note == SINGULAR
    assert np.isnan(negative.estimate) and negative.note == OUT_OF_RANGE


def test_a_coefficient_that_cannot_be_computed_says_why(nomad, make_wide):
    two = mcdonald_omega(pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 1, 3]}))
    assert np.isnan(two.estimate) and two.note == TOO_FEW_ITEMS
    wide = make_wide(nomad, [{"co1": 3.0, "co2": 3.0, "co3": 3.0, "co4": 3.0}] * 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = reliability_by_scale(wide, nomad, omega=True)
    coherence = out[out["scale"] == "coherence"].set_index("measure")
    assert coherence["estimate"].isna().all()
    assert coherence.at["cronbach_alpha", "note"] == "the item sum has zero variance"
    assert coherence.at["omega_total", "note"].startswith("an item is constant")
    empty = out[out["scale"] == "cognitive_participation"].set_index("measure")
    assert empty.at["cronbach_alpha", "note"] == "fewer than 2 complete cases"


def test_standard_errors_agree_with_their_statistics():
    x = np.array([3.0, 2.5, 4.0, 3.5, 2.0, 4.5])
    y = np.array([3.5, 3.0, 4.0, 4.5, 2.5, 4.0])
    t, w = paired_tests(x, y)
    assert t["estimate"] / t["std_error"] == pytest.approx(t["statistic"], rel=1e-12)
    assert t["std_error"] == pytest.approx(np.std(y - x, ddof=1) / np.sqrt(6), rel=1e-12)
    assert np.isnan(w["std_error"])
    welch, mw = unpaired_tests(x, y[:4])
    assert welch["estimate"] / welch["std_error"] == pytest.approx(welch["statistic"], rel=1e-12)
    assert np.isnan(mw["std_error"])


def test_starting_communalities_of_a_singular_matrix_raise_no_warning():
    """The demo's ω once warned "divide by zero" here: an inverse with a zero on its diagonal."""
    from analysis.omega import _starting_communalities

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h2 = _starting_communalities(np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert h2.tolist() == [0.005, 0.005]
