"""Indicator periods: the first day of a date's period, labels of period ranges, and the window
of periods a goal pools.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

__all__ = ["SUFFIX", "WINDOW", "period_floor", "range_label"]

#: Periods a goal's baseline and achieved value pool: a year of the indicator's frequency.
WINDOW = {"month": 12, "quarter": 4, "year": 1}
#: The letter of an ITS effect time's unit (``effect_12m``).
SUFFIX = {"month": "m", "quarter": "q", "year": "y"}


def period_floor(day: dt.date | pd.Timestamp, frequency: str) -> pd.Timestamp:
    """The first day of the period that contains ``day``.

    >>> period_floor(dt.date(2018, 5, 17), "quarter")
    Timestamp('2018-04-01 00:00:00')
    """
    ts = pd.Timestamp(day)
    if frequency == "year":
        return pd.Timestamp(ts.year, 1, 1)
    if frequency == "quarter":
        return pd.Timestamp(ts.year, 3 * ((ts.month - 1) // 3) + 1, 1)
    return pd.Timestamp(ts.year, ts.month, 1)


def range_label(periods: Iterable[object]) -> str:
    """``first–last`` of periods in order, the period itself when there is one, else ``""``.

    >>> range_label(["2016", "2017"]), range_label(["2018"]), range_label([])
    ('2016–2017', '2018', '')
    """
    values = list(periods)
    if not values:
        return ""
    return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"
