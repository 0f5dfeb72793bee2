"""Two-sample tests of a change in scores: paired (the same respondents twice) and unpaired
(independent groups), each as a t test and a rank test with an effect size.

- **paired**: the paired t test (estimate: mean change, Cohen's :math:`d_z`) and the Wilcoxon
  signed-rank test (the matched-pairs rank-biserial correlation);
- **unpaired**: the Welch t test (estimate: difference in means, Hedges' *g*) and the
  Mann–Whitney U test (rank-biserial correlation).

Conventions: t-based intervals use Student's t, as R's ``t.test``. Rank tests use the normal
approximation with continuity and tie corrections, zero differences dropped (R's
``wilcox.test(..., exact = FALSE, correct = TRUE)``); their ``estimate`` is the Hodges–Lehmann
estimate (the pseudomedian of the paired differences, the shift between independent samples) with
its distribution-free interval and no standard error (:mod:`analysis.effect_sizes`). Effect sizes
as R's ``effectsize``: :math:`d_z` and Hedges' *g* (exact J) with noncentral-t intervals
(:mod:`analysis.effect_sizes`); rank-biserial correlations with intervals on Fisher's z scale and
``rank_biserial``'s standard errors.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Lakens D. Calculating and reporting effect sizes to facilitate cumulative science. Front
   Psychol 2013;4:863. doi:10.3389/fpsyg.2013.00863
.. [2] Kerby DS. The simple difference formula: an approach to teaching nonparametric
   correlation. Compr Psychol 2014;3:11.IT.3.1. doi:10.2466/11.IT.3.1
.. [3] Ben-Shachar MS, Lüdecke D, Makowski D. effectsize: estimation of effect size indices and
   standardized parameters. J Open Source Softw 2020;5:2815. doi:10.21105/joss.02815
"""

from __future__ import annotations

import math

import numpy as np

from analysis.effect_sizes import (
    cohen_dz,
    hedges_g,
    hodges_lehmann_paired,
    hodges_lehmann_shift,
)

__all__ = [
    "MANN_WHITNEY",
    "PAIRED_T",
    "STATISTICS",
    "WELCH_T",
    "WILCOXON",
    "check_confidence",
    "hedges_g",
    "normal_quantile",
    "paired_tests",
    "unpaired_tests",
    "welch_test",
]

PAIRED_T = "paired t test"
WILCOXON = "Wilcoxon signed-rank test (normal approximation, continuity and tie corrections)"
WELCH_T = "Welch t test"
MANN_WHITNEY = "Mann-Whitney U test (normal approximation, continuity and tie corrections)"

#: The statistics a test row carries; all NaN when there are too few scores.
STATISTICS = (
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "effect_size",
    "effect_size_ci_low",
    "effect_size_ci_high",
)
_RANK_STATISTICS = (
    "statistic",
    "p_value",
    "effect_size",
    "effect_size_ci_low",
    "effect_size_ci_high",
)

Row = dict[str, object]


def check_confidence(confidence: float) -> None:
    """Raise ``ValueError`` unless ``0 < confidence < 1``."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; found {confidence!r}")


def normal_quantile(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (1.959964… for 0.95)."""
    from scipy import stats

    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _t_quantile(confidence: float, df: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(1 - (1 - confidence) / 2, df))


def _fisher_ci(r: float, se: float, confidence: float) -> tuple[float, float]:
    if not math.isfinite(r) or not math.isfinite(se):
        return math.nan, math.nan
    z = math.atanh(min(max(r, -1 + 1e-15), 1 - 1e-15))
    h = normal_quantile(confidence) * se
    return math.tanh(z - h), math.tanh(z + h)


def _rank_p(z: float, sigma: float) -> float:
    """Two-sided normal p of a rank statistic's distance ``z`` from its mean, with continuity
    correction, capped at 1."""
    from scipy import stats

    p = float(2 * stats.norm.sf(abs((z - 0.5 * np.sign(z)) / sigma)))
    return min(p, 1.0)


def _rank_result(statistic: float, p: float, effect: tuple[float, float], confidence: float) -> Row:
    """A rank test's statistic and p-value, and its rank-biserial correlation ``effect = (r,
    se)`` with the interval on Fisher's z scale."""
    r, se = effect
    low, high = _fisher_ci(r, se, confidence)
    return {
        "statistic": statistic,
        "p_value": p,
        "effect_size": r,
        "effect_size_ci_low": low,
        "effect_size_ci_high": high,
    }


def _tie_sum(ranks: np.ndarray) -> float:
    """:math:`\\sum (t^3 - t)` over the groups of tied ranks."""
    _, counts = np.unique(ranks, return_counts=True)
    return float((counts**3 - counts).sum())


def _paired_t(d: np.ndarray, confidence: float) -> Row:
    from scipy import stats

    n = int(d.size)
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    df = n - 1
    t = p = math.nan
    if sd > 0:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), df))
    dz, *dz_ci = cohen_dz(d, confidence=confidence)
    half = _t_quantile(confidence, df) * se
    return {
        "estimate": mean,
        "std_error": se,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "statistic": t,
        "df": float(df),
        "p_value": p,
        "effect_size": dz,
        "effect_size_ci_low": dz_ci[0],
        "effect_size_ci_high": dz_ci[1],
    }


def _wilcoxon(d: np.ndarray, confidence: float) -> Row:
    from scipy import stats

    estimate, low, high = hodges_lehmann_paired(d, confidence=confidence)
    row: Row = {"estimate": estimate, "std_error": math.nan, "ci_low": low, "ci_high": high}
    row |= {"df": math.nan} | dict.fromkeys(_RANK_STATISTICS, math.nan)
    nonzero = d[d != 0]
    m = int(nonzero.size)
    if m == 0:
        return row
    ranks = stats.rankdata(np.abs(nonzero))
    t_plus = float(ranks[nonzero > 0].sum())
    t_minus = float(ranks[nonzero < 0].sum())
    # Normal approximation with tie and continuity corrections, as R's wilcox.test.
    sigma = math.sqrt(m * (m + 1) * (2 * m + 1) / 24 - _tie_sum(ranks) / 48)
    p = _rank_p(t_plus - m * (m + 1) / 4, sigma) if sigma > 0 else math.nan
    r = (t_plus - t_minus) / (t_plus + t_minus)
    r_se = math.sqrt((2 * m**3 + 3 * m**2 + m) / 6) / (m * (m + 1) / 2)
    return row | _rank_result(t_plus, p, (r, r_se), confidence)


def paired_tests(
    baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95
) -> list[Row]:
    """Paired t and Wilcoxon signed-rank tests of ``follow_up - baseline``.

    Parameters
    ----------
    baseline, follow_up : numpy.ndarray
        Scores of the same respondents, in the same order, without NaN.
    confidence : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    list of dict
        Two rows (``method`` :data:`PAIRED_T` and :data:`WILCOXON`) with ``n``,
        ``effect_size_measure`` and :data:`STATISTICS`. The t row: mean change with its standard
        error and t interval, t, df = n − 1, and Cohen's :math:`d_z` (mean change / SD of
        changes). The Wilcoxon row: the Hodges–Lehmann estimate of the change with its interval,
        V (the sum of the ranks of positive changes, as R), and the matched-pairs rank-biserial
        correlation :math:`(T_+ - T_-)/(T_+ + T_-)`.
        Statistics are NaN when ``n < 2`` (or every change is zero, for Wilcoxon).

    Examples
    --------
    Checked against R 4.2.2: ``t.test(y, x, paired = TRUE)`` gives t = 3.1622776601683791,
    df = 4, p = 0.034109423167409635 and ``wilcox.test(y, x, paired = TRUE, exact = FALSE)``
    V = 10, p = 0.088973011701813348 (ties; the zero change dropped).

    >>> x = np.array([3.0, 2.5, 4.0, 3.5, 2.0])
    >>> y = np.array([3.5, 3.0, 4.0, 4.5, 2.5])
    >>> t, w = paired_tests(x, y)
    >>> round(t["statistic"], 10), t["df"], round(t["p_value"], 10)
    (3.1622776602, 4.0, 0.0341094232)
    >>> w["statistic"], round(w["p_value"], 10), w["effect_size"]
    (10.0, 0.0889730117, 1.0)
    """
    check_confidence(confidence)
    d = np.asarray(follow_up, dtype="float64") - np.asarray(baseline, dtype="float64")
    n = int(d.size)
    t_row: Row = {"method": PAIRED_T, "n": n, "effect_size_measure": "cohen_dz"}
    w_row: Row = {"method": WILCOXON, "n": n, "effect_size_measure": "rank_biserial"}
    if n < 2:
        empty = dict.fromkeys(STATISTICS, math.nan)
        if n == 1:
            empty["estimate"] = float(d[0])
        return [t_row | empty, w_row | empty]
    return [t_row | _paired_t(d, confidence), w_row | _wilcoxon(d, confidence)]


def _welch(x: np.ndarray, y: np.ndarray, confidence: float) -> Row:
    from scipy import stats

    n1, n2 = x.size, y.size
    diff = float(y.mean() - x.mean())
    v1, v2 = x.var(ddof=1) / n1, y.var(ddof=1) / n2
    se = math.sqrt(v1 + v2)
    if not se > 0:
        return {"estimate": diff, "std_error": se}
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    t = diff / se
    half = _t_quantile(confidence, df) * se
    g, g_low, g_high = hedges_g(x, y, confidence=confidence)
    return {
        "estimate": diff,
        "std_error": se,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "statistic": t,
        "df": float(df),
        "p_value": float(2 * stats.t.sf(abs(t), df)),
        "effect_size": g,
        "effect_size_ci_low": g_low,
        "effect_size_ci_high": g_high,
    }


def _mann_whitney(x: np.ndarray, y: np.ndarray, confidence: float) -> Row:
    from scipy import stats

    n1, n2 = x.size, y.size
    ranks = stats.rankdata(np.concatenate([y, x]))
    w = float(ranks[:n2].sum() - n2 * (n2 + 1) / 2)
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - _tie_sum(ranks) / (n * (n - 1))))
    estimate, low, high = hodges_lehmann_shift(x, y, confidence=confidence)
    row: Row = {"estimate": estimate, "ci_low": low, "ci_high": high}
    if not sigma > 0:
        return row
    r = 2 * w / (n1 * n2) - 1
    r_se = math.sqrt((n1 + n2 + 1) / (3 * n1 * n2))
    return row | _rank_result(w, _rank_p(w - n1 * n2 / 2, sigma), (r, r_se), confidence)


def welch_test(baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95) -> Row:
    """The Welch row of :func:`unpaired_tests` alone (Hedges' *g* included), for callers that do
    not report the Mann–Whitney test: the same numbers without its rank and Hodges–Lehmann work.

    >>> x = np.array([3.0, 2.5, 4.0, 3.5, 2.0])
    >>> y = np.array([3.5, 3.0, 4.0, 4.5, 2.5, 4.0])
    >>> welch_test(x, y) == unpaired_tests(x, y)[0]
    True
    """
    check_confidence(confidence)
    x = np.asarray(baseline, dtype="float64")
    y = np.asarray(follow_up, dtype="float64")
    row: Row = {"method": WELCH_T, "n": int(x.size + y.size), "effect_size_measure": "hedges_g"}
    row |= dict.fromkeys(STATISTICS, math.nan)
    if x.size < 2 or y.size < 2:
        return row
    return row | _welch(x, y, confidence)


def unpaired_tests(
    baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95
) -> list[Row]:
    """Welch t and Mann–Whitney U tests of ``follow_up`` against ``baseline`` (independent).

    Returns
    -------
    list of dict
        Two rows (:data:`WELCH_T`, :data:`MANN_WHITNEY`). Welch: difference in means
        (follow-up − baseline) with its standard error and t interval, t, Welch–Satterthwaite
        df, Hedges' *g*. Mann–Whitney: the Hodges–Lehmann shift (follow-up − baseline) with its
        interval, W (R's statistic for
        ``wilcox.test(follow_up, baseline)``: the rank sum of ``follow_up`` minus
        :math:`n_2(n_2+1)/2`), rank-biserial correlation :math:`2W/(n_1n_2) - 1`. NaN where
        either group has fewer than 2 scores.

    Examples
    --------
    Checked against R 4.2.2: ``t.test(y, x)`` (Welch) gives t = 1.2572371141874246,
    df = 8.37108013937282, p = 0.2426099141313883; ``wilcox.test(y, x, exact = FALSE)`` gives
    W = 21.5, p = 0.26557965856768545.

    >>> x = np.array([3.0, 2.5, 4.0, 3.5, 2.0])
    >>> y = np.array([3.5, 3.0, 4.0, 4.5, 2.5, 4.0])
    >>> welch, mw = unpaired_tests(x, y)
    >>> round(welch["statistic"], 10), round(welch["df"], 10), round(welch["p_value"], 8)
    (1.2572371142, 8.3710801394, 0.24260991)
    >>> mw["statistic"], round(mw["p_value"], 8)
    (21.5, 0.26557966)
    """
    check_confidence(confidence)
    x = np.asarray(baseline, dtype="float64")
    y = np.asarray(follow_up, dtype="float64")
    empty = dict.fromkeys(STATISTICS, math.nan)
    welch: Row = {"method": WELCH_T, "n": int(x.size + y.size), "effect_size_measure": "hedges_g"}
    mw: Row = {"method": MANN_WHITNEY, "n": int(x.size + y.size)}
    mw |= {"effect_size_measure": "rank_biserial"}
    if x.size < 2 or y.size < 2:
        return [welch | empty, mw | empty]
    return [welch | empty | _welch(x, y, confidence), mw | empty | _mann_whitney(x, y, confidence)]
