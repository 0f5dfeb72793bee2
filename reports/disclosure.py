"""Disclosure control and number formatting: the one place where results are rounded and blanked.

Every table and figure in a report goes through this module. Results files (``output/results``)
stay unrounded and complete; what leaves the pipeline as a report is rounded here and obeys the
small-cell rule here.

The small-cell rule
-------------------
``threshold`` is ``project.privacy.min_cell_size`` (default 5).

*Group summaries* (a mean, SD, CI, α … for a group of respondents; :func:`suppress_small_groups`):

1. **Primary suppression.** A row with ``0 < n < threshold`` is suppressed: its values are blanked
   and shown as ``–``; its ``n`` is shown as ``<5`` (never the exact count).
2. **Complementary suppression** (when ``complement_within`` names the columns of one breakdown,
   e.g. construct means by staff group within one wave and construct). The groups of a breakdown add
   up to a published total, so one hidden group could be recovered by subtraction. Within each
   breakdown, while the suppressed rows together hold fewer than ``threshold`` respondents, the
   smallest remaining group is suppressed too. Its values are blanked; its ``n`` stays visible (a
   group of at least ``threshold`` respondents is not itself a small cell).
3. A row with ``n == 0`` has no values to hide and is left as it is.

*Response distributions* (shares per answer option of one item; :func:`suppress_distributions`):
distributions are only ever reported for a whole wave (or a whole group), as shares, never as
counts. An item's distribution is shown only if its base is at least ``threshold``:

- if the number of respondents asked (all answers, "not relevant" and missing included) is below the
  threshold, nothing about the item is shown;
- if the number of scored answers is below the threshold, the scored shares are withheld (the
  "not relevant" and missing shares, whose base is everyone asked, are still shown).

A single small cell *within* a sufficient base (say 1 of 40 answered "strongly disagree") is shown
as a share: the base is the whole wave, not a unit or a profession, so it does not point to anyone.
Breakdowns of distributions by group must pass the group columns in ``by`` so that the rule is
applied per group base.

Formatting
----------
Swedish: decimal comma, a non-breaking space between thousands, ``45 %``; English: decimal point,
comma between thousands, ``45%``. Means, SDs and α with 2 decimals, counts with 0, shares as percent
with 0 decimals. Halves are rounded away from zero (2.675 → 2.68), not to even.
Marks: ``–`` a value withheld by the small-cell rule; ``..`` a value that could not be computed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import pandas as pd

SUPPRESSED = "–"
"""Shown instead of a value withheld by the small-cell rule."""
NOT_AVAILABLE = ".."
"""Shown instead of a value that could not be computed (e.g. no CI for one respondent)."""

_NBSP = "\u00a0"
_MINUS = "\u2212"

Kind = Literal["text", "n", "integer", "number", "percent", "ci", "mean_n"]

SUPPRESSED_COL = "suppressed"
REASON_COL = "suppression_reason"
PRIMARY = "small_cell"
COMPLEMENTARY = "complementary"


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

    def relations() -> list[tuple[pd.Index, int | None]]:
        """(members, index of the known total or None)."""
        rel: list[tuple[pd.Index, int | None]] = []
        for _, part in out.groupby([subgroup_col, group_col], sort=False):
            tot = part.index[is_total[part.index]]
            rel.append((part.index[~is_total[part.index]], int(tot[0]) if len(tot) else None))
        for (_sub, cat), part in out[~everyone].groupby([subgroup_col, category_col], sort=False):
            top = out.index[everyone & (out[category_col] == cat)]
            rel.append((part.index, int(top[0]) if len(top) else None))
        return rel

    rels = relations()
    changed = True
    while changed:
        changed = False
        for members, top in rels:
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
    out[SUPPRESSED_COL] = hidden.astype(bool)
    out[REASON_COL] = reason
    return out


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


# -- numbers -----------------------------------------------------------------------------------
def _is_missing(x: object) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(math.isnan(float(x)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _round(x: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    value = Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)
    return value if value != 0 else abs(value)  # no "-0,00"


def format_number(x: object, *, decimals: int, lang: str) -> str:
    """Round half away from zero and write ``x`` the way the language writes numbers.

    Missing values come out as ``..`` (:data:`NOT_AVAILABLE`).

    Examples
    --------
    >>> format_number(1234.5, decimals=1, lang="sv")
    '1\\xa0234,5'
    >>> format_number(1234.5, decimals=1, lang="en")
    '1,234.5'
    >>> format_number(2.675, decimals=2, lang="sv")
    '2,68'
    >>> format_number(-0.004, decimals=2, lang="sv")
    '0,00'
    >>> format_number(-0.25, decimals=2, lang="sv")
    '−0,25'
    >>> format_number(float("nan"), decimals=2, lang="sv")
    '..'
    """
    if _is_missing(x):
        return NOT_AVAILABLE
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0; got {decimals}")
    value = _round(float(x), decimals)  # type: ignore[arg-type]
    text = f"{abs(value):,.{decimals}f}"  # "1,234.50"
    if lang == "sv":
        text = text.replace(",", _NBSP).replace(".", ",")
    elif lang != "en":
        raise ValueError(f"lang must be 'sv' or 'en'; got {lang!r}")
    return (_MINUS + text) if value < 0 else text


def format_percent(share: object, *, decimals: int = 0, lang: str) -> str:
    """A share (0–1) as a percentage: ``45 %`` in Swedish, ``45%`` in English.

    >>> format_percent(0.4549, lang="sv")
    '45\\xa0%'
    >>> format_percent(0.125, decimals=0, lang="en")
    '13%'
    """
    if _is_missing(share):
        return NOT_AVAILABLE
    number = format_number(float(share) * 100, decimals=decimals, lang=lang)  # type: ignore[arg-type]
    return f"{number}{_NBSP}%" if lang == "sv" else f"{number}%"


def format_ci(low: object, high: object, *, decimals: int = 2, lang: str) -> str:
    """A confidence interval as ``low–high`` (spaced when a bound is negative).

    >>> format_ci(3.1234, 3.8512, lang="sv")
    '3,12–3,85'
    >>> format_ci(-0.05, 0.4, lang="en")
    '−0.05 – 0.40'
    >>> format_ci(float("nan"), 0.4, lang="en")
    '..'
    """
    if _is_missing(low) or _is_missing(high):
        return NOT_AVAILABLE
    a = format_number(low, decimals=decimals, lang=lang)
    b = format_number(high, decimals=decimals, lang=lang)
    spaced = a.startswith(_MINUS) or b.startswith(_MINUS)
    return f"{a} – {b}" if spaced else f"{a}–{b}"


def format_n(n: object, *, threshold: int | None, lang: str) -> str:
    """A respondent count, or ``<threshold`` for a small cell.

    >>> format_n(3, threshold=5, lang="sv")
    '<5'
    >>> format_n(1250, threshold=5, lang="sv")
    '1\\xa0250'
    """
    if _is_missing(n):
        return NOT_AVAILABLE
    if threshold is not None and 0 < float(n) < threshold:  # type: ignore[arg-type]
        return f"<{threshold}"
    return format_number(n, decimals=0, lang=lang)


def suppression_note(threshold: int, *, lang: str) -> str:
    """The footnote that explains the ``–`` mark."""
    if lang == "sv":
        return (
            f"{SUPPRESSED} = visas inte: färre än {threshold} svarande i gruppen, eller dolt så "
            f"att en sådan grupps värde inte kan räknas fram ur totalen."
        )
    return (
        f"{SUPPRESSED} = not shown: fewer than {threshold} respondents in the group, or withheld "
        f"so that such a group's value cannot be worked out from the total."
    )


def not_available_note(*, lang: str) -> str:
    """The footnote that explains the ``..`` mark."""
    if lang == "sv":
        return f"{NOT_AVAILABLE} = kan inte beräknas."
    return f"{NOT_AVAILABLE} = cannot be computed."


# -- tables ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a formatted table.

    Parameters
    ----------
    header
        The header text, already in the report's language.
    source
        The column(s) of the input: one name, or ``(low, high)`` for ``ci`` and ``(mean, n)`` for
        ``mean_n``.
    kind
        ``text`` (as is, never blanked), ``n`` (respondents behind the row; ``<5`` when small),
        ``integer`` (a structural count such as items or invited, never blanked), ``number``
        (``decimals``, default 2), ``percent`` (a 0–1 share, default 0 decimals), ``ci`` and
        ``mean_n`` (``3,45 (23)``).
    decimals
        Overrides the kind's default.
    """

    header: str
    source: str | tuple[str, ...]
    kind: Kind = "number"
    decimals: int | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)

    @property
    def align(self) -> Literal["left", "right"]:
        return "left" if self.kind == "text" else "right"


_DEFAULT_DECIMALS = {"number": 2, "percent": 0, "ci": 2, "mean_n": 2}
_VALUE_KINDS = ("number", "percent", "ci", "mean_n")


def format_table(
    df: pd.DataFrame,
    columns: Sequence[Column],
    *,
    lang: str,
    threshold: int | None,
    n_col: str = "n",
    complement_within: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Round, format and apply the small-cell rule: a frame of strings ready for a Markdown table.

    Parameters
    ----------
    df
        The unrounded rows to show, in order. Not modified.
    columns
        What to show, as :class:`Column` specs.
    lang
        ``"sv"`` or ``"en"``.
    threshold
        The small-cell threshold. ``None`` only for tables that do not describe respondents (e.g.
        rows read from a file); then nothing is suppressed.
    n_col
        The column with the respondents behind each row (used for the rule).
    complement_within
        Passed to :func:`suppress_small_groups`.

    Returns
    -------
    pandas.DataFrame
        One string column per spec, headed by its ``header``. ``attrs["align"]`` lists each
        column's alignment and ``attrs["notes"]`` the footnotes the table needs (suppression,
        ``..``).
    """
    value_cols = sorted({s for c in columns if c.kind in _VALUE_KINDS for s in c.sources} - {n_col})
    if threshold is not None:
        table = suppress_small_groups(
            df,
            n_col=n_col,
            value_cols=value_cols,
            threshold=threshold,
            complement_within=complement_within,
        )
    else:
        table = df.copy()
        table[SUPPRESSED_COL] = False
        table[REASON_COL] = pd.NA

    def cell(row: pd.Series, col: Column) -> str:
        hidden = bool(row[SUPPRESSED_COL])
        reason = row[REASON_COL]
        primary = isinstance(reason, str) and reason == PRIMARY
        decimals = col.decimals if col.decimals is not None else _DEFAULT_DECIMALS.get(col.kind, 0)
        src = col.sources
        if col.kind == "text":
            value = row[src[0]]
            return "" if _is_missing(value) else str(value)
        if col.kind == "n":
            return format_n(row[src[0]], threshold=threshold if primary else None, lang=lang)
        if col.kind == "integer":
            return format_number(row[src[0]], decimals=0, lang=lang)
        if col.kind == "mean_n":
            n_text = format_n(row[src[1]], threshold=threshold if primary else None, lang=lang)
            mean = (
                SUPPRESSED if hidden else format_number(row[src[0]], decimals=decimals, lang=lang)
            )
            return f"{mean} ({n_text})"
        if hidden:
            return SUPPRESSED
        if col.kind == "number":
            return format_number(row[src[0]], decimals=decimals, lang=lang)
        if col.kind == "percent":
            return format_percent(row[src[0]], decimals=decimals, lang=lang)
        if col.kind == "ci":
            return format_ci(row[src[0]], row[src[1]], decimals=decimals, lang=lang)
        raise ValueError(f"unknown column kind {col.kind!r}")

    headers = [c.header for c in columns]
    if len(set(headers)) != len(headers):
        raise ValueError(f"format_table: headers must be unique; got {headers}")
    rows = [[cell(row, c) for c in columns] for _, row in table.iterrows()]
    out = pd.DataFrame(rows, columns=headers, dtype="object")
    notes: list[str] = []
    if threshold is not None and bool(table[SUPPRESSED_COL].any()):
        notes.append(suppression_note(threshold, lang=lang))
    if any(NOT_AVAILABLE in str(v) for v in out.to_numpy().ravel()):
        notes.append(not_available_note(lang=lang))
    out.attrs["align"] = [c.align for c in columns]
    out.attrs["notes"] = notes
    return out
