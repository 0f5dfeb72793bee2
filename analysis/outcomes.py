"""Categorical outcomes of participants: shares per category and target checks.

Where the participants of a programme went when they left it (98 started: 58 to further
rehabilitation, 26 to work, …) is a distribution of persons over exhaustive categories. Each
category's share of everyone counted gets a Wilson score interval (no continuity correction), per
subgroup when the data are broken down; a target ("70 % took a step towards work") is checked on
the pooled share of the categories that count toward it, with the status rule of
:mod:`analysis.goals` (``direction="higher"``) and the position of the interval relative to the
target.

The Wilson score interval is the interval of R's ``prop.test(x, n, correct = FALSE)``, and the
p-value of :func:`target_attainment` is that test's (the two-sided score test of ``share = target``);
``binom.test`` gives the Clopper–Pearson interval instead, which is not used here. The golden test
(``tests/analysis/test_outcomes_golden.py``) checks both against R.

References
----------
Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
1927;22:209–212.
Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven methods.
Stat Med 1998;17:857–872 (method 3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from scipy import stats

from analysis.goals import goal_status
from analysis.proportions import wilson_ci

SHARE_COLUMNS = ["category", "n", "total", "share", "ci_low", "ci_high", "method"]
TARGET_COLUMNS = [
    "n",
    "total",
    "share",
    "ci_low",
    "ci_high",
    "target",
    "baseline",
    "status",
    "progress",
    "ci_position",
    "p_value",
    "method",
]
SHARE_METHOD = "share of all counted; Wilson score interval (no continuity correction)"
TARGET_METHOD = (
    "share in the target categories; Wilson score interval; status by the goal rule "
    "(direction higher); p from the two-sided score test of share = target"
)


def _groups(data: pd.DataFrame, by: Sequence[str]) -> list[tuple[tuple[object, ...], pd.DataFrame]]:
    keys = list(by)
    if not keys:
        return [((), data)]
    out = []
    for key, part in data.groupby(keys, sort=False, dropna=False):
        out.append((key if isinstance(key, tuple) else (key,), part))
    return out


def category_shares(
    data: pd.DataFrame,
    *,
    category: str = "category",
    count: str = "n",
    by: Sequence[str] = (),
    categories: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each category's share of all persons counted, with a Wilson score interval.

    Parameters
    ----------
    data
        Counts of persons: one or more rows per category (and group), summed. Not modified.
    category, count
        The columns holding the category and the number of persons.
    by
        Group columns (e.g. ``["sex"]``); shares are computed within each group.
    categories
        The categories in the order wanted; categories without rows get ``n = 0``. ``None``: the
        categories found, in order of appearance. A category outside the list is an error.
    confidence
        The confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns and :data:`SHARE_COLUMNS`; ``total`` is the group's sum over all categories
        and ``share = n / total``. A group with no persons has missing shares.

    Examples
    --------
    >>> flow = pd.DataFrame({"category": ["rehab", "work", "studies", "other", "unknown"],
    ...                      "n": [58, 26, 1, 5, 8]})
    >>> out = category_shares(flow)
    >>> [float(out.at[0, c]) for c in ("n", "total")], round(float(out.at[0, "share"]), 4)
    ([58.0, 98.0], 0.5918)
    >>> [round(float(out.at[0, c]), 4) for c in ("ci_low", "ci_high")]
    [0.4929, 0.6839]
    """
    keys = list(by)
    missing = [c for c in (category, count, *keys) if c not in data.columns]
    if missing:
        raise KeyError(f"category_shares: columns not in the data: {', '.join(missing)}")
    order = list(categories) if categories is not None else list(dict.fromkeys(data[category]))
    unknown = sorted(set(map(str, data[category])) - set(map(str, order)))
    if unknown:
        raise ValueError(f"category_shares: categories not in the list: {', '.join(unknown)}")
    rows = []
    for key, part in _groups(data, keys):
        sums = part.groupby(category, sort=False)[count].sum()
        total = float(sums.sum())
        for cat in order:
            n = float(sums.get(cat, 0.0))
            low, high = (
                wilson_ci(n, total, confidence=confidence)
                if total > 0
                else (
                    math.nan,
                    math.nan,
                )
            )
            rows.append(
                dict(zip(keys, key, strict=True))
                | {
                    "category": cat,
                    "n": n,
                    "total": total,
                    "share": n / total if total > 0 else math.nan,
                    "ci_low": low,
                    "ci_high": high,
                    "method": SHARE_METHOD,
                }
            )
    return pd.DataFrame(rows, columns=[*keys, *SHARE_COLUMNS])


def score_test_p(successes: float, n: float, p0: float) -> float:
    """Two-sided score test of ``successes / n = p0`` (R: ``prop.test(x, n, p0, correct = FALSE)``).

    >>> round(score_test_p(80, 98, 0.7), 4)
    0.012
    """
    if n <= 0 or not 0 < p0 < 1:
        return math.nan
    z = (successes / n - p0) / math.sqrt(p0 * (1 - p0) / n)
    return float(2 * stats.norm.sf(abs(z)))


def target_attainment(
    data: pd.DataFrame,
    *,
    toward: Sequence[str],
    target: float,
    category: str = "category",
    count: str = "n",
    by: Sequence[str] = (),
    baseline: float | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The share of persons in the categories that count toward a target, against the target.

    Parameters
    ----------
    data
        Counts of persons per category (and group). Not modified.
    toward
        The categories that count toward the target (e.g. work, studies, work practice).
    target
        The share (0–1) to reach.
    by
        Group columns; one row per group.
    baseline
        A share before the programme, if any: lets the status be ``partly_reached``.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns and :data:`TARGET_COLUMNS`. ``status`` follows
        :func:`analysis.goals.goal_status` with ``direction="higher"`` on the point estimate
        (``reached`` when ``share >= target``; ``partly_reached`` needs a baseline;
        ``not_measured`` when nobody is counted). ``ci_position`` says where the interval lies:
        ``above`` (``ci_low >= target``), ``below`` (``ci_high < target``) or ``includes``.

    Examples
    --------
    >>> steps = pd.DataFrame({"category": ["work_or_studies", "cooperation", "practice",
    ...                                    "attendance", "no_step"], "n": [27, 24, 10, 19, 18]})
    >>> row = target_attainment(steps, toward=["work_or_studies", "cooperation", "practice",
    ...                                        "attendance"], target=0.7).iloc[0]
    >>> float(row["n"]), float(row["total"]), row["status"], row["ci_position"]
    (80.0, 98.0, 'reached', 'above')
    """
    if not 0 < target <= 1:
        raise ValueError(f"target must be a share in (0, 1]; got {target}")
    keys = list(by)
    missing = [c for c in (category, count, *keys) if c not in data.columns]
    if missing:
        raise KeyError(f"target_attainment: columns not in the data: {', '.join(missing)}")
    wanted = set(map(str, toward))
    rows = []
    for key, part in _groups(data, keys):
        total = float(part[count].sum())
        n = float(part.loc[part[category].astype(str).isin(wanted), count].sum())
        if total > 0:
            share = n / total
            low, high = wilson_ci(n, total, confidence=confidence)
            status, progress = goal_status(
                baseline=baseline, target=target, achieved=share, direction="higher"
            )
            position = "above" if low >= target else "below" if high < target else "includes"
        else:
            share = low = high = progress = math.nan
            status, position = "not_measured", ""
        rows.append(
            dict(zip(keys, key, strict=True))
            | {
                "n": n,
                "total": total,
                "share": share,
                "ci_low": low,
                "ci_high": high,
                "target": float(target),
                "baseline": math.nan if baseline is None else float(baseline),
                "status": status,
                "progress": progress,
                "ci_position": position,
                "p_value": score_test_p(n, total, target) if target < 1 else math.nan,
                "method": TARGET_METHOD,
            }
        )
    return pd.DataFrame(rows, columns=[*keys, *TARGET_COLUMNS])
