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

The R script codes the slope as ``(time − t0) × level`` (0 in the first post period); we code it as
the periods since the interruption, ``(time − t0 + 1) × level`` (Wagner et al. 2002; the Lopez Bernal
tutorial). The two are the same model: every coefficient but ``level`` is the same, R's ``level``
is our effect in the first post period (``effect_0``), and our ``level`` is R's ``level − slope``
(the rows ``level_at_interruption``).
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
    "gauss_control_difference": (
        "gauss_monthly", "gaussian", "2018-02-01", "month", "fourier", 1, 2, 12,
    ),
    "qpois_control_offset": (
        "counts_monthly", "quasipoisson", "2017-07-01", "month", "fourier", 2, None, 12,
    ),
}  # fmt: skip
#: Controlled cases: the control series and how it enters (difference, or log(control) as offset).
CONTROLS = {
    "gauss_control_difference": ("gauss_monthly_control", "difference"),
    "qpois_control_offset": ("counts_monthly_control", "offset"),
}


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
    control, method = CONTROLS.get(case, (None, None))
    if control is not None:
        values = series[series["series"] == control].set_index("period")["value"]
        data = data.assign(control=data["period"].map(values))
        has_den = False
    fit = fit_its(
        data,
        intervention=intervention,
        model=ITSModel(
            family=family,
            frequency=freq,
            seasonality=season,
            fourier_order=order,
            hac_lags=lag,
            effect_times=(0, h),
            control=method,
        ),
        denominator="denominator" if has_den else None,
        control="control" if control else None,
    )
    expected = golden[golden["case"] == case].set_index("term")
    ours = fit.estimates.set_index("term")
    coefs = [t for t in expected.index if t.startswith("coef:")]
    assert sorted(coefs) == sorted(t for t in ours.index if t.startswith("coef:"))
    for term in coefs:
        theirs = expected.loc["level_at_interruption" if term == "coef:level" else term]
        for column in ("estimate", "std_error", "p_value"):
            _close(ours.at[term, column], theirs[column])
    # R's level (the change in the first post period) and level + h * slope: the log rate ratio
    # (count models) or the difference (Gaussian) h periods after the first post period
    for when, theirs in ((0, expected.loc["coef:level"]), (h, expected.loc[f"effect_{h}_linear"])):
        if family == "gaussian":
            row = ours.loc[f"effect_{when}_absolute"]
            _close(row["estimate"], theirs["estimate"])
        else:
            row = ours.loc[f"effect_{when}_relative"]
            _close(np.log(row["estimate"]), theirs["estimate"])
        _close(row["std_error"], theirs["std_error"])
        _close(row["p_value"], theirs["p_value"])
    diag = fit.diagnostics.set_index("diagnostic")
    if "theta" in expected.index:
        _close(diag.at["theta", "estimate"], expected.at["theta", "estimate"])
    if "dispersion" in expected.index:
        _close(diag.at["dispersion", "estimate"], expected.at["dispersion", "estimate"])
