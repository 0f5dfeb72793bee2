"""Unit and property tests for analysis.summaries; the R golden numbers are in test_r_golden.py."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.distributions import DISTRIBUTION_COLUMNS, item_distributions
from analysis.scoring import score_scales
from analysis.summaries import (
    ITEM_SUMMARY_COLUMNS,
    SCORE_SUMMARY_COLUMNS,
    summarise_items,
    summarise_scores,
)

NAN = math.nan
NR_KEYS = ["not_relevant_role", "not_relevant_stage", "not_relevant_intervention"]


def scores_frame(values, groups=None, *, wave="w1", scale="coherence"):
    frame = pd.DataFrame({"instrument": "nomad", "wave": wave, "scale": scale, "score": values})
    if groups is not None:
        frame["staff_group"] = groups
    return frame


def long_frame(rows):
    """rows: (respondent_id, wave, item, status, value, not_applicable)."""
    return pd.DataFrame(
        rows,
        columns=["respondent_id", "wave", "item", "status", "value", "not_applicable"],
    ).astype({"value": "float64"})


# -- summarise_scores ---------------------------------------------------------------------------


def test_summarise_scores_overall_row():
    out = summarise_scores(scores_frame([1.0, 2.0, 3.0, 4.0, NAN]))
    assert tuple(out.columns) == SCORE_SUMMARY_COLUMNS
    row = out.iloc[0]
    assert (row["group_by"], row["group"], row["n"]) == ("all", "all", 4)
    assert row["mean"] == 2.5
    assert row["sd"] == pytest.approx(math.sqrt(5 / 3), abs=1e-15)  # ddof = 1
    assert (row["q1"], row["median"], row["q3"]) == (1.75, 2.5, 3.25)  # type 7
    assert out["n"].dtype == "int64"


def test_summarise_scores_by_group_keeps_missing_group_last():
    out = summarise_scores(
        scores_frame([1.0, 2.0, 3.0, 4.0, 5.0], ["nurse", "nurse", None, "aide", "aide"]),
        by=("staff_group",),
    )
    assert (out["group_by"] == "staff_group").all()
    assert out["group"].tolist()[:2] == ["aide", "nurse"]
    assert pd.isna(out["group"].iloc[2])
    assert out["n"].tolist() == [2, 2, 1]
    assert out["n"].sum() == summarise_scores(scores_frame([1.0, 2, 3, 4, 5]))["n"].item()


def test_summarise_scores_small_groups():
    out = summarise_scores(
        scores_frame([NAN, NAN, 4.0, 3.0, 3.0], ["a", "a", "b", "c", "c"]), by=["staff_group"]
    )
    empty, single, constant = (out.iloc[i] for i in range(3))
    assert empty["n"] == 0 and out.iloc[0][["mean", "sd", "median", "ci_low"]].isna().all()
    assert single["n"] == 1 and single["mean"] == 4.0 and single["median"] == 4.0
    assert math.isnan(single["sd"]) and math.isnan(single["ci_low"])
    assert constant["sd"] == 0.0 and constant["ci_low"] == constant["ci_high"] == 3.0


def test_summarise_scores_refuses_two_columns_and_missing_columns():
    frame = scores_frame([1.0, 2.0], ["a", "b"])
    with pytest.raises(ValueError, match="at most one column"):
        summarise_scores(frame, by=("staff_group", "wave"))
    with pytest.raises(ValueError, match="missing columns organisation"):
        summarise_scores(frame, by=("organisation",))


def test_summarise_scores_sorted_and_independent_of_row_order(golden_wide, nomad):
    scores = score_scales(golden_wide, nomad)
    before = scores.copy(deep=True)
    a = summarise_scores(scores, by=("staff_group",))
    pd.testing.assert_frame_equal(scores, before)
    b = summarise_scores(scores.sample(frac=1, random_state=5), by=("staff_group",))
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=0, atol=1e-12)
    keys = a[["instrument", "wave", "scale"]].apply(tuple, axis=1).tolist()
    assert keys == sorted(keys)


def test_summarise_scores_confidence_level():
    frame = scores_frame([1.0, 2.0, 3.0, 4.0, 8.0])
    at_90 = summarise_scores(frame, confidence=0.9).iloc[0]
    at_99 = summarise_scores(frame, confidence=0.99).iloc[0]
    assert at_99["ci_low"] < at_90["ci_low"] < at_90["mean"] < at_90["ci_high"] < at_99["ci_high"]


# -- summarise_items ----------------------------------------------------------------------------


def test_summarise_items_numeric_items_only(nomad, make_wide):
    wide = make_wide(
        nomad,
        [{"g1": 0, "co1": 5}, {"g1": 10, "g2": 4}, {"g1": 5}],
        waves=["w2", "w1", "w1"],
    )
    out = summarise_items(wide, nomad)
    assert tuple(out.columns) == ITEM_SUMMARY_COLUMNS
    assert out["item"].tolist() == ["g1", "g2", "g3"] * 2
    assert out["wave"].tolist() == ["w1"] * 3 + ["w2"] * 3
    assert out["n"].tolist() == [2, 1, 0, 1, 0, 0]
    assert out["mean"].iloc[0] == 7.5


def test_summarise_items_ordinal_items_are_not_reversed(nomad, make_wide):
    wide = make_wide(nomad, [{"ca2": 1}, {"ca2": 2}])
    out = summarise_items(wide, nomad, response_type="ordinal")
    assert len(out) == 20
    assert out.loc[out["item"] == "ca2", "mean"].item() == 1.5


def test_summarise_items_refuses_unknown_type(nomad, make_wide):
    with pytest.raises(ValueError, match="response_type"):
        summarise_items(make_wide(nomad, [{}]), nomad, response_type="text")  # type: ignore[arg-type]


# -- item_distributions -------------------------------------------------------------------------


def test_item_distributions_categories_and_shares(nomad):
    long = long_frame(
        [
            ("r1", "w1", "co1", "answered", 4.0, None),
            ("r2", "w1", "co1", "answered", 4.0, None),
            ("r3", "w1", "co1", "not_applicable", NAN, "not_relevant_stage"),
            ("r4", "w1", "co1", "missing", NAN, None),
            ("r5", "w1", "co1", "declared_missing", NAN, None),
            ("r1", "w1", "g1", "answered", 7.0, None),
        ]
    )
    out = item_distributions(long, nomad)
    assert tuple(out.columns) == DISTRIBUTION_COLUMNS
    assert out["item"].unique().tolist() == [i.id for i in nomad.items if not i.id.startswith("g")]
    co1 = out[out["item"] == "co1"]
    kinds = ["scored"] * 5 + ["not_applicable"] * 3 + ["declared_missing", "missing"]
    assert co1["response"].tolist() == ["1", "2", "3", "4", "5", *NR_KEYS, *kinds[-2:]]
    assert co1["response_kind"].tolist() == kinds
    assert co1["n"].tolist() == [0, 0, 0, 2, 0, 0, 1, 0, 1, 1]
    assert co1["share"].tolist() == [0, 0, 0, 0.4, 0, 0, 0.2, 0, 0.2, 0.2]
    assert co1["share_of_scored"].iloc[:5].tolist() == [0, 0, 0, 1, 0]
    assert co1["share_of_scored"].iloc[5:].isna().all()
    # Items without rows: all five respondents count as missing; no scored answers → NaN shares.
    co2 = out[out["item"] == "co2"]
    assert co2["n"].tolist() == [0] * 9 + [5]
    assert co2["share_of_scored"].isna().all()
    assert out["n"].dtype == "int64"


def test_item_distributions_codes_are_as_answered(nomad):
    long = long_frame([("r1", "w1", "ca2", "answered", 1.0, None)])
    out = item_distributions(long, nomad)
    ca2 = out[(out["item"] == "ca2") & (out["n"] > 0)]
    assert ca2["response"].tolist() == ["1"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("r1", "w1", "xx9", "answered", 1.0, None), "items not in the spec: xx9"),
        (("r1", "w1", "co1", "skipped", NAN, None), "unknown status skipped"),
        (("r1", "w1", "co1", "answered", 9.0, None), "item co1 has 1 answered rows"),
        (("r1", "w1", "co1", "not_applicable", NAN, "dont_know"), "keys dont_know"),
    ],
)
def test_item_distributions_refuses_bad_rows(nomad, row, message):
    with pytest.raises(ValueError, match=message):
        item_distributions(long_frame([row]), nomad)


def test_item_distributions_refuses_duplicates(nomad):
    row = ("r1", "w1", "co1", "answered", 1.0, None)
    with pytest.raises(ValueError, match="duplicate"):
        item_distributions(long_frame([row, row]), nomad)


@st.composite
def long_from_spec(draw, spec):
    """A complete long table drawn from the spec: every respondent × wave × item has a row."""
    rows = []
    n = draw(st.integers(1, 6))
    for wave in draw(st.lists(st.sampled_from(["w1", "w2", "w3"]), min_size=1, unique=True)):
        for r in range(n):
            for item in spec.items:
                rs = spec.response_set_of(item.id)
                if rs.type == "numeric":
                    rows.append((f"r{r}", wave, item.id, "answered", 5.0, None))
                    continue
                kind = draw(st.sampled_from(["answered", "not_applicable", "missing"]))
                if kind == "answered":
                    value = float(draw(st.sampled_from(rs.codes)))
                    rows.append((f"r{r}", wave, item.id, kind, value, None))
                elif kind == "not_applicable":
                    key = draw(st.sampled_from([o.key for o in rs.not_applicable]))
                    rows.append((f"r{r}", wave, item.id, kind, NAN, key))
                else:
                    rows.append((f"r{r}", wave, item.id, kind, NAN, None))
    return long_frame(rows)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_item_distribution_shares_add_up(nomad, data):
    long = data.draw(long_from_spec(nomad))
    before = long.copy(deep=True)
    out = item_distributions(long, nomad)
    pd.testing.assert_frame_equal(long, before)
    by_item = out.groupby(["wave", "item"])
    assert (by_item["share"].sum() - 1).abs().max() < 1e-12
    respondents = long.groupby("wave")["respondent_id"].nunique()
    totals_n = by_item["n"].sum().reset_index("item", drop=True)
    assert (totals_n == respondents.reindex(totals_n.index)).all()
    scored = out[out["response_kind"] == "scored"].groupby(["wave", "item"])
    totals = scored["share_of_scored"].sum(min_count=1).dropna()
    assert ((totals - 1).abs() < 1e-12).all()
    # Row order of the long table changes nothing.
    shuffled = item_distributions(long.sample(frac=1, random_state=0), nomad)
    pd.testing.assert_frame_equal(out, shuffled)
