"""The small-cell rule: which cells of a table or figure may be published (see the package
docstring of :mod:`reports.disclosure` for the rule and its reasons)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from reports.disclosure.linear import PRIMARY as LINEAR_PRIMARY
from reports.disclosure.linear import (
    SECONDARY,
    Cell,
    Published,
    Sum,
    hidden_bounds,
    secure,
)
from reports.disclosure.numbers import NOT_AVAILABLE, SUPPRESSED, format_number, is_missing
from reports.strings import report_strings

SUPPRESSED_COL = "suppressed"
REASON_COL = "suppression_reason"
PRIMARY = LINEAR_PRIMARY
COMPLEMENTARY = SECONDARY


# -- the small-cell rule -----------------------------------------------------------------------
def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"threshold must be a positive integer; got {threshold!r}")


def suppress_small_groups(
    df: pd.DataFrame,
    *,
    n_col: str = "n",
    value_cols: Sequence[str],
    threshold: int,
    complement_within: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Blank the values of groups with fewer than ``threshold`` respondents.

    Parameters
    ----------
    df
        One row per group summary (e.g. ``scale_scores.csv``). Not modified.
    n_col
        The column holding the number of respondents behind the row.
    value_cols
        The columns to blank in a suppressed row (means, SDs, CIs, …).
    threshold
        The smallest publishable group (``project.privacy.min_cell_size``).
    complement_within
        Columns that identify one breakdown whose rows add up to a published total (e.g.
        ``("instrument", "wave", "scale", "group_by")``). When given, complementary suppression is
        applied within each breakdown (see the module docstring). ``None``: primary only.

    Returns
    -------
    pandas.DataFrame
        A copy with the values of suppressed rows set to missing, a boolean column ``suppressed``
        and a column ``suppression_reason`` (``"small_cell"``, ``"complementary"`` or missing).
        ``n`` is kept as it is: the copy is an intermediate, and only :func:`format_table` output
        (which shows ``<5``) or a figure that drops suppressed rows is publishable.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["a", "b", "c"], "n": [12, 3, 7], "mean": [3.1, 4.9, 2.2]})
    >>> out = suppress_small_groups(df, value_cols=["mean"], threshold=5, complement_within=[])
    >>> out["mean"].tolist()
    [3.1, nan, nan]
    >>> out["suppression_reason"].tolist()
    [<NA>, 'small_cell', 'complementary']
    """
    _check_threshold(threshold)
    missing = [c for c in (n_col, *value_cols, *(complement_within or ())) if c not in df.columns]
    if missing:
        raise KeyError(f"suppress_small_groups: columns not in the table: {', '.join(missing)}")
    out = df.copy()
    n = pd.to_numeric(out[n_col], errors="coerce")
    primary = (n > 0) & (n < threshold)
    reason = pd.Series(pd.NA, index=out.index, dtype="object")
    reason[primary] = PRIMARY
    suppressed = primary.copy()

    if complement_within is not None:
        keys = list(complement_within)
        parts = (
            [part.index for _, part in out.groupby(keys, sort=False, dropna=False)]
            if keys
            else [out.index]
        )
        for idx in parts:
            while True:
                hidden = suppressed[idx]
                hidden_n = n[idx][hidden].fillna(0).sum()
                if not hidden.any() or hidden_n >= threshold:
                    break
                candidates = n[idx][~hidden & (n[idx] > 0)]
                if candidates.empty:
                    break
                pick = candidates.sort_values(kind="stable").index[0]
                suppressed[pick] = True
                reason[pick] = COMPLEMENTARY

    for col in value_cols:
        out[col] = out[col].astype("float64") if _is_numeric(out[col]) else out[col]
        out.loc[suppressed, col] = math.nan if _is_numeric(out[col]) else pd.NA
    out[SUPPRESSED_COL] = suppressed.astype(bool)
    out[REASON_COL] = reason
    return out


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def suppress_breakdowns(
    cells: pd.DataFrame,
    *,
    threshold: int,
    n_col: str = "n",
    group_col: str = "group",
    subgroup_col: str = "subgroup",
    category_col: str = "category",
    total: str = "__total__",
) -> pd.DataFrame:
    """The small-cell rule for counts of persons per category, in total and by subgroup.

    A table of participant outcomes publishes counts that add up two ways: across the categories
    of a group to the group's total, and across the groups of one breakdown (the ``sex`` groups,
    say) to the cell of everyone (``subgroup == ""``). Hiding one small cell is not enough when
    the others of either sum are shown.

    1. **Primary**: a count with ``0 < n < threshold`` is hidden (shown as ``<5``).
    2. **Complementary**, repeated until nothing changes: in every sum whose total is shown (a
       group's categories; a breakdown's groups within one category, totals included), the hidden
       cells must be none, or at least two holding together at least ``threshold`` persons;
       otherwise the smallest shown positive cell is hidden too (shown as ``–``, its count
       withheld as well, since the count is the value). When the cell of everyone is itself
       hidden, at least one cell of each breakdown under it is hidden as well.

    Parameters
    ----------
    cells
        One row per group × category with the count ``n_col``; ``subgroup_col`` names the
        breakdown (``""`` for everyone) and ``group_col`` the group; rows with
        ``category == total`` are the groups' totals. Not modified.

    Returns
    -------
    pandas.DataFrame
        A copy with ``suppressed`` and ``suppression_reason`` (``small_cell``,
        ``complementary`` or missing).

    Examples
    --------
    >>> cells = pd.DataFrame({"subgroup": "", "group": "", "category": ["a", "b", "c", "__total__"],
    ...                       "n": [58, 1, 39, 98]})
    >>> suppress_breakdowns(cells, threshold=5)["suppression_reason"].tolist()
    [<NA>, 'small_cell', 'complementary', <NA>]
    """
    _check_threshold(threshold)
    out = cells.copy().reset_index(drop=True)
    n = pd.to_numeric(out[n_col], errors="coerce").fillna(0)
    primary = (n > 0) & (n < threshold)
    hidden = primary.copy()
    reason = pd.Series(pd.NA, index=out.index, dtype="object")
    reason[primary] = PRIMARY
    is_total = out[category_col] == total
    everyone = out[subgroup_col] == ""
    relations: list[tuple[pd.Index, int | None]] = []  # (members, index of their total or None)
    for _, part in out.groupby([subgroup_col, group_col], sort=False):
        tot = part.index[is_total[part.index]]
        relations.append((part.index[~is_total[part.index]], int(tot[0]) if len(tot) else None))
    for (_sub, cat), part in out[~everyone].groupby([subgroup_col, category_col], sort=False):
        top = out.index[everyone & (out[category_col] == cat)]
        relations.append((part.index, int(top[0]) if len(top) else None))
    while _complement_once(relations, n, hidden, reason, threshold):
        pass
    labels = [
        " | ".join(str(x) for x in (r[subgroup_col], r[group_col], r[category_col]) if str(x))
        for _, r in out.iterrows()
    ]
    record = _prove(relations, n, hidden, reason, threshold, labels, n_col)
    out[SUPPRESSED_COL] = hidden.astype(bool)
    out[REASON_COL] = reason
    out.attrs["published"] = [record]
    return out


def _prove(
    relations: list[tuple[pd.Index, int | None]],
    n: pd.Series,
    hidden: pd.Series,
    reason: pd.Series,
    threshold: int,
    labels: list[str],
    column: str,
) -> Published:
    """Check the rule's result with the linear-programming proof and hide more cells while a
    hidden one can still be worked out (``hidden`` and ``reason`` are updated); the record."""
    cells = tuple(
        Cell(str(i), labels[i], column, None, *hidden_bounds(str(reason[i]), threshold))
        if hidden[i]
        else Cell(str(i), labels[i], column, float(n[i]))
        for i in n.index
    )
    sums = tuple(
        Sum(tuple(str(m) for m in members), str(top), bool(n[members].sum() == n[top]))
        for members, top in relations
        if top is not None and len(members)
    )
    record, more = secure(Published("", "", cells, sums), hidden_bounds(COMPLEMENTARY, threshold))
    for i in more:
        hidden[int(i)] = True
        reason[int(i)] = COMPLEMENTARY
    return record


def _complement_once(
    relations: list[tuple[pd.Index, int | None]],
    n: pd.Series,
    hidden: pd.Series,
    reason: pd.Series,
    threshold: int,
) -> bool:
    """One pass of complementary suppression over every sum (``hidden`` and ``reason`` are
    updated); whether a cell was hidden."""
    changed = False
    for members, top in relations:
        shown_total = top is not None and not hidden[top]
        h = members[hidden[members].to_numpy()]
        need = (shown_total and len(h) > 0 and (len(h) < 2 or n[h].sum() < threshold)) or (
            top is not None and bool(hidden[top]) and len(h) == 0 and n[members].sum() > 0
        )
        if not need:
            continue
        candidates = n[members][~hidden[members].to_numpy() & (n[members] > 0).to_numpy()]
        if candidates.empty:
            continue
        pick = candidates.sort_values(kind="stable").index[0]
        hidden[pick] = True
        reason[pick] = COMPLEMENTARY
        changed = True
    return changed


def suppress_distributions(
    df: pd.DataFrame,
    *,
    threshold: int,
    by: Sequence[str] = ("instrument", "wave", "item"),
    n_col: str = "n",
    kind_col: str = "response_kind",
    scored_kind: str = "scored",
) -> pd.DataFrame:
    """Apply the small-cell rule to response distributions (``item_distributions.csv``).

    Parameters
    ----------
    df
        One row per answer option and item: ``by`` columns, ``response_kind``, ``n``, ``share``,
        ``share_of_scored``. Not modified.
    threshold
        The smallest publishable base (``project.privacy.min_cell_size``).
    by
        The columns that identify one distribution (add group columns for breakdowns).

    Returns
    -------
    pandas.DataFrame
        A copy with ``n``, ``share`` and ``share_of_scored`` blanked where the rule withholds them,
        and boolean columns ``suppressed`` (the row's values are withheld) and ``base_suppressed``
        (nothing about the distribution may be shown). Rows stay in place so that a table or a
        figure can mark what was withheld.
    """
    _check_threshold(threshold)
    keys = list(by)
    missing = [c for c in (*keys, n_col, kind_col) if c not in df.columns]
    if missing:
        raise KeyError(f"suppress_distributions: columns not in the table: {', '.join(missing)}")
    out = df.copy()
    n = pd.to_numeric(out[n_col], errors="coerce").fillna(0)
    grouped = n.groupby([out[k] for k in keys], sort=False, dropna=False)
    base = grouped.transform("sum")
    scored = out[kind_col] == scored_kind
    scored_base = n.where(scored, 0).groupby([out[k] for k in keys], dropna=False).transform("sum")
    whole = base < threshold
    scored_hidden = scored & (scored_base < threshold)
    hide = whole | scored_hidden
    for col in (n_col, "share", "share_of_scored"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
            out.loc[hide, col] = math.nan
    out[SUPPRESSED_COL] = hide.astype(bool)
    out["base_suppressed"] = whole.astype(bool)
    return out


def publishable(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a suppressed table that may be drawn (``suppressed`` is false)."""
    if SUPPRESSED_COL not in df.columns:
        raise KeyError("publishable: apply suppress_small_groups or suppress_distributions first")
    return df.loc[~df[SUPPRESSED_COL].astype(bool)].copy()


def suppression_note(threshold: int, *, lang: str) -> str:
    """The footnote that explains the ``–`` mark (groups of respondents).

    >>> suppression_note(5, lang="en")[:40]
    '– = not shown: fewer than 5 respondents '
    """
    return report_strings(lang)("disclosure.suppressed", mark=SUPPRESSED, threshold=threshold)


def not_available_note(*, lang: str) -> str:
    """The footnote that explains the ``..`` mark."""
    return report_strings(lang)("disclosure.not_available", mark=NOT_AVAILABLE)


def persons_suppression_note(threshold: int, *, lang: str) -> str:
    """The footnote of a table of counts of persons (participant outcomes): ``<5`` and ``–``."""
    return report_strings(lang)("disclosure.persons", mark=SUPPRESSED, threshold=threshold)


# -- single cells --------------------------------------------------------------------------------
def is_small_cell(n: object, threshold: int | None) -> bool:
    """Whether a count is a small cell: ``0 < n < threshold`` (never with ``threshold=None``).

    >>> is_small_cell(3, 5), is_small_cell(0, 5), is_small_cell(5, 5), is_small_cell(3, None)
    (True, False, False, False)
    """
    if threshold is None or is_missing(n):
        return False
    return 0 < float(n) < threshold  # type: ignore[arg-type]


def too_small_base(n: object, threshold: int) -> bool:
    """Whether a base (the persons or documents a share is taken of) is below ``threshold``;
    an empty base is too small as well.

    >>> too_small_base(4, 5), too_small_base(0, 5), too_small_base(12, 5)
    (True, True, False)
    """
    return is_missing(n) or float(n) < threshold  # type: ignore[arg-type]


def count_mark(reason: object, threshold: int) -> str:
    """What a hidden count shows: ``<threshold`` for a small cell, ``–`` for one hidden so that a
    small cell cannot be worked out."""
    return f"<{threshold}" if reason == PRIMARY else SUPPRESSED


def format_count(n: object, *, suppressed: bool, reason: object, threshold: int, lang: str) -> str:
    """A count of persons that is itself the value: its mark when hidden, else the number.

    >>> format_count(58, suppressed=False, reason=None, threshold=5, lang="sv")
    '58'
    >>> format_count(2, suppressed=True, reason=PRIMARY, threshold=5, lang="sv")
    '<5'
    >>> format_count(9, suppressed=True, reason=COMPLEMENTARY, threshold=5, lang="sv")
    '–'
    """
    if suppressed:
        return count_mark(reason, threshold)
    return format_number(n, decimals=0, lang=lang)


def sum_reveals_hidden(cells: pd.DataFrame, *, members: pd.Series, counted: set[str]) -> bool:
    """Whether publishing the sum over the ``counted`` categories of one group would reveal a
    hidden cell of :func:`suppress_breakdowns` output.

    ``members`` selects the group's rows (its categories and its ``__total__`` row). The sum is
    safe when the group's hidden cells all lie on one side (all counted or none) and its total is
    shown; otherwise the sum and the visible cells give a hidden one away.
    """
    part = cells[members & (cells["category"] != "__total__")]
    hidden = part[part[SUPPRESSED_COL].astype(bool)]
    sides = {c in counted for c in hidden["category"]}
    total = cells[members & (cells["category"] == "__total__")]
    small_total = bool(total[SUPPRESSED_COL].any()) if not total.empty else False
    return len(sides) > 1 or small_total
