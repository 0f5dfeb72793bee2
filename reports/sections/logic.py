"""P1 Projektlogiken: the project logic as a figure (boxes coloured by goal status) and a table."""

from __future__ import annotations

from functools import partial

import pandas as pd

from reports import disclosure
from reports.content import (
    FigureBlock,
    Heading,
    ReportContext,
    SectionBuilder,
    SectionContent,
    Table,
    Text,
    source,
)
from reports.disclosure import Column
from reports.figures.logic import plot_logic
from reports.sections.indicators import is_declared
from reports.strings import Strings

__all__ = ["BUILDER", "build", "is_declared"]


def _status(status: str, s: Strings) -> str:
    if status == "no_target":
        return s("indicators.no_target")
    return s(f"indicators.status.{status}")


def logic_table(logic: pd.DataFrame, s: Strings) -> Table:
    """Every node of the logic: its level, label and status."""
    rows = [
        {
            "level": s(f"indicators.levels.{r['kind']}"),
            "node": r[f"label_{s.lang}"],
            "status": _status(str(r["status"]), s),
        }
        for _, r in logic.iterrows()
    ]
    h = "indicators.headers."
    columns = [Column(s(h + k), k, "text") for k in ("level", "node", "status")]
    table = disclosure.format_table(pd.DataFrame(rows), columns, lang=s.lang, threshold=None)
    return Table(table, s("indicators.logic_caption")).sourced(
        source("logic", logic, kind="indicators")
    )


def build(context: ReportContext) -> list[SectionContent]:
    """The logic of ``logic.csv`` (nothing when the analysis wrote no nodes)."""
    logic = context.results.table("logic")
    if logic.empty:
        return []
    s, lang = context.strings, context.lang
    figure = FigureBlock(
        f"project_logic_{lang}", partial(plot_logic, logic, lang=lang), s("indicators.logic_figure")
    ).sourced(source("logic", logic, kind="indicators"))
    blocks = (
        Heading(s("indicators.logic_heading")),
        Text(s("indicators.logic_intro")),
        figure,
        logic_table(logic, s),
    )
    return [SectionContent("p1_project_logic", blocks)]


BUILDER = SectionBuilder("logic", is_declared, build)
