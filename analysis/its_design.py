"""The design of a segmented regression: period numbers, seasonal terms, the regressors and the
formula as a reviewable string (see :mod:`analysis.its`).

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "IMPACTS",
    "PERIODS_PER_YEAR",
    "Formula",
    "Frequency",
    "Impact",
    "Seasonality",
    "automatic_hac_lag",
    "design_matrix",
    "design_text",
    "model_formula",
    "period_number",
    "post_period",
    "season_position",
]

Seasonality = Literal["none", "fourier", "month"]
Frequency = Literal["month", "quarter", "year"]
Impact = Literal["level", "slope", "level_slope"]

#: The impact models a series can declare: a level change, a slope change, or both.
IMPACTS: tuple[str, ...] = ("level", "slope", "level_slope")

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
    impact: Impact = "level_slope",
) -> pd.DataFrame:
    """The regressors of the segmented model for ``periods`` (first days of periods).

    Columns: ``intercept, time``, then ``level`` (1 from the first post period ``t0`` on) and/or
    ``slope`` (the periods since the interruption, ``(time − t0 + 1) × level``: 1 in the first
    post period, as the tutorial's ``I(time − 36):smokban``) as ``impact`` says, then seasonal
    terms (``sin1, cos1, …`` or ``season2, …``). ``origin`` (default the first period) is where
    ``time`` is 0. The interruption sits at the end of period ``t0 − 1``, so ``level`` is the
    change there and the effect in the first post period is ``level + slope``.

    >>> p = pd.Series(pd.date_range("2017-01-01", periods=5, freq="MS"))
    >>> design_matrix(p, intervention=pd.Timestamp("2017-03-10"), frequency="month")["slope"].tolist()
    [0.0, 0.0, 1.0, 2.0, 3.0]
    """
    if impact not in IMPACTS:
        raise ValueError(f"impact must be one of {', '.join(IMPACTS)}; got {impact!r}")
    periods = pd.to_datetime(pd.Series(periods)).reset_index(drop=True)
    first = pd.Timestamp(origin) if origin is not None else periods.iloc[0]
    t = (period_number(periods, frequency=frequency) - _number(first, frequency)).astype(float)
    t0 = float(_number(pd.Timestamp(intervention), frequency) - _number(first, frequency))
    post = (t >= t0).astype(float)
    x = pd.DataFrame({"intercept": 1.0, "time": t}, index=periods.index)
    if impact in ("level", "level_slope"):
        x["level"] = post
    if impact in ("slope", "level_slope"):
        x["slope"] = np.where(post > 0, t - t0 + 1, 0.0)
    if seasonality != "none" and PERIODS_PER_YEAR[frequency] > 1:
        _seasonal_terms(x, periods, frequency, seasonality, fourier_order)
    return x


def _number(day: pd.Timestamp, frequency: Frequency) -> int:
    return int(period_number(pd.Series([day]), frequency=frequency).iloc[0])


def post_period(
    periods: pd.Series, *, intervention: pd.Timestamp, frequency: Frequency
) -> pd.Series:
    """Whether each period is at or after the intervention's period (the ``post`` indicator)."""
    numbers = period_number(pd.to_datetime(pd.Series(periods)), frequency=frequency)
    return (numbers >= _number(pd.Timestamp(intervention), frequency)).reset_index(drop=True)


@dataclass(frozen=True)
class Formula:
    """What :func:`model_formula` writes: the fitted model and the definitions of its terms."""

    family: str
    columns: tuple[str, ...]
    offsets: tuple[str, ...]
    outcome: str = "value"


def model_formula(formula: Formula) -> str:
    """The fitted model as R would write it, e.g.
    ``value ~ time + level + slope + offset(log(denominator)), family = quasipoisson``.

    >>> model_formula(Formula("poisson", ("intercept", "time", "level"), ("denominator",)))
    'value ~ time + level + offset(log(denominator)), family = poisson (log link)'
    """
    terms = [c for c in formula.columns if c != "intercept"]
    terms += [f"offset(log({o}))" for o in formula.offsets]
    link = "identity link, OLS" if formula.family == "gaussian" else "log link"
    return f"{formula.outcome} ~ {' + '.join(terms)}, family = {formula.family} ({link})"


def design_text(
    columns: tuple[str, ...], *, first: str, first_post: str, t0: int, frequency: Frequency
) -> str:
    """The definitions of the design's terms in words (the ``design`` diagnostic).

    >>> design_text(("intercept", "time", "level", "slope"), first="2016-01", first_post="2018-02",
    ...             t0=25, frequency="month")
    'time = months since 2016-01 (0 there); level = 1 from 2018-02 (time 25) on, else 0; slope = periods since the interruption, level × (time − 24)'
    """
    unit = {"month": "months", "quarter": "quarters", "year": "years"}[frequency]
    parts = [f"time = {unit} since {first} (0 there)"]
    if "level" in columns:
        parts.append(f"level = 1 from {first_post} (time {t0}) on, else 0")
    if "slope" in columns:
        parts.append(
            f"slope = periods since the interruption, level × (time − {t0 - 1})"
            if "level" in columns
            else f"slope = periods since the interruption, (time − {t0 - 1}) from {first_post} "
            "on, else 0"
        )
    per_year = PERIODS_PER_YEAR[frequency]
    position = "month" if frequency == "month" else "quarter"
    if any(c.startswith("sin") for c in columns):
        ks = sorted({int(c[3:]) for c in columns if c.startswith("sin")})
        parts.append(
            f"sinK, cosK = sin, cos(2π·K·{position}/{per_year}) for K = {', '.join(map(str, ks))}"
        )
    if any(c.startswith("season") for c in columns):
        parts.append(f"seasonM = 1 in {position} M (the first {position} the reference)")
    return "; ".join(parts)
