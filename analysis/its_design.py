"""The design of a segmented regression: period numbers, seasonal terms, the regressors and the
formula as a reviewable string (see :mod:`analysis.its`).

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "PERIODS_PER_YEAR",
    "Frequency",
    "Seasonality",
    "automatic_hac_lag",
    "design_matrix",
    "model_formula",
    "period_number",
    "season_position",
]

Seasonality = Literal["none", "fourier", "month"]
Frequency = Literal["month", "quarter", "year"]

PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def automatic_hac_lag(n: int) -> int:
    """Newey–West's rule of thumb ``floor(4 (n/100)^(2/9))``.

    >>> automatic_hac_lag(38)
    3
    """
    return math.floor(4 * (n / 100) ** (2 / 9))


def period_number(periods: pd.Series, *, frequency: Frequency) -> pd.Series:
    """Periods (timestamps of their first day) as integers counted in the series' frequency."""
    p = pd.to_datetime(periods)
    months = p.dt.year * 12 + (p.dt.month - 1)
    if frequency == "month":
        return months.astype("int64")
    if frequency == "quarter":
        return (months // 3).astype("int64")
    return p.dt.year.astype("int64")


def season_position(periods: pd.Series, *, frequency: Frequency) -> pd.Series:
    """Month (1–12) or quarter (1–4) of each period."""
    p = pd.to_datetime(periods)
    if frequency == "quarter":
        return ((p.dt.month - 1) // 3 + 1).astype("int64")
    return p.dt.month.astype("int64")


def _seasonal_terms(
    x: pd.DataFrame, periods: pd.Series, frequency: Frequency, seasonality: str, order: int
) -> None:
    """Add the seasonal columns to ``x`` (a frame this module built)."""
    per_year = PERIODS_PER_YEAR[frequency]
    pos = season_position(periods, frequency=frequency).astype(float)
    if seasonality == "fourier":
        for k in range(1, order + 1):
            x[f"sin{k}"] = np.sin(2 * np.pi * k * pos / per_year)
            x[f"cos{k}"] = np.cos(2 * np.pi * k * pos / per_year)
    elif seasonality == "month":
        for m in range(2, per_year + 1):
            x[f"season{m}"] = (pos == m).astype(float)
    else:
        raise ValueError(f"seasonality must be none, fourier or month; got {seasonality!r}")


def design_matrix(
    periods: pd.Series,
    *,
    intervention: pd.Timestamp,
    frequency: Frequency,
    seasonality: Seasonality = "none",
    fourier_order: int = 2,
    origin: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The regressors of the segmented model for ``periods`` (first days of periods).

    Columns: ``intercept, time, level, slope`` then seasonal terms (``sin1, cos1, …`` or
    ``season2, …``). ``origin`` (default the first period) is where ``time`` is 0.
    """
    periods = pd.to_datetime(pd.Series(periods)).reset_index(drop=True)
    first = pd.Timestamp(origin) if origin is not None else periods.iloc[0]
    number = period_number(periods, frequency=frequency)
    base = int(period_number(pd.Series([first]), frequency=frequency).iloc[0])
    t0_abs = int(
        period_number(pd.Series([pd.Timestamp(intervention)]), frequency=frequency).iloc[0]
    )
    t = (number - base).astype(float)
    t0 = float(t0_abs - base)
    post = (t >= t0).astype(float)
    x = pd.DataFrame(
        {"intercept": 1.0, "time": t, "level": post, "slope": (t - t0) * post},
        index=periods.index,
    )
    if seasonality != "none" and PERIODS_PER_YEAR[frequency] > 1:
        _seasonal_terms(x, periods, frequency, seasonality, fourier_order)
    return x


def model_formula(family: str, columns: list[str], offset: bool) -> str:
    """The fitted model as a string, e.g. ``log(E[y]) ~ time + level + slope  [poisson]``."""
    terms = " + ".join(c for c in columns if c != "intercept")
    link = "y" if family == "gaussian" else "log(E[y])"
    off = " + offset(log(denominator))" if offset else ""
    return f"{link} ~ {terms}{off}  [{family}]"
