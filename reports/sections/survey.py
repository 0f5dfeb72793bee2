"""The staff survey's part of the report: one block per instrument under N3, its reliability,
models and methods in the appendix.

N3 Nyckeltal asks for "quantitative measures of the project's delivery and results; how many or
what share of the target group think the efforts were good": the staff survey goes there (N2
Nyckelpersoner is about what interviewed key persons say, which a staff survey is not). Per
instrument: answers per wave, response rates, the normalisation profile, construct means (table
and figure), the general items, answer distributions, change between waves, means by staff group
and organisation, and tests of differences between groups.
"""

from __future__ import annotations

from functools import partial

from analysis.columns import tables_of
from ingest.kinds import get_kind
from instruments.spec import InstrumentSpec
from project.config import Project
from reports import disclosure
from reports.content import (
    APPENDIX,
    Block,
    FigureBlock,
    Heading,
    ReportContext,
    SectionBuilder,
    SectionContent,
    Text,
)
from reports.figures.survey import plot_construct_means
from reports.figures.survey_distributions import plot_item_distributions
from reports.sections import survey_stats as stats
from reports.sections import survey_tables as tables
from reports.sections.survey_common import Instrument, join_words, methods_paragraphs

SECTION = "n3_key_figures"
"""Where the staff survey results go (see the module docstring for why)."""
TABLES = (*tables_of("survey"), *tables_of("ingest"))
"""The results tables the survey section reads."""


def is_declared(project: Project) -> bool:
    """A project that declares survey waves has a survey section (the kind registry decides)."""
    return get_kind("survey").analysed(project)


def instrument_results(context: ReportContext, spec: InstrumentSpec) -> Instrument:
    """One instrument's rows of every survey results table (``None`` where it has none)."""
    found = {}
    for name in TABLES:
        rows = context.results.rows(name, instrument=spec.id)
        found[name] = rows if not rows.empty else None
    return Instrument(context.project, spec, context.strings, found)


def build(context: ReportContext) -> list[SectionContent]:
    """The survey block of every instrument with results under N3, and the appendix's part."""
    instruments = [instrument_results(context, spec) for spec in context.specs]
    instruments = [ins for ins in instruments if any(t is not None for t in ins.tables.values())]
    s = context.strings
    if not instruments:
        return [SectionContent(SECTION, (Text(s("survey.no_results")),))]
    body = tuple(b for ins in instruments for b in _instrument_blocks(ins))
    return [SectionContent(SECTION, body), SectionContent(APPENDIX, _appendix(instruments), -1)]


def _all_waves(ins: Instrument) -> list[str]:
    waves: list[str] = []
    for name in ("ingest_summary", "scale_scores", "item_distributions", "item_summaries"):
        df = ins.get(name)
        if df is not None:
            waves += [w for w in ins.waves(df) if w not in waves]
    return ins.waves_in_order(waves)


def _instrument_blocks(ins: Instrument) -> list[Block]:
    s = ins.s
    waves = _all_waves(ins)
    intro = s(
        "survey.intro",
        instrument=ins.short_name,
        n_waves=ins.number(len(waves)),
        waves="; ".join(ins.wave_label(w) for w in waves),
        threshold=ins.threshold,
    )
    blocks: list[Block] = [
        Heading(s("survey.heading", instrument=ins.short_name), 2, f"survey-{ins.spec.id}"),
        Text(intro),
    ]
    accounting, quarantine = tables.accounting(ins)
    if accounting is not None:
        blocks += [Heading(s("survey.accounting_heading"), 3), accounting]
        blocks += [Text(line) for line in quarantine]
    for heading, table in (
        (s("survey_stats.rates_heading"), stats.rates_table(ins)),
        (s("survey_stats.profile_heading"), stats.profile_table(ins)),
    ):
        if table is not None:
            blocks += [Heading(heading, 3), table]
    blocks += _constructs(ins)
    blocks += _general(ins)
    blocks += _distributions(ins)
    change = stats.change_blocks(ins)
    if change:
        blocks += [Heading(s("survey_stats.change_heading"), 3), *change]
    for group_by in stats.GROUPINGS:
        table = tables.group_table(ins, group_by)
        if table is not None:
            blocks += [Heading(s(f"survey.groups_heading.{group_by}"), 3), table]
    tests = stats.group_tests(ins)
    if tests:
        blocks.append(Heading(s("survey_stats.groups_tests_heading"), 3))
        for table, sentence in tests:
            blocks += [table, Text(sentence)]
    return blocks


def _constructs(ins: Instrument) -> list[Block]:
    s = ins.s
    table = tables.constructs_table(ins)
    if table is None:
        return []
    blocks: list[Block] = [Heading(s("survey.constructs_heading", kind=ins.kind_words), 3), table]
    scores = ins.get("scale_scores")
    if scores is not None and (scores["group_by"] == "all").any():
        make = partial(
            plot_construct_means, scores, spec=ins.spec, project=ins.project, lang=ins.lang
        )
        caption = s("survey.constructs_figure", kind=ins.kind_words, range=ins.range_words())
        stem = f"{ins.spec.id}_construct_means_{ins.lang}"
        everyone = scores[scores["group_by"] == "all"]
        figure = FigureBlock(stem, make, caption, width="90%")
        blocks.append(figure.sourced(ins.source("scale_scores", everyone, group_by="all")))
    return blocks


def _general(ins: Instrument) -> list[Block]:
    numeric = tables.numeric_items(ins)
    table = tables.general_table(ins)
    if not numeric or table is None:
        return []
    codes = join_words([ins.spec.item(i).source_code for i in numeric], ins.s)
    return [Heading(ins.s("survey.general_heading", codes=codes), 3), table]


def _distributions(ins: Instrument) -> list[Block]:
    dist = ins.get("item_distributions")
    if dist is None:
        return []
    figures: list[Block] = []
    for wave in ins.waves(dist):
        make = partial(
            plot_item_distributions,
            dist,
            spec=ins.spec,
            project=ins.project,
            lang=ins.lang,
            wave=wave,
        )
        caption = ins.s("survey.distributions_figure", wave=ins.wave_label(wave))
        stem = f"{ins.spec.id}_item_distributions_{wave}_{ins.lang}"
        rows = dist[dist["wave"].astype(str) == wave]
        figure = FigureBlock(stem, make, caption)
        figures.append(figure.sourced(ins.source("item_distributions", rows, wave=wave)))
    return [Heading(ins.s("survey.distributions_heading"), 3), *figures] if figures else []


def _appendix(instruments: list[Instrument]) -> tuple[Block, ...]:
    """Reliability, reliability per group and the models of change per instrument; then the
    methods of every instrument and those common to all."""
    s = instruments[0].s
    project = instruments[0].project
    blocks: list[Block] = []
    for ins in instruments:
        reliability = tables.reliability_table(ins)
        if reliability is not None:
            heading = f"{s('survey.reliability_heading')}: {ins.short_name}"
            blocks += [Heading(heading), reliability]
            blocks += [Text(w) for w in tables.item_rest_warnings(ins)]
        by_group = tables.group_reliability_table(ins)
        if by_group is not None:
            heading = f"{s('survey_stats.group_reliability_heading')}: {ins.short_name}"
            blocks += [Heading(heading), by_group]
        models = stats.model_table(ins)
        if models:
            blocks += [Heading(s("survey_stats.model_heading", instrument=ins.short_name)), *models]
    blocks.append(Heading(s("survey.methods_heading")))
    blocks += [Text(p) for ins in instruments for p in methods_paragraphs(ins)]
    threshold = project.privacy.min_cell_size
    rate = disclosure.format_percent(project.survey.response_rate_threshold, lang=s.lang)
    common = [
        s("methods.reliability"),
        s("survey_stats.methods_reliability"),
        s("survey_stats.methods_change"),
        s("survey_stats.methods_groups", threshold=threshold),
        s("survey_stats.methods_rates", threshold=rate),
        s("methods.small_cells", threshold=threshold),
    ]
    return (*blocks, *(Text(p) for p in common))


BUILDER = SectionBuilder("survey", is_declared, build)
