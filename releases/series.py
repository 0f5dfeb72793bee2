"""Indicator series and participant outcomes for reuse.

Indicator values are aggregates per organisation or unit and period (the series the report's key
figures come from); they are released as they are. Outcome counts are counts of persons: in a
deposit release the report's small-cell rule applies to them (:func:`reports.disclosure.
suppress_breakdowns`, threshold ``privacy.min_cell_size``): a hidden count is empty and flagged in
``suppressed``, with complementary suppression so it cannot be recovered from a total.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from project.config import Project
from project.labels import Labels
from releases.model import Category, Column, Table, both
from reports.disclosure import SUPPRESSED_COL, suppress_breakdowns

TOTAL = "__total__"


def _unit_categories(project: Project) -> tuple[Category, ...]:
    units = [Category("all", both("Alla", "All"))]
    for org in project.organisations:
        units.append(Category(org.id, org.labels))
        units += [Category(u.id, u.labels) for u in org.units]
    return tuple(units)


def _id_column(name: str, label: Labels, entries: Iterable[Any]) -> Column:
    """A required column of ids from project.yaml, labelled as there."""
    categories = tuple(Category(e.id, e.labels) for e in entries)
    return Column(name, "string", label, categories=categories, required=True)


def _period_columns(project: Project) -> list[Column]:
    return [
        Column(
            "unit",
            "string",
            both("Enhet eller organisation", "Unit or organisation"),
            categories=_unit_categories(project),
            required=True,
        ),
        Column("period", "string", both("Period", "Period"), required=True),
        Column("period_start", "date", both("Periodens början", "Start of period")),
    ]


def indicator_table(frame: pd.DataFrame, project: Project) -> Table:
    """``indicators``: one row per indicator × unit × breakdown × period."""
    data = frame.loc[
        :, ["indicator", "unit", "period", "period_start", "disaggregation", "value", "denominator"]
    ].copy()
    data["period_start"] = pd.to_datetime(data["period_start"])
    columns = (
        _id_column("indicator", both("Indikator", "Indicator"), project.indicators),
        *_period_columns(project),
        Column(
            "disaggregation",
            "string",
            both("Uppdelning (tom = alla)", "Breakdown (empty = everyone)"),
        ),
        Column("value", "number", both("Värde", "Value")),
        Column(
            "denominator",
            "number",
            both("Nämnare eller antal bakom värdet", "Denominator or records behind the value"),
        ),
    )
    data = data.sort_values(["indicator", "unit", "disaggregation", "period_start"], kind="stable")
    return Table(
        name="indicators",
        title=both("Indikatorserier", "Indicator series"),
        frame=data.reset_index(drop=True),
        columns=columns,
        primary_key=("indicator", "unit", "disaggregation", "period"),
        description=both(
            "Nyckeltal per enhet och period, som de lästes in; definitioner i kodboken.",
            "Key figures per unit and period, as loaded; definitions in the codebook.",
        ),
    )


def suppress_outcomes(frame: pd.DataFrame, *, threshold: int) -> pd.Series:
    """Which outcome counts the small-cell rule hides (aligned to ``frame``)."""
    hidden = pd.Series(False, index=frame.index)
    for _, block in frame.groupby(["outcome", "unit", "period"], sort=False):
        split = block["disaggregation"].fillna("").str.partition("=")
        cells = pd.DataFrame(
            {
                "subgroup": split[0].where(split[1] == "=", ""),
                "group": split[2],
                "category": block["category"],
                "n": block["value"],
            },
            index=block.index,
        )
        totals = cells.groupby(["subgroup", "group"])["n"].sum().reset_index()
        totals["category"] = TOTAL
        marked = suppress_breakdowns(
            pd.concat([cells.reset_index(), totals], ignore_index=True), threshold=threshold
        )
        marked = marked[marked["category"] != TOTAL]
        flags = pd.Series(marked[SUPPRESSED_COL].to_numpy(), index=marked["index"].astype(int))
        hidden.update(flags.astype(bool))
    return hidden


def outcome_table(frame: pd.DataFrame, project: Project, *, threshold: int | None) -> Table:
    """``outcomes``: counts of persons per outcome category; with ``threshold``, small cells are
    withheld (deposit)."""
    data = frame.loc[
        :, ["outcome", "unit", "period", "period_start", "category", "disaggregation", "value"]
    ].copy()
    data["period_start"] = pd.to_datetime(data["period_start"])
    hidden = (
        suppress_outcomes(data, threshold=threshold)
        if threshold is not None and not data.empty
        else pd.Series(False, index=data.index)
    )
    data["value"] = data["value"].round().astype("Int64").mask(hidden)
    data["suppressed"] = hidden.astype(bool)
    categories = {c.id: c for o in project.outcomes for c in o.categories}
    columns = (
        _id_column("outcome", both("Utfall", "Outcome"), project.outcomes),
        *_period_columns(project),
        _id_column("category", both("Kategori", "Category"), categories.values()),
        Column(
            "disaggregation", "string", both("Undergrupp (tom = alla)", "Subgroup (empty = all)")
        ),
        Column("value", "integer", both("Antal personer", "Number of persons"), minimum=0),
        Column(
            "suppressed",
            "boolean",
            both("Antalet döljs (små tal)", "Count withheld (small cell)"),
            required=True,
        ),
    )
    data = data.sort_values(["outcome", "unit", "disaggregation", "period_start", "category"])
    return Table(
        name="outcomes",
        title=both("Deltagarutfall", "Participant outcomes"),
        frame=data.reset_index(drop=True),
        columns=columns,
        primary_key=("outcome", "unit", "period", "category", "disaggregation"),
        description=both(
            "Antal deltagare per utfallskategori, totalt och per undergrupp.",
            "Participants per outcome category, in total and by subgroup.",
        ),
    )
