"""Differences in scale scores between staff groups or organisations within one wave.

Per instrument × wave × scale × grouping column:

1. **The small-cell rule first.** Groups with fewer than ``min_cell_size`` scores, and
   respondents without a group, are dropped before anything is computed; the dropped groups are
   listed in ``groups_excluded`` (their names only, never their sizes). With fewer than two groups
   left nothing is tested (``method`` ``"not tested"``).
2. **Omnibus tests**: Welch's one-way ANOVA (unequal variances; R's ``oneway.test``, computed by
   statsmodels' ``anova_oneway``) with :math:`\\omega^2` from the classical ANOVA table,
   :math:`(SS_b - (k-1)MS_w)/(SS_t + MS_w)`, and its noncentral-F interval (R's ``effectsize``),
   and the Kruskal–Wallis test (tie-corrected, R's ``kruskal.test``, by scipy) with
   :math:`\\varepsilon^2 = H/(N-1)` (``effectsize::rank_epsilon_squared``; no interval: effectsize
   has only a bootstrap).
3. **Pairwise**: Welch t tests for every pair of groups (difference in means with its t
   interval), p-values adjusted by Holm's method within the grouping (R's
   ``pairwise.t.test(pool.sd = FALSE, p.adjust.method = "holm")``; statsmodels'
   ``multipletests``), Hedges' *g* per pair with its noncentral-t interval.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Welch BL. On the comparison of several mean values: an alternative approach. Biometrika
   1951;38:330-336. doi:10.2307/2332579
.. [2] Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat 1979;6:65-70.
.. [3] Tomczak M, Tomczak E. The need to report effect size estimates revisited. Trends Sport Sci
   2014;1:19-25 (epsilon squared for Kruskal–Wallis).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.columns import check_table, table
from analysis.effect_sizes import omega_squared_interval
from analysis.two_sample import welch_test

__all__ = [
    "GROUP_COMPARISON_COLUMNS",
    "compare_groups",
    "holm_adjust",
    "kruskal_wallis",
    "welch_anova",
]

#: Columns of :func:`compare_groups` (``group_comparison.csv``, :mod:`analysis.columns`).
GROUP_COMPARISON_COLUMNS: tuple[str, ...] = table("group_comparison").columns

WELCH_ANOVA = "Welch one-way ANOVA"
KRUSKAL = "Kruskal-Wallis test"
PAIRWISE = "pairwise Welch t tests, Holm-adjusted"
NOT_TESTED = "not tested"


def holm_adjust(p: Sequence[float]) -> np.ndarray:
    """Holm-adjusted p-values, as R's ``p.adjust(p, method = "holm")``; NaN stays in place.

    The arithmetic of statsmodels' ``multipletests(method="holm")`` (sort, multiply by
    :math:`m, m-1, …, 1`, running maximum, capped at 1; the same values bit for bit, checked in
    ``tests/analysis/test_group_comparison.py``), written out because that function runs a full
    garbage collection (``gc.collect()``) on every call: a quarter of a second or more with the
    analysis' objects alive, once per wave × scale × grouping.

    >>> holm_adjust([0.01, 0.04, 0.03, 0.2]).round(6).tolist()
    [0.04, 0.09, 0.09, 0.2]
    """
    values = np.asarray(p, dtype="float64")
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    if ok.any():
        present = values[ok]
        order = np.argsort(present)
        ranked = np.take(present, order)
        adjusted = np.maximum.accumulate(ranked * np.arange(ranked.size, 0, -1))
        adjusted[adjusted > 1] = 1
        unsorted = np.empty_like(adjusted)
        unsorted[order] = adjusted
        out[ok] = unsorted
    return out


def omega_squared(samples: Sequence[np.ndarray], *, confidence: float = 0.95) -> dict[str, float]:
    """:math:`\\omega^2 = (SS_b - (k-1)MS_w)/(SS_t + MS_w)` from the classical one-way ANOVA table,
    0 when negative, with the noncentral-F interval, as ``effectsize::omega_squared(aov(...),
    alternative = "two.sided")`` (:func:`analysis.effect_sizes.omega_squared_interval`)."""
    k = len(samples)
    allv = np.concatenate(samples)
    ss_total = float(((allv - allv.mean()) ** 2).sum())
    ss_within = float(sum(((s - s.mean()) ** 2).sum() for s in samples))
    df_error = allv.size - k
    ms_within = ss_within / df_error
    estimate = max(0.0, (ss_total - ss_within - (k - 1) * ms_within) / (ss_total + ms_within))
    low, high = omega_squared_interval(estimate, k - 1, df_error, confidence=confidence)
    return {"effect_size": estimate, "effect_size_ci_low": low, "effect_size_ci_high": high}


def welch_anova(samples: Sequence[np.ndarray], *, confidence: float = 0.95) -> dict[str, float]:
    """Welch's heteroscedastic one-way ANOVA (statsmodels ``anova_oneway(use_var="unequal")``)
    and omega squared with its interval (:func:`omega_squared`).

    Returns
    -------
    dict
        ``statistic`` (F), ``df``, ``df2``, ``p_value`` and ``effect_size`` (:math:`\\omega^2`
        from the ordinary ANOVA sums of squares) with ``effect_size_ci_low`` and
        ``effect_size_ci_high``. NaN when a group has fewer than 2 values or zero variance.

    Examples
    --------
    Checked against R 4.2.2: ``oneway.test(y ~ g)`` gives F = 7.3742663587026689,
    num df = 2, denom df = 6.3518570266771768, p = 0.022085304152176317.

    >>> res = welch_anova([np.array([1.0, 2, 3, 2]), np.array([2.0, 3, 4, 5]),
    ...                    np.array([4.0, 5, 5, 6, 3])])
    >>> round(res["statistic"], 10), round(res["df2"], 10), round(res["p_value"], 10)
    (7.3742663587, 6.3518570267, 0.0220853042)
    """
    from statsmodels.stats.oneway import anova_oneway

    k = len(samples)
    n = np.array([s.size for s in samples], dtype="float64")
    nan = math.nan
    out = {"statistic": nan, "df": float(k - 1), "df2": nan, "p_value": nan, "effect_size": nan}
    out |= {"effect_size_ci_low": nan, "effect_size_ci_high": nan}
    if k < 2 or (n < 2).any() or not all(s.var(ddof=1) > 0 for s in samples):
        return out
    res = anova_oneway(list(samples), use_var="unequal", welch_correction=True)
    return (
        out
        | {
            "statistic": float(res.statistic),
            "df2": float(res.df[1]),
            "p_value": float(res.pvalue),
        }
        | omega_squared(samples, confidence=confidence)
    )


def kruskal_wallis(samples: Sequence[np.ndarray]) -> dict[str, float]:
    """Kruskal–Wallis H (tie-corrected) with epsilon squared :math:`H/(N-1)`.

    Checked against R 4.2.2: ``kruskal.test(y ~ g)`` gives H = 6.7256410256410168,
    p = 0.034637425736328185.

    >>> res = kruskal_wallis([np.array([1.0, 2, 3, 2]), np.array([2.0, 3, 4, 5]),
    ...                       np.array([4.0, 5, 5, 6, 3])])
    >>> round(res["statistic"], 10), round(res["p_value"], 10)
    (6.7256410256, 0.0346374257)
    """
    from scipy import stats

    nan = math.nan
    k = len(samples)
    total = sum(s.size for s in samples)
    out = {"statistic": nan, "df": float(k - 1), "df2": nan, "p_value": nan, "effect_size": nan}
    allv = np.concatenate(samples) if samples else np.array([])
    if k < 2 or total < 2 or np.unique(allv).size < 2:
        return out
    h, p = stats.kruskal(*samples)
    return out | {
        "statistic": float(h),
        "p_value": float(p),
        "effect_size": float(h) / (total - 1),
    }


def _check(scores: pd.DataFrame, by: tuple[str, ...], min_cell_size: int) -> pd.DataFrame:
    if isinstance(min_cell_size, bool) or not isinstance(min_cell_size, int) or min_cell_size < 1:
        raise ValueError(f"min_cell_size must be a positive integer; found {min_cell_size!r}")
    needed = ["instrument", "wave", "scale", "score", *by]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ValueError(f"compare_groups: missing columns {', '.join(missing)}")
    return scores[scores["score"].notna()]


def _pairwise(
    samples: dict[str, np.ndarray], base: dict[str, object], confidence: float
) -> list[dict[str, object]]:
    """Welch t tests of every pair of groups, Holm-adjusted, with Hedges' *g* (the Welch row of
    :func:`analysis.two_sample.welch_test` carries it)."""
    pairs = []
    for a, b in itertools.combinations(samples, 2):
        welch = welch_test(samples[a], samples[b], confidence=confidence)
        tested = {k: welch[k] for k in ("estimate", "std_error", "ci_low", "ci_high")}
        tested |= {k: welch[k] for k in ("statistic", "df", "p_value")}
        tested |= {
            k: welch[k] for k in ("effect_size", "effect_size_ci_low", "effect_size_ci_high")
        }
        pairs.append(
            base
            | {"comparison": "pairwise", "group_a": a, "group_b": b, "method": PAIRWISE}
            | {"n": int(samples[a].size + samples[b].size)}
            | tested
            | {"effect_size_measure": "hedges_g"}
        )
    adjusted = holm_adjust([float(p["p_value"]) for p in pairs])  # type: ignore[arg-type]
    return [row | {"p_adjusted": float(p)} for row, p in zip(pairs, adjusted, strict=True)]


def _grouping_rows(
    frame: pd.DataFrame,
    column: str,
    *,
    min_cell_size: int,
    confidence: float,
    max_pairwise_groups: int | None = None,
) -> list[dict[str, object]]:
    """The rows of one wave × scale × grouping column (the keys added by the caller)."""
    with_group = frame[frame[column].notna()]
    sizes = with_group.groupby(column).size()
    included = sorted(str(g) for g in sizes.index[sizes >= min_cell_size])
    excluded = sorted(str(g) for g in sizes.index[sizes < min_cell_size])
    base: dict[str, object] = {
        "group_by": column,
        "k_groups": len(included),
        "groups_included": ";".join(included),
        "groups_excluded": ";".join(excluded),
    }
    if len(included) < 2:
        return [base | {"comparison": "omnibus", "method": NOT_TESTED, "n": 0}]
    labels = with_group[column].astype(str)
    samples = {g: with_group.loc[labels == g, "score"].to_numpy(dtype="float64") for g in included}
    n_total = int(sum(s.size for s in samples.values()))
    rows = [
        base
        | {"comparison": "omnibus", "method": method, "n": n_total}
        | result
        | {"effect_size_measure": measure}
        for method, measure, result in (
            (
                WELCH_ANOVA,
                "omega_squared",
                welch_anova(list(samples.values()), confidence=confidence),
            ),
            (KRUSKAL, "epsilon_squared", kruskal_wallis(list(samples.values()))),
        )
    ]
    if max_pairwise_groups is not None and len(included) > max_pairwise_groups:
        return rows
    return rows + _pairwise(samples, base, confidence)


def compare_groups(
    scores: pd.DataFrame,
    *,
    by: Sequence[str] = ("staff_group", "organisation"),
    min_cell_size: int,
    confidence: float = 0.95,
    max_pairwise_groups: int | None = None,
) -> pd.DataFrame:
    """Compare scale scores between the groups of each column in ``by``, per wave and scale.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`analysis.scoring.score_scales` (``instrument, wave, scale, score`` and the
        ``by`` columns); NaN scores are left out.
    by : sequence of str, default ("staff_group", "organisation")
        Grouping columns, each analysed on its own.
    min_cell_size : int
        The small-cell threshold (``project.privacy.min_cell_size``): groups with fewer scores are
        dropped before any test.
    confidence : float, default 0.95
        Level of the pairwise intervals.
    max_pairwise_groups : int, optional
        With more groups than this left after the small-cell rule, only the omnibus rows are
        given: the pairs grow with the square of the groups (hundreds of organisations give
        hundreds of thousands of Holm-adjusted pairs, which no report can show). ``None``: every
        pair.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GROUP_COMPARISON_COLUMNS`. Per instrument × wave × scale × ``group_by``: a
        ``comparison = "omnibus"`` row for Welch's ANOVA (``effect_size_measure`` ``omega_squared``,
        ``df``/``df2`` numerator/denominator) and one for Kruskal–Wallis (``epsilon_squared``),
        then ``comparison = "pairwise"`` rows (``group_a``, ``group_b``; ``estimate`` = mean of
        ``group_b`` − mean of ``group_a`` with its standard error; ``p_value`` unadjusted,
        ``p_adjusted`` Holm; Hedges' *g*). ``groups_included`` and ``groups_excluded`` are
        ``;``-separated group ids, groups sorted. With fewer than two groups left, a single row
        with ``method`` ``"not tested"``.

    Raises
    ------
    ValueError
        When a needed column is absent or ``min_cell_size`` is not a positive integer.
    """
    by = tuple(by)
    scored = _check(scores, by, min_cell_size)
    rows: list[dict[str, object]] = []
    keys = ["instrument", "wave", "scale"]
    for (instrument, wave, scale), frame in scored.groupby(keys, sort=True):
        for column in by:
            for row in _grouping_rows(
                frame,
                column,
                min_cell_size=min_cell_size,
                confidence=confidence,
                max_pairwise_groups=max_pairwise_groups,
            ):
                rows.append({"instrument": instrument, "wave": wave, "scale": scale} | row)
    return check_table(
        "group_comparison", pd.DataFrame(rows, columns=list(GROUP_COMPARISON_COLUMNS))
    )
