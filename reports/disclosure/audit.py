"""The disclosure audit: a proof, for every rendered table, that no hidden count can be worked out
from the visible cells and the totals.

The report build keeps a machine-readable record of what each table shows
(``output/reports/disclosure_<lang>.json``: the visible counts, what each hidden cell's mark
tells, and the sums a reader knows; never a hidden value), and runs :func:`audit` on it before
any format is written: a table that leaks stops the report with one line naming the table and
the cell. ``impleval check-disclosure`` runs the same proof again on the recorded files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from project.errors import DisclosureError
from reports.disclosure.linear import Leak, Published, check

RECORD_VERSION = 1


def record_name(lang: str) -> str:
    """The record's file name beside the report (``disclosure_sv.json``)."""
    return f"disclosure_{lang}.json"


def name_tables(tables: Sequence[tuple[str, Published]]) -> list[Published]:
    """Give each table its caption and a number (``Table 3``), in the report's order."""
    return [
        Published(f"{k}: {caption}", caption, t.cells, t.sums, t.small_rule)
        for k, (caption, t) in enumerate(tables, 1)
    ]


def record(tables: Sequence[Published], threshold: int) -> dict[str, Any]:
    """The record as JSON-ready data."""
    return {
        "record_version": RECORD_VERSION,
        "threshold": threshold,
        "tables": [t.to_dict() for t in tables],
    }


def read_record(path: Path) -> tuple[list[Published], int]:
    """The tables and threshold of a record file (one clear line when it cannot be read)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return [Published.from_dict(t) for t in data["tables"]], int(data["threshold"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DisclosureError(
            f"{Path(path).name}: not a disclosure record ({exc}). "
            f"Hint: run `impleval report` to write it again."
        ) from exc


def audit(tables: Sequence[Published], threshold: int) -> list[Leak]:
    """Every hidden cell a reader can work out and every small count shown."""
    return check(tables, threshold)


def fail_on_leaks(leaks: Sequence[Leak], where: str) -> None:
    """Raise :class:`DisclosureError` naming the first leak (and how many more)."""
    if leaks:
        more = f" ({len(leaks) - 1} more)" if len(leaks) > 1 else ""
        raise DisclosureError(f"{where}: disclosure audit failed: {leaks[0]}{more}")


def summary(tables: Sequence[Published]) -> str:
    """``12 tables, 9 hidden cells, 14 sums checked``."""
    hidden = sum(1 for t in tables for c in t.cells if c.hidden)
    sums = sum(len(t.sums) for t in tables)
    return f"{len(tables)} tables, {hidden} hidden cells, {sums} sums checked"
