"""Disclosure control that survives subtraction: what a reader can work out from a published
table, and the secondary suppression that leaves them nothing to work out.

A published table is a set of count cells, some visible (their value), some hidden (only what
their mark says: ``<5`` tells a reader the count lies in 1…4, ``–`` that it is 0 or at least 5,
and since only positive counts are hidden, at least 5), and the sums a reader knows hold between
them: the groups of a breakdown add up to the row of everyone, the rows of a table to a total
stated in the text. :func:`interval` computes, by linear programming, the smallest and largest
value a hidden cell can take given all of that (the *feasibility interval* of Hundepool et al.
2012, §4.3); a cell is **disclosed** when that interval holds a single whole number.

:func:`protect` is the secondary suppression: starting from the primary (small) cells, while any
hidden cell is disclosed, hide the smallest visible positive cell that shares a sum with it (a
member before a total), and check again. It is the greedy idea behind SSB's GaussSuppression
(Langsrud 2024, CRAN package ``GaussSuppression``) and τ-ARGUS's hypercube method (Hundepool et
al. 2012, §4.4): secondary cells are chosen small so that little is lost, and the loop ends only
when the linear-programming proof finds nothing to derive. :func:`leaks` is that proof, and the
audit (:mod:`reports.disclosure.audit`) runs it again on what the report recorded.

Own code rather than a library: no maintained Python package does cell suppression (sdcMicro,
GaussSuppression and τ-ARGUS are R and Java), and the tables here are small (tens of cells), so a
few ``scipy.optimize.linprog`` calls per table are cheap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog

from project.errors import DisclosureError

PRIMARY = "small_cell"
SECONDARY = "complementary"
_EPS = 1e-6


@dataclass(frozen=True)
class Cell:
    """One published count: ``value`` when visible; when hidden, ``low``–``high`` (what its mark
    tells a reader; ``high`` ``None`` for no upper bound). ``cap`` is a visible bound the count
    cannot exceed (the invited, for the respondents)."""

    id: str
    row: str
    column: str
    value: float | None = None
    low: float = 0.0
    high: float | None = None
    cap: float | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Sum:
    """Cells a reader knows add up: ``members`` sum to ``total`` (at most to it when not
    ``exact``, e.g. groups that need not cover everyone)."""

    members: tuple[str, ...]
    total: str
    exact: bool = True


@dataclass(frozen=True)
class Published:
    """What one rendered table (or figure) shows of its counts, and the sums between them.

    ``small_rule``: the counts are of persons or interviews under the small-cell rule (none
    below the threshold may be shown); false for counts within a shown one (double-coded
    interviews of a group), which only must not give a hidden one away."""

    id: str
    caption: str
    cells: tuple[Cell, ...]
    sums: tuple[Sum, ...] = field(default=())
    small_rule: bool = True

    def __deepcopy__(self, memo: dict[int, Any]) -> Published:
        """Itself: a record is immutable (frozen, of tuples of frozen cells and sums). pandas deep
        copies a frame's ``attrs`` for every column or row taken from it, and the tables carry
        their records there (``attrs["published"]``): rebuilding them cost seconds per report."""
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Published:
        cells = tuple(Cell(**c) for c in data["cells"])
        sums = tuple(
            Sum(tuple(s["members"]), s["total"], bool(s.get("exact", True))) for s in data["sums"]
        )
        rule = bool(data.get("small_rule", True))
        return cls(str(data["id"]), str(data["caption"]), cells, sums, rule)


def hidden_bounds(reason: str | None, threshold: int) -> tuple[float, float | None]:
    """What a hidden cell's mark tells: ``<threshold`` → 1…threshold−1, ``–`` → at least
    ``threshold`` (only positive counts are hidden, and a small one would show ``<5``)."""
    return (1.0, float(threshold - 1)) if reason == PRIMARY else (float(threshold), None)


def interval(table: Published, cell_id: str) -> tuple[float, float]:
    """The smallest and largest value of a hidden cell that agree with everything visible.

    >>> t = Published("t", "", (Cell("a", "a", "n", 17), Cell("b", "b", "n", 10),
    ...     Cell("c", "c", "n", None, 1, 4), Cell("all", "all", "n", 30)),
    ...     (Sum(("a", "b", "c"), "all"),))
    >>> interval(t, "c")
    (3.0, 3.0)
    """
    cells = {c.id: c for c in table.cells}
    hidden = [c.id for c in table.cells if c.hidden]
    col = {cid: i for i, cid in enumerate(hidden)}
    a_eq: list[Any] = []
    b_eq: list[float] = []
    a_ub: list[Any] = []
    b_ub: list[float] = []
    for s in table.sums:
        row = np.zeros(len(hidden))
        rhs = 0.0
        for cid, sign in [*((m, 1.0) for m in s.members), (s.total, -1.0)]:
            if cells[cid].hidden:
                row[col[cid]] += sign
            else:
                rhs -= sign * float(cells[cid].value)  # type: ignore[arg-type]
        if not row.any():
            continue
        (a_eq if s.exact else a_ub).append(row)
        (b_eq if s.exact else b_ub).append(rhs)
    bounds = [(cells[h].low, cells[h].high) for h in hidden]
    out = []
    for sign in (1.0, -1.0):
        c = np.zeros(len(hidden))
        c[col[cell_id]] = sign
        res = linprog(
            c,
            A_ub=np.array(a_ub) if a_ub else None,
            b_ub=b_ub or None,
            A_eq=np.array(a_eq) if a_eq else None,
            b_eq=b_eq or None,
            bounds=bounds,
            method="highs",
        )
        if res.status == 3:  # unbounded: no largest value
            out.append(math.inf)
        elif res.status != 0:
            raise DisclosureError(
                f"{table.id}: the recorded cells contradict each other (no count fits all sums). "
                f"Hint: build the report again; the record is written by the report."
            )
        else:
            out.append(sign * float(res.fun))
    return out[0], out[1]


def disclosed(low: float, high: float) -> bool:
    """Whether an interval holds a single whole number (a count a reader can work out)."""
    if math.isinf(high):
        return False
    return math.floor(high + _EPS) - math.ceil(low - _EPS) < 1


@dataclass(frozen=True)
class Leak:
    """A hidden cell a reader can work out (``low == high``), or a small count shown."""

    table: str
    cell: Cell
    low: float
    high: float
    shown_small: bool = False

    def __str__(self) -> str:
        where = f"table {self.table!r}, cell ({self.cell.row}, {self.cell.column})"
        if self.shown_small:
            return f"{where}: a count below the threshold is shown ({self.cell.value:g})"
        return (
            f"{where}: the hidden count can be worked out from the visible cells and totals "
            f"(it is {round(self.low):g}). Hint: hide one more cell of its row or column."
        )


def leaks(table: Published, threshold: int | None = None) -> list[Leak]:
    """The proof: every hidden cell a reader can work out, and (with ``threshold``) every
    visible count below it. Empty when the table is safe."""
    out = []
    if threshold is not None and table.small_rule:
        out += [
            Leak(table.id, c, c.value, c.value, shown_small=True)
            for c in table.cells
            if c.value is not None and 0 < c.value < threshold
        ]
    related = {m for s in table.sums for m in (*s.members, s.total)}
    for c in table.cells:
        if c.hidden and c.id in related:
            low, high = interval(table, c.id)
            if disclosed(low, high):
                out.append(Leak(table.id, c, low, high))
    return out


def _hide(table: Published, cell_id: str, bounds: tuple[float, float | None]) -> Published:
    low, high = bounds

    def hidden(c: Cell) -> Cell:
        top = c.cap if high is None else high if c.cap is None else min(high, c.cap)
        return Cell(c.id, c.row, c.column, None, low, top, c.cap)

    cells = tuple(hidden(c) if c.id == cell_id else c for c in table.cells)
    return Published(table.id, table.caption, cells, table.sums, table.small_rule)


def _next_to_hide(table: Published, leak: Cell) -> str | None:
    """The smallest visible positive cell sharing a sum with ``leak``: members before totals;
    failing those (all hidden or zero), in any sum that holds a hidden cell."""
    cells = {c.id: c for c in table.cells}
    near = [s for s in table.sums if leak.id in (*s.members, s.total)]
    wider = [s for s in table.sums if any(cells[i].hidden for i in (*s.members, s.total))]
    for pool in (
        [m for s in near for m in s.members],
        [s.total for s in near],
        [i for s in wider for i in (*s.members, s.total)],
    ):
        shown = [cells[i] for i in dict.fromkeys(pool) if not cells[i].hidden]
        shown = [c for c in shown if c.value is not None and c.value > 0]
        if shown:
            return min(shown, key=lambda c: float(c.value)).id  # type: ignore[arg-type]
    return None


def protect(table: Published, threshold: int) -> tuple[Published, dict[str, str]]:
    """Primary and secondary suppression of a table of visible counts.

    Every count with ``0 < n < threshold`` is hidden (primary); then, while :func:`leaks` finds a
    hidden cell a reader can work out, the smallest visible positive cell that shares a sum with
    it is hidden too (secondary). Last, the hidden members of every sum must together hold at
    least ``threshold`` (else a mean or share of the row of everyone, less the visible rows',
    would describe fewer persons): while they do not, the smallest visible member is hidden and
    the proof runs again. Returns the protected table and cell id → reason.
    """
    true = {c.id: c.value for c in table.cells}
    reasons: dict[str, str] = {}
    for c in table.cells:
        if c.value is not None and 0 < c.value < threshold:
            reasons[c.id] = PRIMARY
            table = _hide(table, c.id, hidden_bounds(PRIMARY, threshold))
    while True:
        table, more = secure(table, hidden_bounds(SECONDARY, threshold))
        reasons |= more
        pick = _pool_short(table, true, threshold)
        if pick is None:
            return table, reasons
        reasons[pick] = SECONDARY
        table = _hide(table, pick, hidden_bounds(SECONDARY, threshold))


def _pool_short(table: Published, true: Mapping[str, float | None], threshold: int) -> str | None:
    """A visible member to hide in the first sum whose hidden members hold fewer than
    ``threshold`` together (``true``: the counts before hiding), or ``None``."""
    cells = {c.id: c for c in table.cells}
    for s in table.sums:
        hidden = [m for m in s.members if cells[m].hidden]
        if hidden and sum(true[m] or 0.0 for m in hidden) < threshold:
            shown = [cells[m] for m in s.members if not cells[m].hidden and (true[m] or 0) > 0]
            if shown:
                return min(shown, key=lambda c: float(c.value or 0)).id
    return None


def secure(
    table: Published, bounds: tuple[float, float | None]
) -> tuple[Published, dict[str, str]]:
    """Secondary suppression alone: while a hidden cell can be worked out, hide the smallest
    visible positive cell sharing a sum with it (what its mark tells: ``bounds``)."""
    reasons: dict[str, str] = {}
    while True:
        found = leaks(table)
        if not found:
            return table, reasons
        pick = next((p for p in (_next_to_hide(table, f.cell) for f in found) if p), None)
        if pick is None:
            raise DisclosureError(f"{found[0]}; no cell is left to hide in the table")
        reasons[pick] = SECONDARY
        table = _hide(table, pick, bounds)


def check(tables: Sequence[Published], threshold: int) -> list[Leak]:
    """:func:`leaks` over several tables."""
    return [leak for t in tables for leak in leaks(t, threshold)]
