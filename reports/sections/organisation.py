"""Feedback to one organisation: its survey results and response rates beside the whole project's.

A per-organisation report (``impleval report --for ORG``) is built from the results of the
organisation's own data (:mod:`analysis.cut`); this section puts them beside the whole project's
results for the same cut-off, at the start of section 1. Each side goes through the same
small-cell rule as every other table: a scale mean of fewer respondents than
``privacy.min_cell_size`` is shown as suppressed, on the organisation's side as on the whole's.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from instruments.spec import InstrumentSpec
from reports import disclosure
from reports.content import Heading, ReportContext, SectionContent, Source, Table, Text, source
from reports.labels import ordered_waves, wave_label
from reports.results import Results

__all__ = ["organisation_feedback"]


def _name(spec: InstrumentSpec, lang: str) -> str:
    """The instrument's short name ("NoMAD – mätning av …" → "NoMAD")."""
    return spec.name.get(lang).split(" – ")[0].strip()


def _whole_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[(frame["group_by"] == "all") & (frame["group"] == "all")]


def _scale_table(
    context: ReportContext, whole: Results, spec: InstrumentSpec, org_name: str
) -> Table | None:
    s = context.strings
    instrument = spec.id
    mine = _whole_rows(context.results.rows("scale_scores", instrument=instrument))
    if mine.empty:
        return None
    theirs = _whole_rows(whole.rows("scale_scores", instrument=instrument))
    keys = ["wave", "scale"]
    both = mine[[*keys, "mean", "n"]].merge(
        theirs[[*keys, "mean", "n"]], on=keys, how="left", suffixes=("_org", "_all")
    )
    order = {w: i for i, w in enumerate(ordered_waves(context.project, instrument, both["wave"]))}
    order |= {sc.id: i for i, sc in enumerate(spec.scales)}
    both = both.sort_values(keys, key=lambda c: c.map(order))
    both["wave_label"] = [wave_label(context.project, instrument, w, s.lang) for w in both["wave"]]
    names = {sc.id: sc.label.get(s.lang) for sc in spec.scales}
    both["scale"] = [names.get(sc, sc) for sc in both["scale"]]
    labels = [
        disclosure.Column(s("headers.wave"), "wave_label", "text"),
        disclosure.Column(s("headers.scale"), "scale", "text"),
    ]
    head = disclosure.format_table(both, labels, lang=s.lang, threshold=None)
    org_side = disclosure.format_table(
        both,
        [disclosure.Column(org_name, ("mean_org", "n_org"), "mean_n")],
        lang=s.lang,
        threshold=context.threshold,
        n_col="n_org",
    )
    all_side = disclosure.format_table(
        both,
        [disclosure.Column(s("organisation.whole"), ("mean_all", "n_all"), "mean_n")],
        lang=s.lang,
        threshold=context.threshold,
        n_col="n_all",
    )
    frame = pd.concat([head, org_side, all_side], axis=1)
    frame.attrs["align"] = [*head.attrs["align"], "right", "right"]
    frame.attrs["notes"] = list(dict.fromkeys([*org_side.attrs["notes"], *all_side.attrs["notes"]]))
    caption = s("organisation.scale_caption", instrument=_name(spec, s.lang), organisation=org_name)
    where = beside_whole(source("scale_scores", mine, kind="survey", instrument=instrument))
    return Table(frame, caption, s("note_prefix")).sourced(where)


WHOLE_PREFIX = "whole project/"
"""How an organisation report's manifest names the whole project's results files."""


def beside_whole(where: Source) -> Source:
    """The source of a table that sets the organisation beside the whole project: the
    organisation's results files and the whole project's (named with :data:`WHOLE_PREFIX`)."""
    return replace(where, files=(*where.files, *(WHOLE_PREFIX + f for f in where.files)))


def _rate(results: Results, instrument: str) -> pd.DataFrame:
    rows = results.rows("response_rates", instrument=instrument)
    return rows.loc[(rows["organisation"] == "all") & (rows["staff_group"] == "all")]


def _response_table(
    context: ReportContext, whole: Results, spec: InstrumentSpec, org_name: str
) -> Table | None:
    s = context.strings
    instrument = spec.id
    mine = _rate(context.results, instrument)
    if mine.empty:
        return None
    both = mine[["wave", "responded", "rate"]].merge(
        _rate(whole, instrument)[["wave", "responded", "rate"]],
        on="wave",
        how="left",
        suffixes=("_org", "_all"),
    )
    both["wave_label"] = [wave_label(context.project, instrument, w, s.lang) for w in both["wave"]]
    columns = [
        disclosure.Column(s("headers.wave"), "wave_label", "text"),
        disclosure.Column(f"{s('organisation.responded')} – {org_name}", "responded_org", "n"),
        disclosure.Column(f"{s('organisation.rate')} – {org_name}", "rate_org", "percent"),
        disclosure.Column(s("organisation.rate_whole"), "rate_all", "percent"),
    ]
    frame = disclosure.format_table(
        both, columns, lang=s.lang, threshold=context.threshold, n_col="responded_org"
    )
    caption = s("organisation.rate_caption", instrument=_name(spec, s.lang))
    where = beside_whole(source("response_rates", mine, kind="survey", instrument=instrument))
    return Table(frame, caption, s("note_prefix")).sourced(where)


def organisation_feedback(
    context: ReportContext, whole: Results, organisation: str
) -> list[SectionContent]:
    """The organisation's scale means and response rates beside the whole project's."""
    s = context.strings
    name = context.project.organisation_label(organisation, s.lang)
    blocks: list[Heading | Text | Table] = [
        Heading(s("organisation.heading", organisation=name)),
        Text(s("organisation.intro", organisation=name, threshold=context.threshold)),
    ]
    for spec in context.specs:
        for table in (
            _scale_table(context, whole, spec, name),
            _response_table(context, whole, spec, name),
        ):
            if table is not None:
                blocks.append(table)
    if len(blocks) == 2:
        blocks.append(Text(s("organisation.no_answers", organisation=name)))
    return [SectionContent("basic_information", tuple(blocks), order=-1)]
