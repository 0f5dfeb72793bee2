"""The key figures under N3: indicator series with their interrupted time series (figure,
sentences, table), before/after comparisons, other key figures, participant outcomes and goal
attainment; the ITS models' diagnostics in the appendix.

Reads the indicator results (:func:`analysis.indicators.analyse_indicators`) through
:mod:`reports.results`; every number passes through :mod:`reports.disclosure`, and counts of
persons (``persons: true`` indicators, outcomes) obey the small-cell rule
(``project.privacy.min_cell_size``). The project logic (P1) is :mod:`reports.sections.logic`.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from ingest.kinds import get_kind
from project.config import Project
from project.indicators import Indicator
from reports import content, disclosure
from reports.content import Block, FigureBlock, Heading, SectionContent, Text, source
from reports.escaping import Markdown
from reports.figures.indicators import plot_its
from reports.results import Results
from reports.sections import indicator_tables as tables
from reports.sections.indicator_common import (
    effect_horizon,
    month_text,
    per_period,
    title_of,
    unit_label,
    unit_text,
)
from reports.sections.outcomes import outcome_blocks
from reports.strings import Strings


def is_declared(project: Project) -> bool:
    """Indicators, participant outcomes, goals or activities: what the indicator analysis reads
    (the kind registry decides)."""
    return get_kind("indicators").analysed(project)


def build(context: content.ReportContext) -> list[SectionContent]:
    """N3's key figures and the appendix's ITS diagnostics."""
    project, results, s = context.project, context.results, context.strings
    lang = context.lang
    n3: list[Block] = [Heading(s("indicators.heading"))]
    if project.indicators:
        n3.append(
            Text(
                s(
                    "indicators.intro",
                    n=disclosure.format_number(len(project.indicators), decimals=0, lang=lang),
                )
            )
        )
    if all(results.table(n).empty for n in ("its", "before_after", "goals", "outcomes")):
        n3.append(Text(s("indicators.no_data")))
    its_blocks, appendix = _its(results, project, s)
    n3 += its_blocks
    ba = results.table("before_after")
    if not ba.empty:
        n3 += [
            Heading(s("indicators.before_after_heading"), 3),
            tables.before_after_table(ba, project, s).sourced(
                source("before_after", ba, kind="indicators")
            ),
        ]
    registry = {i.id: i for i in project.indicators}
    summary = results.table("indicator_summary")
    other = summary[
        [i in registry and registry[i].model.type == "none" for i in summary["indicator"]]
    ]
    if not other.empty:
        n3.append(
            tables.summary_table(other, project, s).sourced(
                source("indicator_summary", other, kind="indicators", model="none")
            )
        )
    n3 += outcome_blocks(results.table("outcomes"), results.table("outcome_targets"), project, s)
    n3 += _goals(results, project, s)
    out = [SectionContent("n3_key_figures", tuple(n3))]
    if appendix:
        out.append(SectionContent(content.APPENDIX, tuple(appendix)))
    return out


def _its(results: Results, project: Project, s: Strings) -> tuple[list[Block], list[Block]]:
    """Per indicator and unit: heading, figure, sentences, table; the diagnostics for the
    appendix."""
    its = results.table("its")
    if its.empty:
        return [], []
    series = results.table("its_series")
    diagnostics = results.table("its_diagnostics")
    registry = {i.id: i for i in project.indicators}
    lang = s.lang
    body: list[Block] = []
    appendix: list[Block] = [
        Heading(s("indicators.appendix_heading")),
        Text(s("indicators.appendix_intro")),
    ]
    for (ind_id, unit), part in its.groupby(["indicator", "unit"], sort=False):
        ind = registry.get(str(ind_id))
        if ind is None:
            continue
        title = title_of(ind.labels.get(lang), unit_label(project, str(unit), lang))
        where = {"indicator": ind_id, "unit": unit}
        body.append(Heading(title, 3))
        ser = series[(series["indicator"] == ind_id) & (series["unit"] == unit)]
        when = f"{ind.intervention:%Y-%m}" if ind.intervention else ""
        intervention = month_text(when, lang)
        if not ser.empty:
            make = partial(
                plot_its,
                ser,
                title=title,
                y_label=per_period(ind, s),
                intervention_label=s("indicators.figure.intervention"),
                lang=lang,
                rate=ind.model.offset,
            )
            caption = s("indicators.its_figure", indicator=title, intervention=intervention)
            figure = FigureBlock(f"its_{ind_id}_{unit}_{lang}", make, caption)
            body.append(figure.sourced(source("its_series", ser, kind="indicators", **where)))
        body += [Text(t) for t in its_sentences(part, ind, ser, intervention, s)]
        body.append(
            tables.its_table(part, ind, s).sourced(source("its", part, kind="indicators", **where))
        )
        if results.has("its_diagnostics"):
            d = diagnostics[(diagnostics["indicator"] == ind_id) & (diagnostics["unit"] == unit)]
            table = tables.diagnostics_table(d, title, ind, s)
            appendix.append(table.sourced(source("its_diagnostics", d, kind="indicators", **where)))
    return body, appendix


def _level_sentence(r: pd.Series, ind: Indicator, intervention: str, s: Strings) -> str:
    lang = s.lang
    if r["effect_scale"] == "ratio":
        return s(
            "indicators.its_sentence_ratio",
            intervention=intervention,
            level=disclosure.format_change(r["estimate"], lang=lang),
            level_ci=disclosure.format_percent_ci(
                r["ci_low"], r["ci_high"], lang=lang, change=True
            ),
        )
    decimals = disclosure.auto_decimals(r["estimate"])
    return s(
        "indicators.its_sentence_difference",
        intervention=intervention,
        level=disclosure.format_value(r["estimate"], lang=lang),
        unit=unit_text(ind, lang),
        period=s(f"indicators.frequency.{ind.frequency}"),
        level_ci=disclosure.format_ci(r["ci_low"], r["ci_high"], decimals=decimals, lang=lang),
    )


def its_sentences(
    part: pd.DataFrame, ind: Indicator, ser: pd.DataFrame, intervention: str, s: Strings
) -> list[str]:
    """The change in level at the interruption and each effect h periods after it, in words."""
    lang = s.lang
    rows = {str(r["term"]): r for _, r in part.iterrows()}
    out = []
    if "level_change" in rows:
        out.append(_level_sentence(rows["level_change"], ind, intervention, s))
    post = ser[ser["post"].astype(bool)]
    for term in rows:
        effect = effect_horizon(term)
        relative = term.replace("_absolute", "_relative")
        if effect is None or effect[1] != "absolute" or relative not in rows:
            continue
        a, r = rows[term], rows[relative]
        h = effect[0]
        when = month_text(str(post["period"].iloc[h]), lang) if len(post) > h else ""
        decimals = disclosure.auto_decimals(a["estimate"])
        out.append(
            s(
                "indicators.its_effect_sentence",
                h=h,
                periods=s(f"indicators.frequency_plural.{ind.frequency}"),
                when=when,
                absolute=disclosure.format_value(a["estimate"], lang=lang),
                unit=per_period(ind, s),
                absolute_ci=disclosure.format_ci(
                    a["ci_low"], a["ci_high"], decimals=decimals, lang=lang
                ),
                relative=disclosure.format_change(r["estimate"], lang=lang),
                relative_ci=disclosure.format_percent_ci(
                    r["ci_low"], r["ci_high"], lang=lang, change=True
                ),
            )
        )
    return [Markdown(" ").join(out)] if out else []


def _goals(results: Results, project: Project, s: Strings) -> list[Block]:
    goals = results.table("goals")
    if goals.empty:
        return []
    blocks: list[Block] = [
        Heading(s("indicators.goals_heading"), 3),
        tables.goals_table(goals, project, s, results.table("logic")).sourced(
            source(["goals", "logic"], goals, kind="indicators")
        ),
        Text(s("indicators.goals_rule")),
    ]
    if project.report.kind == "final":
        blocks += [
            Heading(s("indicators.attainment_heading"), 4),
            tables.attainment_table(goals, s, results.table("logic")).sourced(
                source(["goals", "logic"], goals, kind="indicators")
            ),
        ]
    judged = goals[goals["status_source"] == "manual"]
    if not judged.empty:
        labels = {g.id: g.labels.get(s.lang) for g in project.goals}
        evidence = [
            Markdown("- **{}**: {}").format(
                labels.get(g["goal"], g["goal"]), g[f"evidence_{s.lang}"]
            )
            for _, g in judged.iterrows()
        ]
        blocks += [
            Heading(s("indicators.evidence_heading"), 4),
            Text(Markdown("\n").join(evidence)),
        ]
    return blocks


BUILDER = content.SectionBuilder("indicators", is_declared, build)
