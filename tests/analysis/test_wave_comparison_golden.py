"""Golden tests of :mod:`analysis.wave_comparison` against R.

Expected numbers: ``tests/analysis/r/wave_comparison_golden.csv``, written by ``Rscript
tests/analysis/r/wave_comparison_golden.R`` (R 4.2.2 Patched (2022-11-10 r83330), lme4 1.1.31,
Matrix 1.5.3) from the R-computed scale scores ``tests/analysis/r/scores_golden.csv`` of the fixture
``tests/data/analysis/nomad_wide.csv`` (waves w1 → w2). R is not needed to run these tests.

R calls: ``t.test(w2, w1, paired = TRUE)``, ``wilcox.test(w2, w1, paired = TRUE, exact = FALSE)``,
``t.test(w2, w1, var.equal = FALSE)``, ``wilcox.test(w2, w1, exact = FALSE)`` and
``lmer(score ~ wave + (1 | respondent_id), REML = TRUE)``.

Tolerances (absolute): t tests and rank tests 1e-10 (the same closed forms); mixed model fixed
effects and their standard errors 1e-5, variance components 1e-3 (statsmodels ``MixedLM`` and lme4
optimise the REML criterion with different optimisers; two scales have a singular fit, respondent
variance 0, which both find).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.mixed_model import fit_wave_mixed_model
from analysis.scoring import score_scales
from analysis.wave_comparison import (
    MANN_WHITNEY,
    PAIRED_T,
    WELCH_T,
    WILCOXON,
    compare_waves,
)

TEST_TOL = 1e-10
FIXED_TOL = 1e-5
VARIANCE_TOL = 1e-3
METHODS = {
    "paired_t": PAIRED_T,
    "wilcoxon": WILCOXON,
    "welch_t": WELCH_T,
    "mann_whitney": MANN_WHITNEY,
}


@pytest.fixture(scope="module")
def expected(read_golden) -> pd.DataFrame:
    return read_golden("wave_comparison_golden.csv")


@pytest.fixture(scope="module")
def scores(golden_wide, nomad) -> pd.DataFrame:
    return score_scales(golden_wide, nomad)


@pytest.fixture(scope="module")
def ours(scores) -> pd.DataFrame:
    return compare_waves(scores, waves=["w1", "w2"])


def test_tests_match_r(ours, expected):
    checked = 0
    for row in expected[expected["method"] != "lmer"].itertuples(index=False):
        got = ours[(ours["scale"] == row.scale) & (ours["method"] == METHODS[row.method])]
        assert len(got) == 1
        assert got.iloc[0][row.term] == pytest.approx(row.value, abs=TEST_TOL, rel=0), (
            row.scale,
            row.method,
            row.term,
        )
        checked += 1
    assert checked == 4 * 18


def test_mixed_model_matches_lme4(scores, ours, expected):
    lmer = expected[expected["method"] == "lmer"].pivot(
        index="scale", columns="term", values="value"
    )
    assert len(lmer) == 4
    for scale, r in lmer.iterrows():
        data = scores[scores["scale"] == scale].dropna(subset=["score"])
        fit = fit_wave_mixed_model(data, baseline="w1")
        assert fit["converged"]
        assert fit["n"] == r["n"]
        assert fit["intercept"] == pytest.approx(r["intercept"], abs=FIXED_TOL)
        assert fit["estimate"] == pytest.approx(r["estimate"], abs=FIXED_TOL)
        assert fit["std_error"] == pytest.approx(r["std_error"], abs=FIXED_TOL)
        assert fit["variance_respondent"] == pytest.approx(
            r["variance_respondent"], abs=VARIANCE_TOL
        )
        assert fit["variance_residual"] == pytest.approx(r["variance_residual"], abs=VARIANCE_TOL)
        row = ours[(ours["scale"] == scale) & (ours["sample"] == "all")].iloc[0]
        assert row["estimate"] == pytest.approx(r["estimate"], abs=FIXED_TOL)
        assert row["formula"] == "score ~ wave + (1 | respondent_id)"
