"""Golden tests of :mod:`analysis.its` against R.

Expected numbers: ``tests/analysis/r/its_golden.csv``, written by ``Rscript
tests/analysis/r/its_golden.R`` (R 4.2.2 Patched (2022-11-10 r83330), MASS 7.3.58.2, sandwich 3.0.2,
lmtest 0.9.40) from ``tests/data/analysis/its_series.csv`` (written by
``tests/data/analysis/make_its_series.py``). R is not needed to run these tests.

R calls: ``lm`` + ``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)`` with t tests
on n − k df (as ``lmtest::coeftest``); ``glm(family = poisson / quasipoisson, offset =
log(denominator))``; ``MASS::glm.nb`` (offset as a formula term), each with Fourier or month terms.

Tolerance: 1e-6, relative to max(1, |value|), for coefficients, standard errors, p-values, theta,
dispersion and the linear combination ``level + h·slope`` with its delta-method SE.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.its import ITSModel, fit_its

HERE = Path(__file__).resolve().parent
SERIES = HERE.parent / "data" / "analysis" / "its_series.csv"
GOLDEN = HERE / "r" / "its_golden.csv"
TOL = 1e-6

CASES = {
    "pois_fourier": ("counts_monthly", "poisson", "2017-07-01", "month", "fourier", 2, None, 12),
    "qpois_fourier": ("counts_monthly", "quasipoisson", "2017-07-01", "month", "fourier", 2, None, 12),
    "nb_fourier": ("counts_monthly", "negbin", "2017-07-01", "month", "fourier", 2, None, 12),
    "pois_month": ("counts_monthly", "poisson", "2017-07-01", "month", "month", 2, None, 12),
    "nb_month": ("counts_monthly", "negbin", "2017-07-01", "month", "month", 2, None, 12),
    "gauss_fourier_lag3": ("gauss_monthly", "gaussian", "2018-02-01", "month", "fourier", 1, 3, 12),
    "gauss_none_lag2": ("gauss_monthly", "gaussian", "2018-02-01", "month", "none", 2, 2, 12),
    "gauss_month_lag4": ("gauss_monthly", "gaussian", "2018-02-01", "month", "month", 2, 4, 12),
    "pois_quarterly": ("counts_quarterly", "poisson", "2016-01-01", "quarter", "none", 1, None, 4),
    "qpois_quarterly_fourier": (
        "counts_quarterly", "quasipoisson", "2016-01-01", "quarter", "fourier", 1, None, 4,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    df = pd.read_csv(GOLDEN, comment="#", dtype=str)
    for col in ("estimate", "std_error", "p_value"):
        df[col] = pd.to_numeric(df[col].str.strip().replace("NA", None))
    return df


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return pd.read_csv(SERIES)


def _close(ours: float, theirs: float) -> None:
    assert abs(ours - theirs) <= TOL * max(1.0, abs(theirs)), (ours, theirs)


@pytest.mark.parametrize("case", sorted(CASES))
def test_its_matches_r(case, golden, series):
    name, family, intervention, freq, season, order, lag, h = CASES[case]
    data = series[series["series"] == name]
    has_den = data["denominator"].notna().all()
    fit = fit_its(
        data,
        intervention=intervention,
        model=ITSModel(
            family=family,
            frequency=freq,
            seasonality=season,
            fourier_order=order,
            hac_lags=lag,
            effect_times=(h,),
        ),
        denominator="denominator" if has_den else None,
    )
    expected = golden[golden["case"] == case].set_index("term")
    ours = fit.estimates.set_index("term")
    coefs = [t for t in expected.index if t.startswith("coef:")]
    assert sorted(coefs) == sorted(t for t in ours.index if t.startswith("coef:"))
    for term in coefs:
        _close(ours.at[term, "estimate"], expected.at[term, "estimate"])
        _close(ours.at[term, "std_error"], expected.at[term, "std_error"])
        _close(ours.at[term, "p_value"], expected.at[term, "p_value"])
    # level + h * slope: the log rate ratio (count models) or the difference (Gaussian) at h
    lin = expected.loc[f"effect_{h}_linear"]
    if family == "gaussian":
        row = ours.loc[f"effect_{h}_absolute"]
        _close(row["estimate"], lin["estimate"])
    else:
        row = ours.loc[f"effect_{h}_relative"]
        _close(np.log(row["estimate"]), lin["estimate"])
    _close(row["std_error"], lin["std_error"])
    _close(row["p_value"], lin["p_value"])
    diag = fit.diagnostics.set_index("diagnostic")
    if "theta" in expected.index:
        _close(diag.at["theta", "estimate"], expected.at["theta", "estimate"])
    if "dispersion" in expected.index:
        _close(diag.at["dispersion", "estimate"], expected.at["dispersion", "estimate"])
