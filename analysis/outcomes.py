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

References: Wilson (1927) and Newcombe (1998, method 3), as in :mod:`analysis.proportions`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from scipy import stats

from analysis.breakdowns import ALL, with_breakdown
from analysis.columns import stack_tables
from analysis.goals import goal_status
from analysis.periods import range_label
from analysis.proportions import wilson_ci
from project.indicators import Outcome, OutcomeTarget

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

    ``data`` holds counts of persons per category (and group; not modified); ``toward`` the
    categories that count toward the ``target`` share; ``by`` the group columns (one row per
    group); ``baseline`` a share before the programme, if any (lets the status be
    ``partly_reached``).

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


def _subgroup_rank(outcome: Outcome, disaggregation: str) -> tuple[int, int]:
    """Everyone first, then the subgroups in the registry's order (crossed ones after)."""
    if not disaggregation:
        return 0, 0
    names = [p.split("=", 1)[0] for p in disaggregation.split(";")]
    rank = {name: i + 1 for i, name in enumerate(outcome.subgroups)}
    return rank.get(names[0], 0), len(names)


def _ordered(part: pd.DataFrame, outcome: Outcome) -> pd.DataFrame:
    """Rows by :func:`_subgroup_rank`, groups in order of appearance within a subgroup."""
    first = {d: i for i, d in enumerate(dict.fromkeys(part["disaggregation"]))}
    keys = [(*_subgroup_rank(outcome, d), first[d]) for d in part["disaggregation"]]
    return part.iloc[sorted(range(len(part)), key=lambda i: keys[i])]


def _not_measured(tag: dict[str, Any], target: OutcomeTarget) -> pd.DataFrame:
    """The target row of a unit without periods up to the deadline."""
    row: dict[str, object] = dict.fromkeys(
        ("n", "total", "share", "ci_low", "ci_high", "progress", "p_value"), math.nan
    )
    row |= tag | {"periods": "", "group_by": ALL, "group": ALL, "ci_position": "", "method": ""}
    row |= {"categories": ";".join(target.categories), "target": target.share}
    row |= {"baseline": math.nan if target.baseline is None else target.baseline}
    row |= {"deadline": target.deadline.isoformat() if target.deadline else ""}
    return pd.DataFrame([row | {"status": "not_measured"}])


def _target_rows(part: pd.DataFrame, outcome: Outcome, tag: dict[str, Any]) -> pd.DataFrame:
    """The target rows of one outcome × unit: the share by the deadline against the target."""
    t = outcome.target
    assert t is not None  # the caller checks
    upto = part
    if t.deadline is not None:
        upto = part[part["period_start"] <= pd.Timestamp(t.deadline)]
    if upto.empty:
        return _not_measured(tag, t)
    res = target_attainment(
        upto,
        toward=t.categories,
        target=t.share,
        count="value",
        by=["disaggregation"],
        baseline=t.baseline,
        confidence=outcome.confidence,
    )
    return with_breakdown(res).assign(
        categories=";".join(t.categories),
        deadline=t.deadline.isoformat() if t.deadline else "",
        **(tag | {"periods": range_label(sorted(set(upto["period"])))}),
    )


def outcome_tables(counts: pd.DataFrame, outcomes: Sequence[Outcome]) -> dict[str, pd.DataFrame]:
    """The ``outcomes`` and ``outcome_targets`` results tables (see :mod:`analysis.columns`).

    Parameters
    ----------
    counts
        The store's outcome counts: ``outcome, unit, period, period_start, category,
        disaggregation, value`` (persons). Not modified.
    outcomes
        The outcomes project.yaml declares; persons per category are pooled over the loaded
        periods (for a target: the periods starting on or before its deadline).
    """
    share_parts, target_parts = [], []
    for o in outcomes:
        toward = set(o.target.categories) if o.target else set()
        for unit, part in counts[counts["outcome"] == o.id].groupby("unit", sort=True):
            part = _ordered(part.sort_values("period_start", kind="stable"), o)
            tag: dict[str, Any] = {"outcome": o.id, "unit": unit}
            tag["periods"] = range_label(sorted(set(part["period"])))
            shares = category_shares(
                part,
                count="value",
                by=["disaggregation"],
                categories=[c.id for c in o.categories],
                confidence=o.confidence,
            )
            share_parts.append(
                with_breakdown(shares).assign(toward_target=shares["category"].isin(toward), **tag)
            )
            if o.target is not None:
                target_parts.append(_target_rows(part, o, tag))
    return {
        "outcomes": stack_tables("outcomes", share_parts),
        "outcome_targets": stack_tables("outcome_targets", target_parts),
    }
