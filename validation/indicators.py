"""Validation of indicator data: expectations generated from the registry, plus row rules.

The canonical frame (one row per value; see :func:`ingest.indicators.map_indicators`) is checked by
great-expectations with :func:`indicator_expectations` (generated from the registry, never written by
hand) and by :func:`row_problems`, which checks what depends on each row's indicator (its frequency,
observation window, units, measure and breakdowns) and is simpler to say in pandas.

Rows whose ``indicator`` names a participant outcome (``outcomes:`` in project.yaml) are counts of
persons in one ``category``; they meet the same suite (the category is part of the key) and the
outcome rules in :func:`row_problems` (a declared category, whole numbers, declared subgroups).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from project.indicators import Indicator, Outcome, Window
from validation.suites import Expectation

KEY_COLUMNS = ["indicator", "category", "unit", "period", "disaggregation"]


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
    if s.endswith(".0") and frequency == "year":
        s = s[:-2]
    try:
        if frequency == "year":
            if len(s) == 4 and s.isdigit():
                return s, pd.Timestamp(int(s), 1, 1)
            return None
        if frequency == "quarter":
            year, _, q = s.replace("-", "").partition("Q")
            if len(year) == 4 and year.isdigit() and q in {"1", "2", "3", "4"}:
                return f"{year}-Q{q}", pd.Timestamp(int(year), 3 * int(q) - 2, 1)
            return None
        parts = s.split("-")
        if len(parts) == 3 and parts[2] in ("01", "1"):
            parts = parts[:2]
        if len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit():
            month = int(parts[1])
            if 1 <= month <= 12:
                return f"{parts[0]}-{month:02d}", pd.Timestamp(int(parts[0]), month, 1)
    except ValueError:
        return None
    return None


def observation_window(indicator: Indicator, project_period: Window | None) -> Window | None:
    """Where the indicator's data may fall: its own ``observed`` window, else the project period."""
    return indicator.observed or project_period


def row_problems(
    frame: pd.DataFrame,
    indicators: Sequence[Indicator],
    *,
    project_period: Window | None,
    outcomes: Sequence[Outcome] = (),
) -> list[dict]:
    """Rule violations that depend on each row's indicator or outcome, as quarantine records.

    ``frame`` is the canonical frame with ``source_row``; rows of unknown indicators are left to
    the suite (``unknown_indicator``).
    """
    registry = {i.id: i for i in indicators}
    outcome_registry = {o.id: o for o in outcomes}
    declared_any = {d for i in indicators for d in i.disaggregations} | {
        d for o in outcomes for d in o.subgroups
    }
    problems: list[dict] = []

    def add(row: pd.Series, column: str, rule: str, detail: str) -> None:
        problems.append(
            {"source_row": int(row["source_row"]), "column": column, "rule": rule, "detail": detail}
        )

    has_category = "category" in frame.columns
    for _, row in frame.iterrows():
        outcome = outcome_registry.get(str(row["indicator"]))
        if outcome is not None:
            _outcome_problems(row, outcome, add, project_period, frame.columns, declared_any)
            continue
        ind = registry.get(str(row["indicator"]))
        if ind is None:
            continue
        if has_category and str(row["category"]) != "":
            add(
                row,
                "category",
                "unexpected_category",
                f"{ind.id} is an indicator, not an outcome; leave its category empty",
            )
        if pd.isna(row["period_start"]):
            add(
                row,
                "period",
                "irregular_period",
                f"{ind.id} is {ind.frequency}ly; expected "
                + {"month": "YYYY-MM", "quarter": "YYYY-Qn", "year": "YYYY"}[ind.frequency],
            )
        else:
            window = observation_window(ind, project_period)
            start = pd.Timestamp(row["period_start"]).date()
            if window is not None and not (
                _period_start(window.start, ind.frequency) <= start <= window.end
            ):
                add(
                    row,
                    "period",
                    "period_outside_project",
                    f"{row['period']} is outside {window.start}–{window.end}",
                )
        if str(row["unit"]) not in ind.units:
            add(row, "unit", "unknown_unit", f"{ind.id} declares units {', '.join(ind.units)}")
        needs_den = ind.measure == "proportion" or ind.model.offset
        if needs_den and pd.isna(row["denominator"]):
            add(row, "denominator", "missing_denominator", f"{ind.id} needs a denominator")
        if (
            ind.measure == "proportion"
            and pd.notna(row["denominator"])
            and pd.notna(row["value"])
            and row["value"] > row["denominator"]
        ):
            add(row, "value", "numerator_exceeds_denominator", f"{ind.id}: value > denominator")
        for name in declared_any:
            if name in frame.columns and str(row[name]) != "" and name not in ind.disaggregations:
                add(
                    row, name, "undeclared_disaggregation", f"{ind.id} is not broken down by {name}"
                )
    return problems


def _outcome_problems(
    row: pd.Series,
    outcome: Outcome,
    add: Callable[[pd.Series, str, str, str], None],
    project_period: Window | None,
    columns: Iterable[str],
    declared_any: set[str],
) -> None:
    category = str(row.get("category", ""))
    known = [c.id for c in outcome.categories]
    if category == "":
        add(row, "category", "missing_category", f"{outcome.id} is an outcome; name its category")
    elif category not in known:
        add(
            row,
            "category",
            "unknown_category",
            f"{outcome.id} declares categories {', '.join(known)}",
        )
    if pd.isna(row["period_start"]):
        add(
            row,
            "period",
            "irregular_period",
            f"{outcome.id} is {outcome.frequency}ly; expected "
            + {"month": "YYYY-MM", "quarter": "YYYY-Qn", "year": "YYYY"}[outcome.frequency],
        )
    else:
        window = outcome.observed or project_period
        start = pd.Timestamp(row["period_start"]).date()
        if window is not None and not (
            _period_start(window.start, outcome.frequency) <= start <= window.end
        ):
            add(
                row,
                "period",
                "period_outside_project",
                f"{row['period']} is outside {window.start}–{window.end}",
            )
    if str(row["unit"]) not in outcome.units:
        add(row, "unit", "unknown_unit", f"{outcome.id} declares units {', '.join(outcome.units)}")
    value = row["value"]
    if pd.notna(value) and value >= 0 and float(value) != round(float(value)):
        add(row, "value", "non_integer_count", f"{outcome.id} counts persons; found a fraction")
    for name in declared_any:
        if name in columns and str(row[name]) != "" and name not in outcome.subgroups:
            add(
                row, name, "undeclared_disaggregation", f"{outcome.id} is not broken down by {name}"
            )


def _period_start(day: dt.date, frequency: str) -> dt.date:
    if frequency == "year":
        return dt.date(day.year, 1, 1)
    if frequency == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, day.month, 1)
