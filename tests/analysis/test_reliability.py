"""Unit tests for analysis.reliability; the R golden numbers are in test_r_golden.py."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from analysis.reliability import (
    RELIABILITY_COLUMNS,
    AlphaResult,
    cronbach_alpha,
    reliability_by_scale,
)
from analysis.scoring import reverse_items

NAN = math.nan
EXAMPLE = pd.DataFrame(
    {"a": [1, 2, 3, 4, 5, 3, 2, 4], "b": [2, 2, 3, 5, 4, 3, 1, 4], "c": [1, 3, 3, 4, 5, 2, 2, 5]}
)


def test_cronbach_alpha_small_example_matches_r():
    # R 4.2.2, psych 2.2.9: alpha(d)$total$raw_alpha; alpha.ci(a, n.obs = 8, n.var = 3)
    res = cronbach_alpha(EXAMPLE)
    assert res.estimate == pytest.approx(0.93317132442284334, abs=1e-12)
    assert res.ci_low == pytest.approx(0.77412356224676671, abs=1e-10)
    assert res.ci_high == pytest.approx(0.98545968177982124, abs=1e-10)
    assert (res.n, res.k_items) == (8, 3)
    assert res.method == "Cronbach's alpha, listwise; 95% CI Feldt (F distribution)"


def test_cronbach_alpha_is_listwise():
    with_gaps = EXAMPLE.astype("float64")
    with_gaps.loc[len(with_gaps)] = [NAN, 1.0, 5.0]
    with_gaps.loc[len(with_gaps)] = [2.0, NAN, NAN]
    assert cronbach_alpha(with_gaps) == cronbach_alpha(EXAMPLE)


def test_cronbach_alpha_textbook_formula():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, size=(40, 5)).astype(float)
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(pd.DataFrame(x)).estimate == pytest.approx(expected, abs=1e-12)


def test_cronbach_alpha_confidence_widens_interval():
    narrow = cronbach_alpha(EXAMPLE, confidence=0.8)
    wide = cronbach_alpha(EXAMPLE, confidence=0.99)
    assert wide.ci_low < narrow.ci_low < narrow.estimate < narrow.ci_high < wide.ci_high
    assert narrow.method.endswith("80% CI Feldt (F distribution)")


def test_cronbach_alpha_identical_items_is_one():
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]})
    res = cronbach_alpha(items)
    assert (res.estimate, res.ci_low, res.ci_high) == (1.0, 1.0, 1.0)


def test_cronbach_alpha_zero_variance_is_nan():
    res = cronbach_alpha(pd.DataFrame({"a": [3, 3, 3], "b": [4, 4, 4]}))
    assert math.isnan(res.estimate) and math.isnan(res.ci_low) and math.isnan(res.ci_high)
    assert (res.n, res.k_items) == (3, 2)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), "at least 2 items; found 1"),
        (pd.DataFrame({"a": [1.0, NAN, 2.0], "b": [1.0, 2.0, NAN]}), "2 complete cases; found 1"),
        (pd.DataFrame({"a": [1.0], "b": [2.0]}), "2 complete cases; found 1"),
    ],
)
def test_cronbach_alpha_refuses_too_little_data(items, message):
    with pytest.raises(ValueError, match=message):
        cronbach_alpha(items)


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1])
def test_cronbach_alpha_refuses_bad_confidence(confidence):
    with pytest.raises(ValueError, match="confidence"):
        cronbach_alpha(EXAMPLE, confidence=confidence)


def test_alpha_result_is_frozen():
    res = cronbach_alpha(EXAMPLE)
    assert isinstance(res, AlphaResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = 0.0  # type: ignore[misc]


def test_reliability_by_scale_columns_and_order(golden_wide, nomad):
    out = reliability_by_scale(golden_wide, nomad)
    assert tuple(out.columns) == RELIABILITY_COLUMNS
    assert out["wave"].tolist() == ["w1"] * 4 + ["w2"] * 4
    assert out["scale"].tolist() == [s.id for s in nomad.scales] * 2
    assert out["k_items"].tolist() == [4, 4, 7, 5] * 2
    assert (out["method"] == "Cronbach's alpha, listwise; 95% CI Feldt (F distribution)").all()
    assert out["n"].dtype == "int64" and out["estimate"].dtype == "float64"


def test_reliability_by_scale_reverses_before_alpha(golden_wide, nomad):
    w1 = golden_wide[golden_wide["wave"] == "w1"]
    items = reverse_items(w1, nomad)[
        [nomad.column(i) for i in nomad.scale("collective_action").items]
    ]
    out = reliability_by_scale(golden_wide, nomad).query("wave == 'w1'")
    row = out[out["scale"] == "collective_action"].iloc[0]
    assert row["estimate"] == cronbach_alpha(items).estimate
    unreversed = cronbach_alpha(w1[items.columns]).estimate
    assert unreversed < row["estimate"]


def test_reliability_by_scale_too_few_complete_cases_gives_nan(nomad, make_wide):
    answers = [{"co1": 1, "co2": 2, "co3": 3, "co4": 4}, {"co1": 2, "co2": 2, "co3": 3}]
    out = reliability_by_scale(make_wide(nomad, answers), nomad)
    coherence = out[out["scale"] == "coherence"].iloc[0]
    assert coherence["n"] == 1
    assert math.isnan(coherence["estimate"]) and math.isnan(coherence["ci_low"])
    assert out.loc[out["scale"] == "collective_action", "n"].item() == 0


def test_reliability_by_scale_with_a_group(golden_wide, nomad):
    out = reliability_by_scale(golden_wide, nomad, by=("wave", "organisation"))
    assert list(out.columns[:5]) == ["instrument", "wave", "group_by", "group", "scale"]
    assert (out["group_by"] == "organisation").all()
    assert sorted(out["group"].unique()) == ["org_a", "org_b"]
    overall = reliability_by_scale(golden_wide, nomad)
    totals = out.groupby(["wave", "scale"])["n"].sum()
    assert totals.to_dict() == overall.set_index(["wave", "scale"])["n"].to_dict()


@pytest.mark.parametrize("by", [(), ("organisation",), ("wave", "unit", "staff_group")])
def test_reliability_by_scale_refuses_other_groupings(golden_wide, nomad, by):
    with pytest.raises(ValueError, match="by must be"):
        reliability_by_scale(golden_wide, nomad, by=by)


def test_reliability_by_scale_does_not_mutate_and_ignores_row_order(golden_wide, nomad):
    before = golden_wide.copy(deep=True)
    a = reliability_by_scale(golden_wide, nomad)
    pd.testing.assert_frame_equal(golden_wide, before)
    b = reliability_by_scale(golden_wide.sample(frac=1, random_state=7), nomad)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=0, atol=1e-12)
