"""Section 1 Grundinformation: a table of basic facts from project.yaml, before the narrative."""

from __future__ import annotations

import pandas as pd

from project.config import Project
from project.labels import in_language
from reports import disclosure
from reports.content import ReportContext, SectionBuilder, SectionContent, Table, source
from reports.disclosure import Column


def is_declared(project: Project) -> bool:
    """Every project has basic facts."""
    return True


def build(context: ReportContext) -> list[SectionContent]:
    """The table of basic facts: project, funder, period, evaluator, organisations, report."""
    project, s, lang = context.project, context.strings, context.lang
    b = "basic."
    rows = [(s(b + "project"), project.name.get(lang))]
    if project.funder:
        rows.append((s(b + "funder"), in_language(project.funder, lang)))
    if project.period:
        period = f"{project.period.start.isoformat()} – {project.period.end.isoformat()}"
        rows.append((s(b + "period"), period))
    if project.report.evaluator:
        rows.append((s(b + "evaluator"), in_language(project.report.evaluator, lang)))
    organisations = disclosure.format_number(len(project.organisations), decimals=0, lang=lang)
    rows.append((s(b + "organisations"), organisations))
    rows.append((s(b + "report"), s(f"report_kind.{project.report.kind}")))
    table = disclosure.format_table(
        pd.DataFrame(rows, columns=["what", "value"]),
        [Column(s(b + "what"), "what", "text"), Column(s(b + "value"), "value", "text")],
        lang=lang,
        threshold=None,
    )
    block = Table(table, s(b + "caption")).sourced(source("project.yaml", len(rows)))
    return [SectionContent("basic_information", (block,), order=-1)]


BUILDER = SectionBuilder("basic", is_declared, build)
