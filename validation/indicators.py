"""Validation of indicator data: expectations generated from the registry, plus row rules.

The canonical frame (one row per value; see :func:`ingest.indicators.map_indicators`) is checked by
great-expectations with :func:`indicator_expectations` (generated from the registry, never written by
hand) and by :func:`row_problems`, which checks what depends on each row's indicator (its frequency,
observation window, units, measure and breakdowns) and is simpler to say in pandas: one vectorised
pass per registry entry, not per row.

Rows whose ``indicator`` names a participant outcome (``outcomes:`` in project.yaml) are counts of
persons in one ``category``; they meet the same suite (the category is part of the key) and the
outcome rules in :func:`row_problems` (a declared category, whole numbers, declared subgroups).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from project.indicators import Indicator, Outcome, Window
from validation.expectations import Expectation

KEY_COLUMNS = ["indicator", "category", "unit", "period", "disaggregation"]
#: The rules :func:`row_problems` checks (besides the suite's), and the mapping's ``not_a_number`` and
#: ``non_finite_number``.
ROW_RULES = (
    "irregular_period",
    "period_outside_project",
    "unknown_unit",
    "missing_denominator",
    "numerator_exceeds_denominator",
    "undeclared_disaggregation",
    "unexpected_category",
    "missing_category",
    "unknown_category",
    "non_integer_count",
    "not_a_number",
    "non_finite_number",
)


def indicator_expectations(
    indicators: Sequence[Indicator], outcomes: Sequence[Outcome] = ()
) -> list[Expectation]:
    """The expectations every canonical indicator frame must meet."""
    ids = sorted([i.id for i in indicators] + [o.id for o in outcomes])
    return [
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "indicator", "value_set": ids},
            {
                "rule": "unknown_indicator",
                "field": "indicator",
                "hint": f"declared indicators: {', '.join(ids) or '(none)'}",
            },
        ),
        Expectation(
            "ExpectColumnValuesToBeBetween",
            {"column": "value", "min_value": 0},
            {
                "rule": "negative_value",
                "field": "value",
                "hint": "counts, shares (numerators) and means of these indicators are never "
                "negative",
            },
        ),
        Expectation(
            "ExpectColumnValuesToBeBetween",
            {"column": "denominator", "min_value": 0, "strict_min": True},
            {
                "rule": "nonpositive_denominator",
                "field": "denominator",
                "hint": "a denominator (cases, exposure) must be greater than zero",
            },
        ),
        Expectation(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": list(KEY_COLUMNS)},
            {
                "rule": "duplicate_period",
                "field": "indicator, category, unit, period, breakdown",
                "hint": "each indicator (outcome category), unit, period and breakdown may occur "
                "once in a file",
            },
        ),
    ]


def parse_period(text: object, frequency: str) -> tuple[str, pd.Timestamp] | None:
    """A period label in the indicator's frequency, normalised, with its first day.

    Months: ``2018-02`` or ``2018-02-01``; quarters: ``2018-Q1`` (also ``2018Q1``, ``2018 Q1``);
    years: ``2018``. Anything else is ``None``.

    >>> parse_period("2018-2", "month")
    ('2018-02', Timestamp('2018-02-01 00:00:00'))
    >>> parse_period("2018 q3", "quarter")
    ('2018-Q3', Timestamp('2018-07-01 00:00:00'))
    >>> parse_period("2018-02", "year") is None
    True
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    if isinstance(text, dt.datetime | dt.date):
        ts = pd.Timestamp(text)
        if frequency == "month" and ts.day == 1:
            return f"{ts.year:04d}-{ts.month:02d}", pd.Timestamp(ts.year, ts.month, 1)
        return None
    s = str(text).strip().upper().replace(" ", "")
    parse = {"year": _parse_year, "quarter": _parse_quarter}.get(frequency, _parse_month)
    try:
        return parse(s)
    except ValueError:  # digits int() does not read, e.g. "²"
        return None


def _parse_year(s: str) -> tuple[str, pd.Timestamp] | None:
    s = s.removesuffix(".0")
    if len(s) == 4 and s.isdigit():
        return s, pd.Timestamp(int(s), 1, 1)
    return None


def _parse_quarter(s: str) -> tuple[str, pd.Timestamp] | None:
    year, _, q = s.replace("-", "").partition("Q")
    if len(year) == 4 and year.isdigit() and q in {"1", "2", "3", "4"}:
        return f"{year}-Q{q}", pd.Timestamp(int(year), 3 * int(q) - 2, 1)
    return None


def _parse_month(s: str) -> tuple[str, pd.Timestamp] | None:
    parts = s.split("-")
    if len(parts) == 3 and parts[2] in ("01", "1"):
        parts = parts[:2]
    if len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit():
        month = int(parts[1])
        if 1 <= month <= 12:
            return f"{parts[0]}-{month:02d}", pd.Timestamp(int(parts[0]), month, 1)
    return None


def observation_window(indicator: Indicator, project_period: Window | None) -> Window | None:
    """Where the indicator's data may fall: its own ``observed`` window, else the project period."""
    return indicator.observed or project_period


_FORMATS = {"month": "YYYY-MM", "quarter": "YYYY-Qn", "year": "YYYY"}


class _Problems:
    """Quarantine records collected per rule over a whole mask of rows at a time."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, rule: str, detail: str | pd.Series) -> None:
        if not mask.any():
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "source_row": self.frame.loc[mask, "source_row"].astype("int64"),
                    "column": column,
                    "rule": rule,
                    "detail": detail[mask] if isinstance(detail, pd.Series) else detail,
                }
            )
        )

    def records(self) -> list[dict]:
        if not self.parts:
            return []
        found = pd.concat(self.parts).sort_index(kind="stable")
        return [
            {"source_row": int(r), "column": c, "rule": u, "detail": d}
            for r, c, u, d in found.itertuples(index=False)
        ]


def _period_problems(
    out: _Problems, rows: pd.Series, entry: Indicator | Outcome, window: Window | None
) -> None:
    frame = out.frame
    irregular = rows & frame["period_start"].isna()
    out.add(
        irregular,
        "period",
        "irregular_period",
        f"{entry.id} is {entry.frequency}ly; expected {_FORMATS[entry.frequency]}",
    )
    if window is None:
        return
    start = frame["period_start"]
    lowest = pd.Timestamp(_period_start(window.start, entry.frequency))
    outside = rows & start.notna() & ((start < lowest) | (start > pd.Timestamp(window.end)))
    detail = frame["period"].astype(str) + f" is outside {window.start}–{window.end}"
    out.add(outside, "period", "period_outside_project", detail)


def _common_problems(
    out: _Problems, rows: pd.Series, entry: Indicator | Outcome, breakdowns: tuple[str, ...]
) -> None:
    """The unit and the breakdown columns, checked the same way for indicators and outcomes."""
    frame = out.frame
    unknown = rows & ~frame["unit"].astype(str).isin(entry.units)
    out.add(unknown, "unit", "unknown_unit", f"{entry.id} declares units {', '.join(entry.units)}")
    own = entry.disaggregations if isinstance(entry, Indicator) else entry.subgroups
    for name in breakdowns:
        if name in frame.columns and name not in own:
            filled = rows & (frame[name].astype(str) != "")
            out.add(
                filled,
                name,
                "undeclared_disaggregation",
                f"{entry.id} is not broken down by {name}",
            )


def _indicator_problems(
    out: _Problems, rows: pd.Series, ind: Indicator, project_period: Window | None
) -> None:
    frame = out.frame
    if "category" in frame.columns:
        out.add(
            rows & (frame["category"].astype(str) != ""),
            "category",
            "unexpected_category",
            f"{ind.id} is an indicator, not an outcome; leave its category empty",
        )
    _period_problems(out, rows, ind, observation_window(ind, project_period))
    value, den = frame["value"], frame["denominator"]
    if ind.measure == "proportion" or ind.model.offset:
        out.add(
            rows & den.isna(), "denominator", "missing_denominator", f"{ind.id} needs a denominator"
        )
    if ind.measure == "proportion":
        out.add(
            rows & den.notna() & value.notna() & (value > den),
            "value",
            "numerator_exceeds_denominator",
            f"{ind.id}: value > denominator",
        )


def _outcome_problems(
    out: _Problems, rows: pd.Series, outcome: Outcome, project_period: Window | None
) -> None:
    frame = out.frame
    category = frame["category"].astype(str) if "category" in frame.columns else None
    known = [c.id for c in outcome.categories]
    if category is None:
        out.add(
            rows, "category", "missing_category", f"{outcome.id} is an outcome; name its category"
        )
    else:
        out.add(
            rows & (category == ""),
            "category",
            "missing_category",
            f"{outcome.id} is an outcome; name its category",
        )
        out.add(
            rows & (category != "") & ~category.isin(known),
            "category",
            "unknown_category",
            f"{outcome.id} declares categories {', '.join(known)}",
        )
    _period_problems(out, rows, outcome, outcome.observed or project_period)
    value = frame["value"]
    out.add(
        rows & value.notna() & (value >= 0) & (value != value.round()),
        "value",
        "non_integer_count",
        f"{outcome.id} counts persons; found a fraction",
    )


def row_problems(
    frame: pd.DataFrame,
    indicators: Sequence[Indicator],
    *,
    project_period: Window | None,
    outcomes: Sequence[Outcome] = (),
) -> list[dict]:
    """Rule violations that depend on each row's indicator or outcome, as quarantine records.

    ``frame`` is the canonical frame with ``source_row``; rows of unknown indicators are left to
    the suite (``unknown_indicator``). Records come in row order (within a row, by rule).
    """
    breakdowns = tuple(
        sorted(
            {d for i in indicators for d in i.disaggregations}
            | {d for o in outcomes for d in o.subgroups}
        )
    )
    out = _Problems(frame)
    ids = frame["indicator"].astype(str)
    outcome_ids = {o.id for o in outcomes}
    for ind in indicators:
        rows = ids == ind.id
        if ind.id in outcome_ids or not rows.any():
            continue
        _indicator_problems(out, rows, ind, project_period)
        _common_problems(out, rows, ind, breakdowns)
    for outcome in outcomes:
        rows = ids == outcome.id
        if rows.any():
            _outcome_problems(out, rows, outcome, project_period)
            _common_problems(out, rows, outcome, breakdowns)
    return out.records()


def _period_start(day: dt.date, frequency: str) -> dt.date:
    if frequency == "year":
        return dt.date(day.year, 1, 1)
    if frequency == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, day.month, 1)
