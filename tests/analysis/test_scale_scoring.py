"""Unit and property tests for analysis.scoring (reverse_items, score_scales)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.scoring import SCORE_COLUMNS, reverse_items, score_scales
from instruments.spec import InstrumentSpec

NAN = math.nan
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def answers_from_spec(spec: InstrumentSpec, *, max_rows: int = 12) -> st.SearchStrategy:
    """Rows of answers drawn from the spec: each item a code of its response set, or NaN."""

    def item_value(item_id: str) -> st.SearchStrategy[float]:
        rs = spec.response_set_of(item_id)
        if rs.type == "ordinal":
            scored = st.sampled_from([float(c) for c in rs.codes])
        else:
            scored = st.integers(int(rs.low), int(rs.high)).map(float)
        return st.one_of(st.just(NAN), scored)

    row = st.fixed_dictionaries({i.id: item_value(i.id) for i in spec.items})
    return st.lists(row, min_size=1, max_size=max_rows)


# -- reverse_items ------------------------------------------------------------------------------


def test_reverse_items_maps_low_high_and_keeps_nan(nomad, make_wide):
    wide = make_wide(nomad, [{"ca2": c, "ca1": c} for c in (1, 2, 3, 4, 5)] + [{}])
    out = reverse_items(wide, nomad)
    assert out["nomad_ca2"].tolist()[:5] == [5.0, 4.0, 3.0, 2.0, 1.0]
    assert math.isnan(out["nomad_ca2"].iloc[5])
    pd.testing.assert_frame_equal(out.drop(columns="nomad_ca2"), wide.drop(columns="nomad_ca2"))


def test_reverse_items_uses_the_items_own_response_set(toy, make_wide):
    wide = make_wide(toy, [{"a2": 0}, {"a2": 1}, {"a2": 3}])
    assert reverse_items(wide, toy)["toy_a2"].tolist() == [3.0, 2.0, 0.0]


@PROPERTY
@given(data=st.data())
def test_reversing_twice_is_identity(nomad, make_wide, data):
    wide = make_wide(nomad, data.draw(answers_from_spec(nomad)))
    pd.testing.assert_frame_equal(reverse_items(reverse_items(wide, nomad), nomad), wide)


def test_reverse_items_rejects_out_of_set_codes(nomad, make_wide):
    wide = make_wide(nomad, [{"ca2": 6}])
    with pytest.raises(ValueError, match=r"nomad_ca2 has 1 values outside"):
        reverse_items(wide, nomad)


# -- score_scales -------------------------------------------------------------------------------


def test_score_scales_columns_and_dtypes(nomad, make_wide):
    out = score_scales(make_wide(nomad, [{"co1": 3}]), nomad)
    assert tuple(out.columns) == SCORE_COLUMNS
    assert out["scale"].tolist() == [s.id for s in nomad.scales]
    assert (out["instrument"] == "nomad").all()
    assert out["n_items"].tolist() == [4, 4, 7, 5]
    assert out["n_items"].dtype == "int64"
    assert out["n_answered"].dtype == "int64"
    assert out["score"].dtype == "float64"


@pytest.mark.parametrize(
    ("scale_id", "required"),
    [
        ("coherence", 3),
        ("cognitive_participation", 3),
        ("collective_action", 5),
        ("reflexive_monitoring", 4),
    ],
)
def test_min_answered_boundary_is_inclusive(nomad, make_wide, scale_id, required):
    scale = nomad.scale(scale_id)
    assert scale.required_answers() == required
    # Answer the first `m` items with 4 for m = required - 1 and m = required.
    answers = [{i: 4.0 for i in scale.items[:m]} for m in (required - 1, required)]
    out = score_scales(make_wide(nomad, answers), nomad)
    out = out[out["scale"] == scale_id]
    assert out["n_answered"].tolist() == [required - 1, required]
    assert math.isnan(out["score"].iloc[0])
    # CA2 is among the first items of collective_action: 4 reversed is 2.
    expected = np.mean([6 - 4.0 if i == "ca2" else 4.0 for i in scale.items[:required]])
    assert out["score"].iloc[1] == pytest.approx(expected, abs=1e-12)


def test_unscored_items_never_count(nomad, make_wide):
    # NaN stands for both a blank and a "not relevant" answer in the wide table.
    wide = make_wide(nomad, [{"co1": 5, "co2": NAN, "co3": 1, "co4": 3}, {}])
    out = score_scales(wide, nomad).query("scale == 'coherence'")
    assert out["n_answered"].tolist() == [3, 0]
    assert out["score"].iloc[0] == pytest.approx(3.0, abs=1e-12)
    assert math.isnan(out["score"].iloc[1])


def test_reverse_keyed_item_is_reversed_in_the_score(nomad, make_wide):
    answers = [{"ca1": 5, "ca2": 1, "ca3": 5, "ca4": 5, "ca5": 5, "ca6": 5, "ca7": 5}]
    out = score_scales(make_wide(nomad, answers), nomad).query("scale == 'collective_action'")
    assert out["score"].iloc[0] == 5.0


def test_sum_method_needs_every_item(toy, make_wide):
    wide = make_wide(toy, [{"a1": 3, "a2": 0, "a3": 2}, {"a1": 3, "a2": 0}, {"a1": 1, "a2": 2}])
    out = score_scales(wide, toy)
    total = out[out["scale"] == "total"]
    # a2 reversed on 0–3: 0 → 3, 2 → 1.
    assert total["score"].iloc[0] == 3 + 3 + 2
    assert total["score"].isna().tolist() == [False, True, True]
    mean_two = out[out["scale"] == "mean_two"]
    assert mean_two["score"].tolist() == pytest.approx([8 / 3, 3.0, 1.0], abs=1e-12)


def test_key_columns_are_carried_and_missing_staff_group_kept(nomad, make_wide):
    wide = make_wide(nomad, [{"co1": 1}, {"co1": 2}], staff_groups=["nurse", None])
    out = score_scales(wide, nomad)
    first = out[out["scale"] == "coherence"]
    assert first["respondent_id"].tolist() == wide["respondent_id"].tolist()
    assert first["staff_group"].iloc[0] == "nurse"
    assert pd.isna(first["staff_group"].iloc[1])


def test_inputs_are_not_mutated(nomad, make_wide):
    wide = make_wide(nomad, [{"ca2": 1, "co1": 2}, {"ca2": 5}])
    wide.index = [10, 20]
    before = wide.copy(deep=True)
    reverse_items(wide, nomad)
    score_scales(wide, nomad)
    pd.testing.assert_frame_equal(wide, before)


def test_row_order_does_not_change_scores(golden_wide, nomad):
    keys = ["respondent_id", "wave", "scale"]
    shuffled = golden_wide.sample(frac=1, random_state=3)
    a = score_scales(golden_wide, nomad).sort_values(keys, ignore_index=True)
    b = score_scales(shuffled, nomad).sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(a, b)


def test_missing_columns_and_bad_codes_raise(nomad, make_wide):
    wide = make_wide(nomad, [{"co1": 3}])
    with pytest.raises(ValueError, match="missing columns nomad_co2"):
        score_scales(wide.drop(columns="nomad_co2"), nomad)
    with pytest.raises(ValueError, match="missing columns staff_group"):
        score_scales(wide.drop(columns="staff_group"), nomad)
    wide.loc[0, "nomad_co1"] = 7.0  # e.g. a "not relevant" export code that slipped through
    with pytest.raises(ValueError, match="nomad_co1 has 1 values outside"):
        score_scales(wide, nomad)


@PROPERTY
@given(data=st.data())
def test_scores_stay_in_range_for_data_from_the_spec(nomad, toy, make_wide, data):
    for spec in (nomad, toy):
        wide = make_wide(spec, data.draw(answers_from_spec(spec)))
        out = score_scales(wide, spec)
        for scale in spec.scales:
            rs = spec.response_set_of(scale.items[0])
            part = out[out["scale"] == scale.id]
            k = len(scale.items)
            low, high = (k * rs.low, k * rs.high) if scale.method == "sum" else (rs.low, rs.high)
            scored = part["score"].dropna()
            assert ((scored >= low - 1e-12) & (scored <= high + 1e-12)).all()
            assert (part["n_answered"] <= k).all()
            assert (part["score"].isna() == (part["n_answered"] < scale.required_answers())).all()
