"""Golden tests against R, on the synthetic fixture ``tests/data/analysis/nomad_wide.csv``.

The expected numbers are CSV files in ``tests/analysis/r/``, written by the R scripts beside them
(R 4.2.2 Patched (2022-11-10 r83330), psych 2.2.9); each file's header names the command that
produced it. R is not needed to run these tests. To re-run R, see ``tests/analysis/r/README.md``:

    Rscript tests/analysis/r/alpha_golden.R       # → alpha_golden.csv (psych::alpha, alpha.ci)
    Rscript tests/analysis/r/summaries_golden.R   # → scores_golden.csv, score_summaries_golden.csv,
                                                  #   item_summaries_golden.csv (base R)

Tolerances: alpha 1e-8 and its Feldt CI 1e-6 (absolute; the F quantiles come from different
libraries); scores, means, SDs, quantiles and t intervals 1e-10 (absolute, values of order 1–10).
R wrote 17 significant digits, so the observed differences are far smaller (about 1e-15).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.reliability import cronbach_alpha, reliability_by_scale
from analysis.scoring import reverse_items, score_scales
from analysis.summaries import summarise_items, summarise_scores

ALPHA_TOL = 1e-8
CI_TOL = 1e-6
DESCRIPTIVE_TOL = 1e-10
STATS = ["mean", "sd", "median", "q1", "q3", "ci_low", "ci_high"]


@pytest.fixture(scope="module")
def alpha_expected(read_golden):
    return read_golden("alpha_golden.csv")


@pytest.mark.parametrize("confidence", [0.95, 0.90])
def test_reliability_by_scale_matches_psych(golden_wide, nomad, alpha_expected, confidence):
    expected = alpha_expected[
        (alpha_expected["confidence"] == confidence) & (alpha_expected["wave"] != "all")
    ]
    ours = reliability_by_scale(golden_wide, nomad, confidence=confidence)
    merged = ours.merge(expected, on=["wave", "scale"], suffixes=("", "_r"), validate="1:1")
    assert len(merged) == len(ours) == len(expected) == 8
    assert (merged["n"] == merged["n_r"]).all()
    assert (merged["k_items"] == merged["k_items_r"]).all()
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=0, atol=ALPHA_TOL)
    np.testing.assert_allclose(merged["ci_low"], merged["ci_low_r"], rtol=0, atol=CI_TOL)
    np.testing.assert_allclose(merged["ci_high"], merged["ci_high_r"], rtol=0, atol=CI_TOL)


def test_cronbach_alpha_pooled_matches_psych(golden_wide, nomad, alpha_expected):
    reversed_wide = reverse_items(golden_wide, nomad)
    pooled = alpha_expected[alpha_expected["wave"] == "all"]
    assert len(pooled) == 8
    for row in pooled.itertuples():
        items = reversed_wide[[nomad.column(i) for i in nomad.scale(row.scale).items]]
        res = cronbach_alpha(items, confidence=row.confidence)
        assert (res.n, res.k_items) == (row.n, row.k_items)
        assert res.estimate == pytest.approx(row.estimate, abs=ALPHA_TOL)
        assert res.ci_low == pytest.approx(row.ci_low, abs=CI_TOL)
        assert res.ci_high == pytest.approx(row.ci_high, abs=CI_TOL)


def test_score_scales_matches_r(golden_wide, nomad, read_golden):
    expected = read_golden("scores_golden.csv")
    ours = score_scales(golden_wide, nomad)
    keys = ["respondent_id", "wave", "scale"]
    merged = ours.merge(expected, on=keys, suffixes=("", "_r"), validate="1:1")
    assert len(merged) == len(ours) == len(expected) == 480
    assert (merged["n_answered"] == merged["n_answered_r"]).all()
    assert (merged["score"].isna() == merged["score_r"].isna()).all()
    assert merged["score"].isna().sum() > 0  # the fixture exercises min_answered
    np.testing.assert_allclose(merged["score"], merged["score_r"], rtol=0, atol=DESCRIPTIVE_TOL)


def test_summarise_scores_matches_r(golden_wide, nomad, read_golden):
    expected = read_golden("score_summaries_golden.csv")
    scores = score_scales(golden_wide, nomad)
    ours = pd.concat(
        [summarise_scores(scores, by=by) for by in ((), ("staff_group",), ("organisation",))],
        ignore_index=True,
    )
    keys = ["wave", "scale", "group_by", "group"]
    ours["group"] = ours["group"].fillna("<missing>")
    expected["group"] = expected["group"].fillna("<missing>")
    merged = ours.merge(expected, on=keys, suffixes=("", "_r"), validate="1:1")
    assert len(merged) == len(ours) == len(expected) == 64
    assert (merged["group"] == "<missing>").sum() == 8  # missing staff group is its own row
    assert (merged["n"] == merged["n_r"]).all()
    for stat in STATS:
        np.testing.assert_allclose(
            merged[stat], merged[f"{stat}_r"], rtol=0, atol=DESCRIPTIVE_TOL, err_msg=stat
        )


def test_summarise_items_matches_r(golden_wide, nomad, read_golden):
    expected = read_golden("item_summaries_golden.csv")
    ours = summarise_items(golden_wide, nomad)
    merged = ours.merge(expected, on=["wave", "item"], suffixes=("", "_r"), validate="1:1")
    assert len(merged) == len(ours) == len(expected) == 6
    assert (merged["n"] == merged["n_r"]).all()
    for stat in STATS:
        np.testing.assert_allclose(
            merged[stat], merged[f"{stat}_r"], rtol=0, atol=DESCRIPTIVE_TOL, err_msg=stat
        )
