"""Proportions and means before and after an intervention, with confidence intervals.

For indicators measured only a few times (a share per year, a count per year): Wilson score
intervals for each share, Newcombe's hybrid score interval for the difference of two independent
shares (both by ``statsmodels.stats.proportion``), and means per period before and after.

References
----------
Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
1927;22:209–212.
Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven methods.
Stat Med 1998;17:857–872 (method 3).
Newcombe RG. Interval estimation for the difference between independent proportions: comparison of
eleven methods. Stat Med 1998;17:873–890 (method 10, the hybrid score interval).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.periods import range_label

#: Columns of one before/after row (:func:`compare_proportions`, :func:`compare_means`).
BEFORE_AFTER_COLUMNS = [
    "measure",
    "phase",
    "periods",
    "n",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "method",
]
PROPORTION_METHOD = (
    "Wilson score intervals; difference after − before, Newcombe hybrid score interval; p from "
    "the two-sample score test"
)
MEAN_METHOD = "mean per period; t intervals over periods; difference after − before, Welch"

Row = dict[str, object]


def _phases(measure: str, method: str, before: Row, after: Row, difference: Row) -> list[Row]:
    """The three rows of one comparison: before, after and the difference after − before."""
    base: Row = {"measure": measure, "periods": "", "std_error": math.nan, "p_value": math.nan}
    return [
        base | {"phase": "before", "method": method} | before,
        base | {"phase": "after", "method": method} | after,
        base | {"phase": "difference", "method": method} | difference,
    ]


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_ci(successes: float, n: float, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``successes / n`` (no continuity correction), by statsmodels'
    ``proportion_confint(method="wilson")``; ours adds the checks and exact 0 and 1 at the edges.

    Examples
    --------
    Newcombe (1998a), Table I, 81/263:

    >>> [round(v, 4) for v in wilson_ci(81, 263)]
    [0.2553, 0.3662]
    """
    from statsmodels.stats.proportion import proportion_confint

    if n <= 0:
        return (math.nan, math.nan)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n; got {successes} of {n}")
    _z(confidence)
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    return (0.0 if successes == 0 else float(low), 1.0 if successes == n else float(high))


def newcombe_difference_ci(
    x1: float, n1: float, x2: float, n2: float, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval for ``x1/n1 − x2/n2`` (independent samples), by
    statsmodels' ``confint_proportions_2indep(method="newcomb")``.

    Returns
    -------
    (difference, low, high)

    Examples
    --------
    Newcombe (1998b), Table II, example (a) 56/70 − 48/80, method 10:

    >>> [round(v, 4) for v in newcombe_difference_ci(56, 70, 48, 80)]
    [0.2, 0.0524, 0.3339]
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    if n1 <= 0 or n2 <= 0:
        return (math.nan, math.nan, math.nan)
    _z(confidence)
    low, high = confint_proportions_2indep(
        x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - confidence
    )
    return (x1 / n1 - x2 / n2, float(low), float(high))


def compare_proportions(
    before: tuple[float, float], after: tuple[float, float], *, confidence: float = 0.95
) -> list[Row]:
    """Before/after rows for a share: ``(successes, n)`` before and after.

    Returns the ``before``, ``after`` and ``difference`` rows (:data:`BEFORE_AFTER_COLUMNS`,
    ``periods`` empty): each side's share with its Wilson interval, and the difference
    ``after − before`` with Newcombe's interval and the two-sample score (χ², no continuity
    correction) test's p-value. ``n`` is the persons counted (both sides' on the difference row).
    """
    xb, nb = before
    xa, na = after
    lb, ub = wilson_ci(xb, nb, confidence=confidence)
    la, ua = wilson_ci(xa, na, confidence=confidence)
    d, dl, du = newcombe_difference_ci(xa, na, xb, nb, confidence=confidence)
    pooled = (xa + xb) / (na + nb) if (na + nb) > 0 else math.nan
    se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb)) if na > 0 and nb > 0 else math.nan
    p = float(2 * stats.norm.sf(abs(d / se))) if se and se > 0 else math.nan
    return _phases(
        "proportion",
        PROPORTION_METHOD,
        {"n": float(nb), "estimate": xb / nb if nb > 0 else math.nan, "ci_low": lb, "ci_high": ub},
        {"n": float(na), "estimate": xa / na if na > 0 else math.nan, "ci_low": la, "ci_high": ua},
        {"n": float(nb + na), "estimate": d, "ci_low": dl, "ci_high": du, "p_value": p},
    )


def _mean_ci(v: np.ndarray, confidence: float) -> Row:
    """The mean per period with its standard error and t interval (none with one period)."""
    m = float(v.mean()) if v.size else math.nan
    row: Row = {"n": float(v.size), "estimate": m, "ci_low": math.nan, "ci_high": math.nan}
    if v.size < 2:
        return row
    se = float(v.std(ddof=1) / math.sqrt(v.size))
    q = float(stats.t.ppf(0.5 + confidence / 2, v.size - 1))
    return row | {"std_error": se, "ci_low": m - q * se, "ci_high": m + q * se}


def compare_means(
    before: Sequence[float], after: Sequence[float], *, confidence: float = 0.95
) -> list[Row]:
    """Before/after rows for values per period (counts or means): the mean per period each side.

    Returns the ``before``, ``after`` and ``difference`` rows (:data:`BEFORE_AFTER_COLUMNS`):
    t intervals over the periods (none with one period) and the difference ``after − before``
    with Welch's interval, standard error and p-value. ``n`` is the periods.
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    rb, ra = _mean_ci(b, confidence), _mean_ci(a, confidence)
    d = float(ra["estimate"]) - float(rb["estimate"])  # type: ignore[arg-type]
    diff: Row = {"n": float(b.size + a.size), "estimate": d, "ci_low": math.nan}
    diff["ci_high"] = math.nan
    if b.size >= 2 and a.size >= 2:
        seb, sea = float(rb["std_error"]), float(ra["std_error"])  # type: ignore[arg-type]
        se = math.sqrt(seb**2 + sea**2)
        if se > 0:
            dof = se**4 / (seb**4 / (b.size - 1) + sea**4 / (a.size - 1))
            q = float(stats.t.ppf(0.5 + confidence / 2, dof))
            diff |= {"std_error": se, "ci_low": d - q * se, "ci_high": d + q * se}
            diff["p_value"] = float(2 * stats.t.sf(abs(d / se), dof))
    return _phases("mean_per_period", MEAN_METHOD, rb, ra, diff)


def before_after(
    data: pd.DataFrame,
    *,
    measure: str,
    post: str = "post",
    value: str = "value",
    denominator: str = "denominator",
    period: str | None = None,
    by: Sequence[str] = (),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Before/after comparison per group, long: a ``before``, an ``after`` and a ``difference``
    row per group.

    Parameters
    ----------
    data
        One row per period (and group), in period order: ``post`` (bool), ``value`` and for
        proportions ``denominator``. Not modified.
    measure
        ``"proportion"``: ``value`` successes of ``denominator``, pooled over the periods of each
        side (:func:`compare_proportions`). Anything else: values per period
        (:func:`compare_means`).
    period
        A column of period labels: ``periods`` then names each side's first and last period
        (``2016–2017``), the difference row both sides'. ``None``: ``periods`` is empty.
    by
        Group columns; three output rows per group.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns and :data:`BEFORE_AFTER_COLUMNS`. A group without periods on both sides
        gives no rows.
    """
    keys = list(by)
    groups = data.groupby(keys, sort=False, dropna=False) if keys else [((), data)]
    rows = []
    for key, part in groups:
        pre = part[~part[post].astype(bool)]
        aft = part[part[post].astype(bool)]
        if pre.empty or aft.empty:
            continue
        if measure == "proportion":
            phases = compare_proportions(
                (float(pre[value].sum()), float(pre[denominator].sum())),
                (float(aft[value].sum()), float(aft[denominator].sum())),
                confidence=confidence,
            )
        else:
            phases = compare_means(pre[value].tolist(), aft[value].tolist(), confidence=confidence)
        if period is not None:
            labels: tuple[list[object], ...] = (
                list(pre[period]),
                list(aft[period]),
                [*pre[period], *aft[period]],
            )
            for row, label in zip(phases, labels, strict=True):
                row["periods"] = range_label(label)
        key_t = key if isinstance(key, tuple) else (key,)
        rows += [dict(zip(keys, key_t, strict=True)) | row for row in phases]
    return pd.DataFrame(rows, columns=[*keys, *BEFORE_AFTER_COLUMNS])
