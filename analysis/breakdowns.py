"""Breakdowns of indicator and outcome data: the store's ``disaggregation`` text
(``sex=kvinna;age_group=16-29``, ``""`` for everyone) as the results' ``group_by`` and ``group``.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["ALL", "breakdown", "with_breakdown"]

ALL = "all"
"""``group_by`` and ``group`` of the rows about everyone."""


def breakdown(disaggregation: str) -> tuple[str, str]:
    """``(group_by, group)`` of a disaggregation: the names and the values, ``;``-joined.

    >>> breakdown(""), breakdown("sex=kvinna"), breakdown("sex=man;age_group=16-29")
    (('all', 'all'), ('sex', 'kvinna'), ('sex;age_group', 'man;16-29'))
    """
    if not disaggregation:
        return ALL, ALL
    pairs = [part.split("=", 1) for part in disaggregation.split(";")]
    return ";".join(p[0] for p in pairs), ";".join(p[-1] for p in pairs)


def with_breakdown(frame: pd.DataFrame, column: str = "disaggregation") -> pd.DataFrame:
    """``frame`` with ``group_by`` and ``group`` from ``column`` in its place (a new frame)."""
    pairs = [breakdown(str(d)) for d in frame[column]]
    at = list(frame.columns).index(column)
    out = frame.drop(columns=[column])
    out.insert(at, "group", pd.Series([g for _, g in pairs], index=frame.index, dtype=object))
    out.insert(at, "group_by", pd.Series([b for b, _ in pairs], index=frame.index, dtype=object))
    return out
