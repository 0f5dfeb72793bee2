"""Unit tests of :mod:`analysis.wave_comparison`, :mod:`analysis.response_rates` and
:mod:`analysis.normalisation_profile` (golden numbers against R are in
``test_wave_comparison_golden.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.normalisation_profile import normalisation_profile, traffic_light
from analysis.response_rates import response_rates
from analysis.scoring import score_scales
from analysis.summaries import summarise_scores
from analysis.two_sample import paired_tests
from analysis.wave_comparison import WAVE_COMPARISON_COLUMNS, compare_waves


def test_columns_rows_and_no_mutation(golden_wide, nomad):
    scores = score_scales(golden_wide, nomad)
    before = scores.copy()
    out = compare_waves(scores, waves=["w1", "w2"])
    pd.testing.assert_frame_equal(scores, before)
    assert tuple(out.columns) == WAVE_COMPARISON_COLUMNS
    assert len(out) == 4 * 5
    assert set(out["sample"]) == {"linked", "unlinked", "all"}
    assert (out["contrast"] == "w2 - w1").all()
    shuffled = compare_waves(scores.sample(frac=1, random_state=1), waves=["w1", "w2"])
    pd.testing.assert_frame_equal(out, shuffled, check_exact=False, rtol=1e-6, atol=1e-6)


def test_a_single_wave_gives_no_rows(golden_wide, nomad):
    scores = score_scales(golden_wide[golden_wide["wave"] == "w1"], nomad)
    assert compare_waves(scores, waves=["w1", "w2"]).empty


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=3, max_size=30), st.integers(-2, 2))
def test_paired_shift_is_recovered(values, shift):
    x = np.array(values, dtype="float64")
    t_row, w_row = paired_tests(x, x + shift)
    assert t_row["estimate"] == shift
    if shift == 0:
        assert np.isnan(w_row["statistic"])


def test_response_rates_flags_and_counts():
    resp = pd.DataFrame({"wave": ["T0"] * 4, "organisation": ["a"] * 4, "staff_group": ["n"] * 4})
    inv = pd.DataFrame(
        {
            "wave": ["T0", "T1"],
            "organisation": ["all", "all"],
            "staff_group": ["all", "all"],
            "invited": [10, 5],
        }
    )
    out = response_rates(resp, inv, instrument="x", threshold=0.5)
    assert out["responded"].tolist() == [4, 0]
    assert out["below_threshold"].tolist() == [True, True]


def test_traffic_light_thresholds_and_profile(golden_wide, nomad):
    assert traffic_light(7.5, low=0, high=10) == "green"
    assert traffic_light(4.99, low=0, high=10) == "red"
    summaries = summarise_scores(score_scales(golden_wide, nomad))
    profile = normalisation_profile(summaries, None, nomad, green=0.8, yellow=0.4)
    assert len(profile) == 8
    assert (profile["green_from"] == 1 + 0.8 * 4).all()
    assert set(profile["light"]) <= {"green", "yellow", "red"}


def test_extended_model_pools_small_staff_groups_and_needs_enough_units():
    from analysis.mixed_model import POOLED_GROUP, extended_model_terms

    rows = [
        {"respondent_id": f"{g}{i}", "staff_group": g, "organisation": f"o{i % k}"}
        for k, (n, g) in [(6, (40, "nurse")), (6, (3, "physician")), (6, (2, "other"))]
        for i in range(n)
    ]
    pair = pd.DataFrame(rows).drop_duplicates("respondent_id")
    pair = pd.concat([pair, pair.head(1).assign(staff_group=None)], ignore_index=True)
    data, covariates, unit = extended_model_terms(
        pair, group_column="staff_group", unit_column="organisation", min_cell_size=5
    )
    assert covariates == ("staff_group",)
    assert set(data["staff_group"].dropna()) == {"nurse", POOLED_GROUP}
    assert data["staff_group"].isna().sum() == 1  # missing stays missing (dropped by the model)
    assert unit == "organisation"  # 6 organisations of >= 5 respondents
    _, covariates, unit = extended_model_terms(
        pair, group_column="staff_group", unit_column="organisation", min_cell_size=50
    )
    assert covariates == () and unit == "organisation"  # everything pooled: one level
    _, _, unit = extended_model_terms(
        pair, group_column=None, unit_column="organisation", min_cell_size=5, min_units=7
    )
    assert unit is None
