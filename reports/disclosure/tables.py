"""Formatted tables: the rows a report shows, rounded and with the small-cell rule applied."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from reports.disclosure.linear import SECONDARY, Cell, Published, Sum, protect
from reports.disclosure.numbers import (
    NOT_AVAILABLE,
    SUPPRESSED,
    format_ci,
    format_n,
    format_number,
    format_p,
    format_percent,
    is_missing,
)
from reports.disclosure.rules import (
    PRIMARY,
    REASON_COL,
    SUPPRESSED_COL,
    not_available_note,
    suppress_small_groups,
    suppression_note,
)


@dataclass(frozen=True)
class Stated:
    """A total the report states elsewhere (in a sentence), which the rows add up to."""

    value: float


Sums = Sequence[tuple[Sequence[Hashable], Hashable]]
"""Rows whose counts add up, by index label: ``(members, total)``; ``total`` is a row's label, or
a :class:`Stated` total."""


@dataclass(frozen=True)
class Additive:
    """How a table's counts add up (:data:`Sums`), and the visible column (``cap``, e.g. the
    invited) that a row's count cannot exceed."""

    sums: Sums
    cap: str | None = None


Kind = Literal["text", "n", "count", "integer", "number", "percent", "ci", "mean_n", "p"]
Align = Literal["left", "right", "center"]


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
        ``count`` (the ``n_col`` count when it is itself the value, e.g. interviews: ``<5`` when
        small, ``–`` when hidden so that a small one cannot be worked out), ``integer`` (a structural
        count such as items or invited, never blanked), ``number`` (``decimals``, default 2),
        ``percent`` (a 0–1 share, default 0 decimals), ``ci``, ``mean_n`` (``3,45 (23)``) and
        ``p`` (a p-value, :func:`reports.disclosure.format_p`).
    decimals
        Overrides the kind's default.
    align_as
        Overrides the kind's alignment (text left, numbers right).
    """

    header: str
    source: str | tuple[str, ...]
    kind: Kind = "number"
    decimals: int | None = None
    align_as: Align | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)

    @property
    def align(self) -> Align:
        if self.align_as is not None:
            return self.align_as
        return "left" if self.kind == "text" else "right"


_COUNT_HIDDEN = "_count_suppressed"
_DEFAULT_DECIMALS = {"number": 2, "percent": 0, "ci": 2, "mean_n": 2}
_VALUE_KINDS = ("number", "percent", "ci", "mean_n", "p")
_HIDEABLE = ("number", "percent", "ci", "p")


@dataclass(frozen=True)
class _Cell:
    """What one cell's formatter knows about its row."""

    row: pd.Series
    col: Column
    lang: str
    threshold: int | None
    n_col: str = "n"

    @property
    def hidden(self) -> bool:
        return bool(self.row[SUPPRESSED_COL])

    @property
    def count_hidden(self) -> bool:
        """Hidden by secondary suppression of the counts (``additive``): the count shows ``–``."""
        return self.hidden and bool(self.row.get(_COUNT_HIDDEN, False))

    @property
    def primary(self) -> bool:
        reason = self.row[REASON_COL]
        return isinstance(reason, str) and reason == PRIMARY

    @property
    def decimals(self) -> int:
        d = self.col.decimals
        return d if d is not None else _DEFAULT_DECIMALS.get(self.col.kind, 0)

    def value(self, i: int = 0) -> object:
        return self.row[self.col.sources[i]]

    def n_text(self, i: int = 0) -> str:
        cut = self.threshold if self.primary else None
        return format_n(self.value(i), threshold=cut, lang=self.lang)


def _text(c: _Cell) -> str:
    value = c.value()  # a str is kept as it is: Markdown stays Markdown, data stays data
    return "" if is_missing(value) else value if isinstance(value, str) else str(value)


def _count(c: _Cell) -> str:
    if c.hidden and not c.primary:
        return SUPPRESSED
    return c.n_text()


def _n(c: _Cell) -> str:
    """Respondents behind a row: ``<5`` when small, ``–`` when hidden so that a small one
    cannot be worked out by subtraction (secondary suppression), else the number."""
    if c.count_hidden and c.col.source == c.n_col:
        return SUPPRESSED
    return c.n_text()


def _mean_n(c: _Cell) -> str:
    mean = SUPPRESSED if c.hidden else format_number(c.value(), decimals=c.decimals, lang=c.lang)
    secondary = c.count_hidden and c.col.sources[1] == c.n_col
    return f"{mean} ({SUPPRESSED if secondary else c.n_text(1)})"


_FORMATTERS: dict[str, Callable[[_Cell], str]] = {
    "text": _text,
    "n": _n,
    "count": _count,
    "integer": lambda c: format_number(c.value(), decimals=0, lang=c.lang),
    "mean_n": _mean_n,
    "number": lambda c: format_number(c.value(), decimals=c.decimals, lang=c.lang),
    "percent": lambda c: format_percent(c.value(), decimals=c.decimals, lang=c.lang),
    "ci": lambda c: format_ci(c.value(0), c.value(1), decimals=c.decimals, lang=c.lang),
    "p": lambda c: format_p(c.value(), lang=c.lang),
}


def _format_cell(cell: _Cell) -> str:
    if cell.col.kind in _HIDEABLE and cell.hidden:
        return SUPPRESSED
    try:
        formatter = _FORMATTERS[cell.col.kind]
    except KeyError:
        raise ValueError(f"unknown column kind {cell.col.kind!r}") from None
    return formatter(cell)


def format_table(
    df: pd.DataFrame,
    columns: Sequence[Column],
    *,
    lang: str,
    threshold: int | None,
    n_col: str = "n",
    complement_within: Sequence[str] | None = None,
    note: str | None = None,
    additive: Additive | None = None,
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
        Passed to :func:`reports.disclosure.suppress_small_groups`.
    note
        The footnote for suppressed cells when the table does not count respondents (default:
        :func:`reports.disclosure.suppression_note`).
    additive
        Rows whose ``n_col`` counts add up (:class:`Additive`). When given, the counts are
        protected by :func:`reports.disclosure.linear.protect` (primary and secondary suppression
        until no hidden count can be worked out; a secondary row shows ``–`` for its count too)
        instead of ``complement_within``, and ``attrs["published"]`` records what the table
        shows for the audit.

    Returns
    -------
    pandas.DataFrame
        One string column per spec, headed by its ``header``. ``attrs["align"]`` lists each
        column's alignment and ``attrs["notes"]`` the footnotes the table needs (suppression,
        ``..``).
    """
    value_cols = sorted({s for c in columns if c.kind in _VALUE_KINDS for s in c.sources} - {n_col})
    published: list[Published] = []
    if threshold is not None and additive is not None:
        table, record = _protect_rows(df, n_col, value_cols, threshold, additive, columns)
        published.append(record)
    elif threshold is not None:
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
    headers = [c.header for c in columns]
    if len(set(headers)) != len(headers):
        raise ValueError(f"format_table: headers must be unique; got {headers}")
    rows = [
        [_format_cell(_Cell(row, c, lang, threshold, n_col)) for c in columns]
        for _, row in table.iterrows()
    ]
    out = pd.DataFrame(rows, columns=headers, dtype="object")
    notes: list[str] = []
    if threshold is not None and bool(table[SUPPRESSED_COL].any()):
        notes.append(note or suppression_note(threshold, lang=lang))
    if any(NOT_AVAILABLE in str(v) for v in out.to_numpy().ravel()):
        notes.append(not_available_note(lang=lang))
    out.attrs["align"] = [c.align for c in columns]
    out.attrs["notes"] = notes
    out.attrs["published"] = published
    return out


def group_sums(scores: pd.DataFrame, df: pd.DataFrame) -> list[tuple[list[Hashable], Hashable]]:
    """The groups of one wave and scale (rows of ``df``, a part of ``scale_scores``) add up to
    everyone's ``n`` (the ``group_by == "all"`` rows of ``scores``), which the table of construct
    means states: the sums the small-cell rule must survive, in the table and in the figure."""
    every = scores[scores["group_by"] == "all"]
    overall = {
        (str(w), str(sc)): n
        for w, sc, n in zip(every["wave"], every["scale"], every["n"], strict=True)
    }
    sums: list[tuple[list[Hashable], Hashable]] = []
    for (w, sc), part in df.groupby(["wave", "scale"], sort=False):
        n = overall.get((str(w), str(sc)))
        if n is not None and not is_missing(n):
            sums.append((list(part.index), Stated(float(n))))
    return sums


def protect_rows(
    df: pd.DataFrame, *, n_col: str, value_cols: Sequence[str], threshold: int, additive: Additive
) -> pd.DataFrame:
    """The rows of ``df`` with ``suppressed`` and ``suppression_reason`` by the same protection
    as :func:`format_table` with ``additive`` (for a figure that must hide what its table hides)."""
    return _protect_rows(df, n_col, value_cols, threshold, additive, [])[0]


def _row_label(row: pd.Series, columns: Sequence[Column]) -> str:
    texts = [str(row[c.source]) for c in columns if c.kind == "text" and isinstance(c.source, str)]
    return " | ".join(t for t in texts if t and t != "nan")


def _protect_rows(
    df: pd.DataFrame,
    n_col: str,
    value_cols: Sequence[str],
    threshold: int,
    additive: Additive,
    columns: Sequence[Column],
) -> tuple[pd.DataFrame, Published]:
    """Hide rows by :func:`reports.disclosure.linear.protect` over ``n_col``; the rows with
    ``suppressed`` and ``suppression_reason``, and the record of what stays visible."""
    sums, cap_col = additive.sums, additive.cap
    header = next((c.header for c in columns if n_col in c.sources), n_col)
    cells = [
        Cell(
            str(i),
            _row_label(row, columns),
            header,
            float(row[n_col]),
            cap=None if cap_col is None or is_missing(row[cap_col]) else float(row[cap_col]),
        )
        for i, row in df.iterrows()
    ]
    relations = []
    for k, (members, total) in enumerate(sums):
        if isinstance(total, Stated):
            cells.append(Cell(f"stated-{k}", "total stated in the text", header, total.value))
            total_id = f"stated-{k}"
        else:
            total_id = str(total)
        known = df.loc[list(members), n_col].astype(float).sum()
        value = next(c.value for c in cells if c.id == total_id)
        relations.append(Sum(tuple(str(m) for m in members), total_id, bool(known == value)))
    record, reasons = protect(Published("", "", tuple(cells), tuple(relations)), threshold)
    out = df.copy()
    out[SUPPRESSED_COL] = [str(i) in reasons for i in df.index]
    out[_COUNT_HIDDEN] = [reasons.get(str(i)) == SECONDARY for i in df.index]
    out[REASON_COL] = pd.Series([reasons.get(str(i), pd.NA) for i in df.index], index=df.index)
    for col in value_cols:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        out.loc[out[SUPPRESSED_COL], col] = float("nan")
    return out, record
