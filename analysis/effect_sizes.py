"""Effect sizes and their intervals as R's ``effectsize`` package computes them, and the
Hodges–Lehmann estimates of the rank tests with their distribution-free intervals.

- Cohen's :math:`d_z` (paired) and Hedges' *g* (two samples, pooled SD, the exact small-sample
  factor :math:`J = \\Gamma(\\nu/2) / (\\sqrt{\\nu/2}\\,\\Gamma((\\nu-1)/2))`, :math:`\\nu = n_1 + n_2 -
  2`), with intervals from the noncentral t distribution (Steiger & Fouladi 1997; ``effectsize``
  ``cohens_d(paired = TRUE)`` and ``hedges_g``);
- :math:`\\omega^2` of a one-way ANOVA (truncated at 0) with its interval from the noncentral F
  distribution, as ``effectsize::omega_squared(aov, alternative = "two.sided")`` computes it;
- the Hodges–Lehmann estimate: the median of the Walsh averages of the paired differences (zero
  differences dropped, as R's ``wilcox.test``) or of all differences between the samples, with
  the order-statistic interval of Hollander, Wolfe & Chicken (2014): the critical value from the
  exact null distribution below 50 differences (resp. either sample below 50), as R's
  ``wilcox.test(conf.int = TRUE, exact = TRUE)``; beyond, from the normal approximation.

These are ours because neither pingouin nor statsmodels computes them so: pingouin's intervals for
d and g are normal approximations and its g uses the approximate J.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Steiger JH, Fouladi RT. Noncentrality interval estimation and the evaluation of statistical
   models. In: Harlow LL et al., eds. What if there were no significance tests? Erlbaum; 1997.
.. [2] Hedges LV. Distribution theory for Glass's estimator of effect size and related
   estimators. J Educ Stat 1981;6:107-128.
.. [3] Hodges JL, Lehmann EL. Estimates of location based on rank tests. Ann Math Stat
   1963;34:598-611.
.. [4] Hollander M, Wolfe DA, Chicken E. Nonparametric Statistical Methods, 3rd ed. Wiley; 2014
   (sections 3.2, 4.3).
.. [5] Ben-Shachar MS, Lüdecke D, Makowski D. effectsize. J Open Source Softw 2020;5:2815.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from analysis.noncentral import ncf_cdf, nct_cdf

__all__ = [
    "EXACT_BELOW",
    "cohen_dz",
    "hedges_g",
    "hodges_lehmann_paired",
    "hodges_lehmann_shift",
    "ncp_interval",
    "omega_squared_interval",
]

#: Below this many (non-zero) differences, or sample size, the rank intervals use the exact
#: distribution (R's default threshold for ``wilcox.test``).
EXACT_BELOW = 50

Interval = tuple[float, float]


def _root(f: Callable[[float], float], low: float, high: float) -> float:
    """A root of the increasing or decreasing ``f`` after widening ``[low, high]`` to bracket it."""
    from scipy.optimize import brentq

    for _ in range(60):
        if f(low) * f(high) <= 0:
            return float(brentq(f, low, high, xtol=1e-14, rtol=1e-14, maxiter=500))
        width = high - low
        low, high = low - width, high + width
    return math.nan


def ncp_interval(statistic: float, df: float, *, confidence: float = 0.95) -> Interval:
    """The noncentrality parameters of a t distribution whose ``(1 ± confidence)/2`` quantiles
    are the observed ``statistic`` (the interval for the noncentrality)."""
    if not (math.isfinite(statistic) and df > 0):
        return math.nan, math.nan
    tail = (1 - confidence) / 2

    def gap(p: float) -> Callable[[float], float]:
        return lambda ncp: nct_cdf(df, ncp, statistic) - p

    low, high = (_root(gap(p), statistic - 5, statistic + 5) for p in (1 - tail, tail))
    return low, high


def cohen_dz(d: np.ndarray, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """Cohen's :math:`d_z` = mean / SD of the paired differences ``d``, with the noncentral-t
    interval of ``effectsize::cohens_d(x, y, paired = TRUE)``.

    >>> [round(v, 6) for v in cohen_dz(np.array([0.5, 0.5, 0.0, 1.0, 0.5]))]
    [1.414214, 0.092613, 2.667848]
    """
    n = d.size
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    if not sd > 0:
        return math.nan, math.nan, math.nan
    dz = float(d.mean()) / sd
    low, high = ncp_interval(dz * math.sqrt(n), n - 1, confidence=confidence)
    return dz, low / math.sqrt(n), high / math.sqrt(n)


def hedges_g(
    baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Hedges' *g* of ``follow_up`` against ``baseline`` (pooled SD, exact J) with the
    noncentral-t interval, as ``effectsize::hedges_g(follow_up, baseline)``.

    >>> [round(v, 6) for v in hedges_g(np.array([1.0, 2, 3, 4]), np.array([2.0, 3, 4, 5]))]
    [0.672835, -0.612032, 1.908022]
    """
    x = np.asarray(baseline, dtype="float64")
    y = np.asarray(follow_up, dtype="float64")
    n1, n2 = x.size, y.size
    if n1 < 2 or n2 < 2:
        return math.nan, math.nan, math.nan
    df = n1 + n2 - 2
    pooled = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / df)
    if not pooled > 0:
        return math.nan, math.nan, math.nan
    d = (y.mean() - x.mean()) / pooled
    scale = math.sqrt(1 / n1 + 1 / n2)
    low, high = ncp_interval(d / scale, df, confidence=confidence)
    j = math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))
    return float(j * d), j * low * scale, j * high * scale


def omega_squared_interval(
    omega2: float, df: float, df_error: float, *, confidence: float = 0.95
) -> Interval:
    """The interval ``effectsize::omega_squared(aov, alternative = "two.sided")`` gives
    :math:`\\omega^2` (its ``F_to_omega2``): from the F that :math:`\\omega^2` implies,
    :math:`F = (\\omega^2/df) / ((1 - \\omega^2)/df_{error})`, the noncentrality bounds ``λ`` of
    the F distribution, each mapped to ``λ / (λ + df_error)``; a bound is 0 where F is below the
    quantile, so an :math:`\\omega^2` of 0 has the interval [0, 0]."""
    from scipy import stats

    if not (math.isfinite(omega2) and 0 <= omega2 < 1 and df > 0 and df_error > 0):
        return math.nan, math.nan
    f = (omega2 / df) / ((1 - omega2) / df_error)
    tail = (1 - confidence) / 2

    def bound(p: float) -> float:
        if f <= stats.f.ppf(p, df, df_error):
            return 0.0
        lam = _root(lambda ncp: ncf_cdf(df, df_error, ncp, f) - p, 0.0, 2 * f * df + 10)
        return lam / (lam + df_error)

    return bound(1 - tail), bound(tail)


def _signed_rank_lower(n: int, tail: float) -> int:
    """R's ``qsignrank(tail, n)``: the smallest ``q`` with ``P(V <= q) >= tail``."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for i in range(1, n + 1):
        counts[i:] = counts[i:] + counts[:-i].copy()
    cdf = np.cumsum(counts) / counts.sum()
    return int(np.searchsorted(cdf, tail - 1e-12))


def _rank_sum_lower(n1: int, n2: int, tail: float) -> int:
    """R's ``qwilcox(tail, n1, n2)``, from the Gaussian-binomial generating function of U."""
    poly = np.zeros(n1 * n2 + 1)
    poly[0] = 1.0
    for i in range(1, n2 + 1):
        shifted = np.zeros_like(poly)
        shifted[n1 + i :] = poly[: -(n1 + i)] if n1 + i <= n1 * n2 else 0
        poly = poly - shifted
        for k in range(i, poly.size):  # divide by (1 - q^i)
            poly[k] += poly[k - i]
    cdf = np.cumsum(poly) / poly.sum()
    return int(np.searchsorted(cdf, tail - 1e-12))


def _walsh_averages(d: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The Walsh averages :math:`(d_i + d_j)/2`, :math:`i \\le j`: every one (counts ``None``),
    or, when ties make it much shorter, each average of two distinct values once with the number
    of pairs giving it (the same floats: a sum does not depend on the order of its terms).

    Scale scores have few distinct values: at 100× the example 15,000 paired differences give
    1.1e8 averages (0.9 GB, and as much again for their indices) but a few thousand classes.
    """
    values, counts = np.unique(d, return_counts=True)
    if not np.isfinite(values).all() or 4 * values.size**2 > d.size**2:
        i, j = np.triu_indices(d.size)
        return (d[i] + d[j]) / 2, None
    s, t = np.triu_indices(values.size)
    pairs = np.where(s == t, counts[s] * (counts[s] + 1) // 2, counts[s] * counts[t])
    return (values[s] + values[t]) / 2, pairs


def _differences(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """All differences :math:`y_i - x_j`, or each difference of distinct values once with its
    number of pairs when ties make that much shorter (as :func:`_walsh_averages`; at 100× the
    example 3e8 differences, 2.4 GB)."""
    u, cu = np.unique(y, return_counts=True)
    v, cv = np.unique(x, return_counts=True)
    if not (np.isfinite(u).all() and np.isfinite(v).all()) or 2 * u.size * v.size > y.size * x.size:
        return np.subtract.outer(y, x).ravel(), None
    return np.subtract.outer(u, v).ravel(), np.outer(cu, cv).ravel()


def _median_and_interval(
    values: np.ndarray, counts: np.ndarray | None, q: int
) -> tuple[float, float, float]:
    """The median of a multiset (``values``, each ``counts`` times; once each without counts) and
    its values at ranks ``q`` and ``M − q + 1`` (1-based), ``q`` at least 1; the median as
    ``np.median`` takes it (the mean of the two middle values when ``M`` is even)."""
    if counts is None:
        ordered = np.sort(values)
        q = max(q, 1)
        return float(np.median(ordered)), float(ordered[q - 1]), float(ordered[ordered.size - q])
    order = np.argsort(values, kind="stable")
    ordered, ends = values[order], np.cumsum(counts[order])
    size = int(ends[-1])

    def at(rank: int) -> float:  # 0-based
        return float(ordered[np.searchsorted(ends, rank, side="right")])

    middle = at(size // 2)
    median = middle if size % 2 else float(np.mean(np.array([at(size // 2 - 1), middle])))
    q = max(q, 1)
    return median, at(q - 1), at(size - q)


def hodges_lehmann_paired(d: np.ndarray, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """The Hodges–Lehmann estimate of the paired differences ``d`` (the median of their Walsh
    averages, zeros dropped) with its order-statistic interval.

    Checked against R 4.2.2: ``wilcox.test(y, x, paired = TRUE, exact = TRUE, conf.int = TRUE)``.

    >>> [round(v, 4) for v in hodges_lehmann_paired(np.array([1.5, -0.5, 2.0, 3.5, 0.7, 1.1]))]
    [1.35, -0.5, 3.5]
    """
    from scipy import stats

    nonzero = np.asarray(d, dtype="float64")
    nonzero = nonzero[nonzero != 0]
    n = nonzero.size
    if n == 0:
        return math.nan, math.nan, math.nan
    walsh, counts = _walsh_averages(nonzero)
    tail = (1 - confidence) / 2
    if n < EXACT_BELOW:
        q = _signed_rank_lower(n, tail)
    else:
        mu, sigma = n * (n + 1) / 4, math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
        q = math.ceil(mu - 0.5 - float(stats.norm.ppf(1 - tail)) * sigma)
    return _median_and_interval(walsh, counts, q)


def hodges_lehmann_shift(
    baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """The Hodges–Lehmann shift of ``follow_up`` against ``baseline`` (the median of all
    differences ``follow_up_i − baseline_j``) with its order-statistic interval.

    Checked against R 4.2.2: ``wilcox.test(y, x, exact = TRUE, conf.int = TRUE)``.

    >>> [round(v, 4) for v in hodges_lehmann_shift(np.array([1.1, 2.3, 0.4]), np.array([2.0, 3.1, 4.2, 2.6]))]
    [1.75, -0.3, 3.8]
    """
    from scipy import stats

    x = np.asarray(baseline, dtype="float64")
    y = np.asarray(follow_up, dtype="float64")
    if x.size == 0 or y.size == 0:
        return math.nan, math.nan, math.nan
    diffs, counts = _differences(y, x)
    tail = (1 - confidence) / 2
    if x.size < EXACT_BELOW and y.size < EXACT_BELOW:
        q = _rank_sum_lower(y.size, x.size, tail)
    else:
        m = x.size * y.size
        sigma = math.sqrt(m * (x.size + y.size + 1) / 12)
        q = math.ceil(m / 2 - 0.5 - float(stats.norm.ppf(1 - tail)) * sigma)
    return _median_and_interval(diffs, counts, q)
