"""Golden test of the extended mixed model of :mod:`analysis.wave_comparison` against lme4.

Expected numbers: ``tests/analysis/r/wave_comparison_units_golden.csv``, written with the input it
fitted (``wave_comparison_units_input.csv``) by ``Rscript
tests/analysis/r/wave_comparison_units_golden.R`` (R 4.2.2 Patched (2022-11-10 r83330), lme4
1.1.31, Matrix 1.5.3): ``lmer(score ~ wave + staff_group + (1 | organisation/respondent_id), REML =
TRUE)`` on the NoMAD scale scores of the fixture with six synthetic organisations nested by
pseudonym (each shifted by a fixed amount). R is not needed to run these tests.

Tolerances (absolute): fixed effects and their standard errors 1e-4, variance components 1e-2
(statsmodels ``MixedLM`` with a variance component, optimised by Powell/BFGS, against lme4's
bobyqa; two scales have a singular fit, respondent variance 0 in lme4, ~1e-9 here). Observed at
the time of writing: wave effect ≤ 3e-6, its SE ≤ 5e-7, intercept ≤ 1.2e-5, variances ≤ 2e-5.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.mixed_model import MIXED_MODEL_UNITS, fit_wave_mixed_model
from analysis.wave_comparison import ExtendedModel, compare_waves
from tests.analysis.conftest import R_DIR

FIXED_TOL = 1e-4
VARIANCE_TOL = 1e-2


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(
        R_DIR / "wave_comparison_units_input.csv", dtype={"staff_group": "str"}
    ).assign(instrument="nomad")


@pytest.fixture(scope="module")
def expected(read_golden) -> pd.DataFrame:
    return read_golden("wave_comparison_units_golden.csv").pivot(
        index="scale", columns="term", values="value"
    )


def test_nested_model_matches_lme4(data, expected):
    assert len(expected) == 4
    for scale, r in expected.iterrows():
        d = data[data["scale"] == scale]
        fit = fit_wave_mixed_model(
            d, baseline="w1", covariates=("staff_group",), unit="organisation"
        )
        assert fit["converged"], scale
        assert fit["n"] == r["n"] and fit["n_respondents"] == r["n_groups"]
        assert fit["n_organisations"] == r["n_units"]
        for term in ("intercept", "estimate", "std_error"):
            assert fit[term] == pytest.approx(r[term], abs=FIXED_TOL), (scale, term)
        for term in ("variance_respondent", "variance_organisation", "variance_residual"):
            assert fit[term] == pytest.approx(r[term], abs=VARIANCE_TOL), (scale, term)
        assert fit["formula"] == ("score ~ wave + staff_group + (1 | organisation/respondent_id)")


def test_compare_waves_adds_the_extended_row(data, expected):
    out = compare_waves(
        data,
        waves=["w1", "w2"],
        extended=ExtendedModel("staff_group", "organisation", min_cell_size=5),
    )
    mixed = out[out["sample"] == "all"]
    assert len(mixed) == 2 * 4  # the simple model is kept beside the extended one
    extended = mixed[mixed["method"].str.startswith(MIXED_MODEL_UNITS)].set_index("scale")
    assert len(extended) == 4
    for scale, r in expected.iterrows():
        assert extended.loc[scale, "estimate"] == pytest.approx(r["estimate"], abs=FIXED_TOL)
        assert extended.loc[scale, "variance_organisation"] == pytest.approx(
            r["variance_organisation"], abs=VARIANCE_TOL
        )
