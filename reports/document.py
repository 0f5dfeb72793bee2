"""Build the evaluator's report: Markdown from a Jinja2 template, figures, rendering, manifest.

The report follows Tillväxtverket's template for the final report of an ongoing evaluation
(``shared/seeds/000_*``): nine numbered sections, each opened by the evaluator's own text from
``narrative/<section>.<lang>.md`` (or ``narrative/<section>.md`` for Swedish). Generated content
goes where the template asks for it:

- **1 Grundinformation** gets a table of basic facts from ``project.yaml``;
- **8 N3 Nyckeltal** ("quantitative measures of the project's delivery and results; how many or
  what share of the target group think the efforts were good") gets the staff survey: responses
  per wave, construct means (table and figure), the general items, answer distributions and means
  by staff group and organisation. N2 Nyckelpersoner is about what interviewed key persons say,
  which a staff survey is not;
- a **statistical appendix** after section 9 gives reliability and the methods, including the
  small-cell rule.

Every number passes through :mod:`reports.disclosure` (rounding and small-cell rule) before it
reaches the Markdown; the template only arranges.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from matplotlib.figure import Figure

from analysis.wave_comparison import MIXED_MODEL
from instruments.spec import InstrumentSpec
from project.config import Project
from project.errors import ResultsFileError
from reports import disclosure
from reports.disclosure import Column
from reports.figures import survey as figures
from reports.manifest import write_manifest
from reports.render import render_report
from reports.strings import TEMPLATES_DIR, Strings, report_strings

SECTION_IDS = (
    "basic_information",
    "design",
    "p1_project_logic",
    "p2_process",
    "p3_public_debate",
    "n1_key_activities",
    "n2_key_persons",
    "n3_key_figures",
    "summary",
)
"""The funder's nine sections, in order; also the narrative file names."""

SURVEY_SECTION = "n3_key_figures"
"""Where the staff survey results go (see the module docstring for why)."""

TEMPLATE = "report.md.j2"
FIGURE_DPI = 150

RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "reliability": (
        "instrument", "wave", "scale", "n", "k_items", "estimate", "ci_low", "ci_high", "method",
    ),
    "scale_scores": (
        "instrument", "wave", "scale", "group_by", "group", "n", "mean", "sd", "ci_low", "ci_high",
    ),
    "item_summaries": ("instrument", "wave", "item", "n", "mean", "sd", "median"),
    "item_distributions": (
        "instrument", "wave", "item", "response_kind", "response", "n", "share", "share_of_scored",
    ),
    "ingest_summary": (
        "instrument", "wave", "file", "rows_read", "rows_loaded", "rows_quarantined",
    ),
    "quarantine_reasons": ("instrument", "wave", "rule", "n"),
    "item_statistics": ("instrument", "wave", "scale", "item", "n", "r_item_rest"),
    "normalisation_profile": (
        "instrument", "wave", "scale", "item", "n", "mean", "ci_low", "ci_high", "range_low",
        "range_high", "green_from", "yellow_from", "light",
    ),
    "wave_comparison": (
        "instrument", "scale", "contrast", "sample", "method", "n", "n_linked", "estimate",
        "ci_low", "ci_high", "p_value", "effect_size", "formula", "variance_respondent",
        "variance_residual", "n_respondents",
    ),
    "group_comparison": (
        "instrument", "wave", "scale", "group_by", "comparison", "group_a", "group_b", "method",
        "n", "k_groups", "statistic", "df", "df2", "p_value", "p_adjusted", "effect_size",
    ),
    "response_rates": (
        "instrument", "wave", "organisation", "staff_group", "invited", "responded", "rate",
        "below_threshold",
    ),
}  # fmt: skip
"""The results files the report reads, with the columns it needs from each."""

_TEXT_COLUMNS = {
    c: str
    for c in ("instrument", "wave", "scale", "group_by", "group", "item", "response",
              "response_kind", "file", "rule", "method", "measure", "note", "light", "contrast",
              "sample", "formula", "comparison", "group_a", "group_b", "organisation",
              "staff_group", "baseline_wave", "follow_up_wave", "groups_included",
              "groups_excluded")
}  # fmt: skip


# -- inputs ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyResults:
    """The results tables of one instrument (``None`` where the file is absent or has no rows)."""

    tables: Mapping[str, pd.DataFrame | None]
    files: Mapping[str, Path] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def load_results(results_dir: Path, *, instrument: str) -> SurveyResults:
    """Read the results CSVs the report uses, keeping one instrument's rows.

    Raises
    ------
    ResultsFileError
        When a file exists but cannot be read or lacks a column the report needs.
    """
    results_dir = Path(results_dir)
    tables: dict[str, pd.DataFrame | None] = {}
    files: dict[str, Path] = {}
    for name, needed in RESULT_COLUMNS.items():
        path = results_dir / f"{name}.csv"
        if not path.is_file():
            tables[name] = None
            continue
        try:
            df = pd.read_csv(path, dtype=_TEXT_COLUMNS, keep_default_na=True)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise ResultsFileError(
                f"{path.name}: cannot be read as CSV ({exc}). Hint: rerun the analyse stage."
            ) from exc
        missing = [c for c in needed if c not in df.columns]
        if missing:
            raise ResultsFileError(
                f"{path.name}: missing columns {', '.join(missing)}. Expected at least "
                f"{', '.join(needed)}; found {', '.join(map(str, df.columns))}. Hint: rerun the "
                f"analyse stage with this version of impleval."
            )
        files[name] = path
        df = df[df["instrument"] == instrument].reset_index(drop=True)
        tables[name] = df if not df.empty else None
    return SurveyResults(tables=tables, files=files)


def narrative_file(narrative_dir: Path, section: str, lang: str) -> Path | None:
    """The evaluator's text for a section: ``<section>.<lang>.md``, else ``<section>.md`` (sv)."""
    candidates = [Path(narrative_dir) / f"{section}.{lang}.md"]
    if lang == "sv":
        candidates.append(Path(narrative_dir) / f"{section}.md")
    return next((p for p in candidates if p.is_file()), None)


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^(\s{0,3})(#{1,5})(\s|$)")


def demote_headings(markdown: str, *, by: int = 1) -> str:
    """Push the narrative's ATX headings down ``by`` levels so they sit under the section heading.

    >>> demote_headings("# Bakgrund\\ntext\\n```\\n# kod\\n```")
    '## Bakgrund\\ntext\\n```\\n# kod\\n```'
    """
    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)[0] * 3
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
        elif fence is None:
            h = _ATX.match(line)
            if h:
                level = min(6, len(h.group(2)) + by)
                line = h.group(1) + "#" * level + line[h.end(2) :]
        out.append(line)
    return "\n".join(out)


def read_narrative(
    narrative_dir: Path, section: str, lang: str, *, strings: Strings | None = None
) -> tuple[str, Path | None]:
    """The section's narrative Markdown (headings demoted), or a visible placeholder.

    Returns
    -------
    (text, path)
        ``path`` is ``None`` when the placeholder was used.
    """
    s = strings or report_strings(lang)
    path = narrative_file(narrative_dir, section, lang)
    if path is None:
        wanted = f"narrative/{section}.md" if lang == "sv" else f"narrative/{section}.{lang}.md"
        return f"> {s('placeholder', path=wanted)}", None
    text = path.read_text(encoding="utf-8-sig").strip()
    return demote_headings(text), path


# -- Markdown tables ---------------------------------------------------------------------------
_ESCAPE = re.compile(r"([\\|*_`\[\]])")


def _cell(text: object) -> str:
    return _ESCAPE.sub(r"\\\1", str(text)).replace("\n", " ")


def pipe_table(frame: pd.DataFrame, *, caption: str, note_prefix: str | None = None) -> str:
    """A pandoc pipe table with a caption (no number: the output formats number captions).

    ``frame`` is the output of :func:`reports.disclosure.format_table` (strings; ``attrs`` with
    ``align`` and ``notes``). The separator line's dashes are proportional to the columns' content
    and the line is longer than pandoc's 72 columns, so pandoc uses these relative widths in every
    format (DOCX otherwise squeezes columns).
    """
    headers = [str(c) for c in frame.columns]
    align = list(frame.attrs.get("align", ["left"] * len(headers)))
    body = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]

    def width(col: int) -> int:
        # Room for the header on at most two lines without breaking a word, and for the content
        # (long texts wrap).
        header = headers[col]
        longest_word = max((len(w) for w in header.split()), default=1)
        longest_cell = max((len(r[col]) for r in body), default=1)
        return (
            max(longest_word, min(len(header), 14), -(-len(header) // 2), min(longest_cell, 36), 3)
            + 2
        )

    widths = [width(i) for i in range(len(headers))]
    total = sum(widths)
    dashes = [max(3, round(100 * w / total)) for w in widths]
    seps = [
        (":" + "-" * (d - 1)) if a == "left" else ("-" * (d - 1) + ":")
        for d, a in zip(dashes, align, strict=True)
    ]
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "|".join(seps) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    text = "\n".join(lines) + f"\n\n: {caption}\n"
    notes = list(frame.attrs.get("notes", []))
    if notes:
        prefix = f"{note_prefix} " if note_prefix else ""
        text += "\n[" + prefix + " ".join(_cell(n) for n in notes) + "]{.table-note}\n"
    return text


def _blank_repeats(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Show a label only where it changes (easier to read in long tables)."""
    out = frame.copy()
    values = out[column].tolist()
    out[column] = [v if i == 0 or v != values[i - 1] else "" for i, v in enumerate(values)]
    out.attrs = dict(frame.attrs)
    return out


def _join(words: Sequence[str], s: Strings) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {s('methods.and')} " + words[-1]


def _quote(text: str, s: Strings) -> str:
    return f"{s('methods.quote_open')}{text}{s('methods.quote_close')}"


# -- the survey section ------------------------------------------------------------------------
def _wave_sort(project: Project, instrument: str, df: pd.DataFrame) -> list[str]:
    return figures.ordered_waves(project, instrument, df["wave"].astype(str).unique())


def _accounting(results: SurveyResults, *, project: Project, spec: InstrumentSpec, s: Strings):
    ingest = results.get("ingest_summary")
    if ingest is None:
        return None, []
    lang = s.lang
    sums: dict[Hashable, dict[Hashable, Any]] = (
        ingest.groupby("wave", sort=False)[["rows_read", "rows_loaded", "rows_quarantined"]]
        .sum()
        .to_dict(orient="index")
    )
    rows = []
    for wave in _wave_sort(project, spec.id, ingest):
        declared = next(
            (w for w in project.waves if w.instrument == spec.id and w.id == wave), None
        )
        invited = declared.invited if declared else None
        loaded = sums[wave]["rows_loaded"]
        rows.append(
            {
                "wave": figures.wave_label(project, spec.id, wave, lang),
                "period": f"{declared.opens.isoformat()} – {declared.closes.isoformat()}"
                if declared
                else "",
                "invited": invited,
                "rows_read": sums[wave]["rows_read"],
                "rows_loaded": loaded,
                "rows_quarantined": sums[wave]["rows_quarantined"],
                "rate": (loaded / invited) if invited else float("nan"),
            }
        )
    h = "headers."
    columns = [
        Column(s(h + "wave"), "wave", "text"),
        Column(s(h + "period"), "period", "text"),
        Column(s(h + "invited"), "invited", "integer"),
        Column(s(h + "rows_read"), "rows_read", "integer"),
        Column(s(h + "rows_loaded"), "rows_loaded", "integer"),
        Column(s(h + "rows_quarantined"), "rows_quarantined", "integer"),
        Column(s(h + "response_rate"), "rate", "percent"),
    ]
    # Row counts of files, not answers about people: no small-cell rule here.
    table = disclosure.format_table(pd.DataFrame(rows), columns, lang=lang, threshold=None)
    markdown = pipe_table(
        table, caption=s("survey.accounting_caption"), note_prefix=s("note_prefix")
    )
    sentences = []
    reasons = results.get("quarantine_reasons")
    if reasons is not None:
        for wave in _wave_sort(project, spec.id, reasons):
            rows_of_wave = reasons[reasons["wave"].astype(str) == wave]
            per_rule = rows_of_wave.groupby("rule", sort=True)["n"].sum()
            per_rule = per_rule[per_rule > 0]
            if per_rule.empty:
                continue
            listed = ", ".join(
                s(
                    f"quarantine_rules.{rule}",
                    n=disclosure.format_number(n, decimals=0, lang=lang),
                )
                for rule, n in per_rule.items()
            )
            sentences.append(s("survey.quarantine_sentence", wave=wave, reasons=listed))
    return markdown, sentences


def scale_kind(spec: InstrumentSpec) -> str:
    """``"npt"`` when the scales are NPT constructs (NoMAD), else ``"scale"``: how tables name them."""
    items = [spec.item(i) for sc in spec.scales for i in sc.items]
    return "npt" if items and all(it.npt_construct for it in items) else "scale"


def _range_words(spec: InstrumentSpec, s: Strings) -> str:
    """``skala 1–5`` for mean scores on one response set; ``summapoäng`` for sums."""
    ranges = {spec.score_range(sc.id) for sc in spec.scales}
    if len(ranges) == 1 and all(sc.method == "mean" for sc in spec.scales):
        low, high = next(iter(ranges))
        num = lambda x: disclosure.format_number(x, decimals=0, lang=s.lang)  # noqa: E731
        return s("survey.range_mean", low=num(low), high=num(high))
    return s("survey.range_sum")


def _scale_header(spec: InstrumentSpec, s: Strings) -> str:
    return s("headers.construct" if scale_kind(spec) == "npt" else "headers.scale")


def _kind_words(spec: InstrumentSpec, s: Strings) -> str:
    return s(f"survey.kind.{scale_kind(spec)}")


def _scale_order(spec: InstrumentSpec) -> dict[str, int]:
    return {sc.id: i for i, sc in enumerate(spec.scales)}


def _by_construct_and_wave(
    df: pd.DataFrame, *, project: Project, spec: InstrumentSpec, lang: str
) -> pd.DataFrame:
    """Rows in spec order of scales, then wave order, with the construct's label added."""
    waves = _wave_sort(project, spec.id, df)
    df = df.assign(
        _s=df["scale"].map(_scale_order(spec)),
        _w=df["wave"].astype(str).map({w: i for i, w in enumerate(waves)}),
    ).sort_values(["_s", "_w"], kind="stable")
    return df.assign(construct=[spec.scale(x).label.get(lang) for x in df["scale"]])


def _constructs_table(scores: pd.DataFrame, *, project, spec, s: Strings) -> str | None:
    lang = s.lang
    order = _scale_order(spec)
    df = scores[(scores["group_by"] == "all") & scores["scale"].isin(order)].copy()
    if df.empty:
        return None
    df = _by_construct_and_wave(df, project=project, spec=spec, lang=lang)
    h = "headers."
    columns = [
        Column(_scale_header(spec, s), "construct", "text"),
        Column(s(h + "wave"), "wave", "text"),
        Column(s(h + "n"), "n", "n"),
        Column(s(h + "mean"), "mean", "number"),
        Column(s(h + "sd"), "sd", "number"),
        Column(s(h + "ci"), ("ci_low", "ci_high"), "ci"),
    ]
    table = disclosure.format_table(df, columns, lang=lang, threshold=project.privacy.min_cell_size)
    table = _blank_repeats(table, _scale_header(spec, s))
    caption = s("survey.constructs_caption", kind=_kind_words(spec, s), range=_range_words(spec, s))
    return pipe_table(table, caption=caption, note_prefix=s("note_prefix"))


def _general_table(summaries: pd.DataFrame, *, project, spec, s: Strings) -> str | None:
    lang = s.lang
    numeric = [it.id for it in spec.items if spec.response_sets[it.response_set].type == "numeric"]
    df = summaries[summaries["item"].isin(numeric)].copy()
    if df.empty:
        return None
    waves = _wave_sort(project, spec.id, df)
    df["_i"] = df["item"].map({k: i for i, k in enumerate(numeric)})
    df["_w"] = df["wave"].astype(str).map({w: i for i, w in enumerate(waves)})
    df = df.sort_values(["_i", "_w"], kind="stable")
    df["question"] = [
        f"{spec.item(i).source_code} {spec.item(i).label.get(lang)}" for i in df["item"]
    ]
    h = "headers."
    columns = [
        Column(s(h + "question"), "question", "text"),
        Column(s(h + "wave"), "wave", "text"),
        Column(s(h + "n"), "n", "n"),
        Column(s(h + "mean"), "mean", "number"),
        Column(s(h + "sd"), "sd", "number"),
        Column(s(h + "median"), "median", "number", decimals=1),
    ]
    table = disclosure.format_table(df, columns, lang=lang, threshold=project.privacy.min_cell_size)
    table = _blank_repeats(table, s(h + "question"))
    rs = spec.response_set_of(numeric[0])
    num = lambda x: disclosure.format_number(x, decimals=0, lang=lang)  # noqa: E731
    caption = s("survey.general_caption", low=num(rs.low), high=num(rs.high))
    return pipe_table(table, caption=caption, note_prefix=s("note_prefix"))


def _group_table(
    scores: pd.DataFrame, group_by: str, *, project: Project, spec: InstrumentSpec, s: Strings
) -> str | None:
    """Construct means by group and wave, one column per construct: ``M (n)``."""
    lang = s.lang
    order = _scale_order(spec)
    df = scores[(scores["group_by"] == group_by) & scores["scale"].isin(order)].copy()
    if df.empty:
        return None
    waves = _wave_sort(project, spec.id, df)
    groups = figures.ordered_groups(project, group_by, df["group"].astype(str).unique())
    long = disclosure.format_table(
        df,
        [
            Column("group", "group", "text"),
            Column("wave", "wave", "text"),
            Column("scale", "scale", "text"),
            Column("cell", ("mean", "n"), "mean_n"),
        ],
        lang=lang,
        threshold=project.privacy.min_cell_size,
        complement_within=["instrument", "wave", "scale", "group_by"],
    )
    cells = {(r.group, r.wave, r.scale): r.cell for r in long.itertuples(index=False)}
    h = "headers."
    group_header = s(h + group_by)
    scale_headers = [spec.scale(sc).label.get(lang) for sc in order]
    rows = []
    for g in groups:
        for w in waves:
            if not any((g, w, sc) in cells for sc in order):
                continue
            row: dict[str, object] = {
                group_header: figures.group_label(project, group_by, g, lang),
                s(h + "wave"): w,
            }
            for sc, header in zip(order, scale_headers, strict=True):
                row[header] = cells.get((g, w, sc), disclosure.NOT_AVAILABLE)
            rows.append(row)
    table = pd.DataFrame(rows, columns=[group_header, s(h + "wave"), *scale_headers], dtype=object)
    notes = list(long.attrs["notes"])
    if any(v == disclosure.NOT_AVAILABLE for v in table.to_numpy().ravel()):
        note = disclosure.not_available_note(lang=lang)
        notes += [] if note in notes else [note]
    # Group names are repeated on every row: this table can run over a page break.
    table.attrs = {"align": ["left", "left"] + ["right"] * len(scale_headers), "notes": notes}
    caption = s(f"survey.groups_caption.{group_by}", kind=_kind_words(spec, s))
    return pipe_table(table, caption=caption, note_prefix=s("note_prefix"))


def _overall_rows(reliability: pd.DataFrame) -> pd.DataFrame:
    """The per-wave rows of ``reliability.csv`` (``group_by`` "all", or files written before the
    per-group rows existed)."""
    if "group_by" not in reliability.columns:
        return reliability
    return reliability[reliability["group_by"].isna() | (reliability["group_by"] == "all")]


def _reliability_table(reliability: pd.DataFrame, *, project, spec, s: Strings) -> str | None:
    lang = s.lang
    order = _scale_order(spec)
    reliability = _overall_rows(reliability)
    df = reliability[reliability["scale"].isin(order)].copy()
    if df.empty:
        return None
    df = _by_construct_and_wave(df, project=project, spec=spec, lang=lang)
    df["method_text"] = [method_in_words(m, s) for m in df["method"]]
    h = "headers."
    columns = [
        Column(_scale_header(spec, s), "construct", "text"),
        Column(s(h + "wave"), "wave", "text"),
        Column(s(h + "n"), "n", "n"),
        Column(s(h + "k"), "k_items", "integer"),
        Column(s(h + "alpha"), "estimate", "number"),
        Column(s(h + "ci"), ("ci_low", "ci_high"), "ci"),
    ]
    methods = list(dict.fromkeys(df["method_text"]))
    if len(methods) > 1:  # alpha and omega: the estimate column is not only alpha
        columns[4] = Column(s("survey_stats.headers.coefficient"), "estimate", "number")
    if len(methods) > 1:  # one method for all rows goes into a note instead of every row
        columns.append(Column(s(h + "method"), "method_text", "text"))
    table = disclosure.format_table(df, columns, lang=lang, threshold=project.privacy.min_cell_size)
    table = _blank_repeats(table, _scale_header(spec, s))
    if len(methods) == 1:
        table.attrs["notes"] = [f"{s(h + 'method')}: {methods[0]}.", *table.attrs["notes"]]
    caption = s(
        "survey.reliability_caption",
        kind=_kind_words(spec, s),
        instrument=_short_name(spec, lang),
    )
    return pipe_table(table, caption=caption, note_prefix=s("note_prefix"))


def _group_reliability_table(
    reliability: pd.DataFrame, *, project: Project, spec: InstrumentSpec, s: Strings
) -> str | None:
    """Alpha and omega per wave × staff group and wave × organisation: only groups with at least
    ``survey.reliability_min_n`` complete cases (and the small-cell rule on top)."""
    lang = s.lang
    if "group_by" not in reliability.columns:
        return None
    order = _scale_order(spec)
    min_n = project.survey.reliability_min_n
    df = reliability[
        reliability["group_by"].isin(["staff_group", "organisation"])
        & reliability["scale"].isin(order)
        & (reliability["n"] >= min_n)
    ].copy()
    if df.empty:
        return None
    df = _by_construct_and_wave(df, project=project, spec=spec, lang=lang)
    df["_g"] = df["group_by"].map({"staff_group": 0, "organisation": 1})
    df = df.sort_values(["_g", "_s", "_w"], kind="stable")
    df["grouping"] = [s(f"survey_stats.grouping_one.{g}") for g in df["group_by"]]
    df["group_label"] = [
        figures.group_label(project, str(g), str(v), lang)
        for g, v in zip(df["group_by"], df["group"], strict=True)
    ]
    df["method_text"] = [method_in_words(m, s) for m in df["method"]]
    h = "headers."
    columns = [
        Column(_scale_header(spec, s), "construct", "text"),
        Column(s(h + "wave"), "wave", "text"),
        Column(s("survey_stats.headers.grouping"), "grouping", "text"),
        Column(s("survey_stats.headers.group_value"), "group_label", "text"),
        Column(s(h + "n"), "n", "n"),
        Column(s("survey_stats.headers.coefficient"), "estimate", "number"),
        Column(s(h + "ci"), ("ci_low", "ci_high"), "ci"),
        Column(s(h + "method"), "method_text", "text"),
    ]
    table = disclosure.format_table(df, columns, lang=lang, threshold=project.privacy.min_cell_size)
    table = _blank_repeats(table, _scale_header(spec, s))
    caption = s(
        "survey_stats.group_reliability_caption",
        kind=_kind_words(spec, s),
        instrument=_short_name(spec, lang),
        min_n=min_n,
    )
    return pipe_table(table, caption=caption, note_prefix=s("note_prefix"))


def _item_rest_warnings(
    stats: pd.DataFrame | None, *, spec: InstrumentSpec, s: Strings
) -> list[str]:
    """A sentence for each item that correlates negatively with the rest of its scale."""
    if stats is None:
        return []
    bad = stats[(stats["r_item_rest"] < 0) & (stats["n"] >= 3)]
    out = []
    for row in bad.itertuples(index=False):
        out.append(
            s(
                "survey.negative_item_rest",
                item=spec.item(str(row.item)).source_code,
                scale=spec.scale(str(row.scale)).label.get(s.lang),
                wave=str(row.wave),
                r=disclosure.format_number(row.r_item_rest, decimals=2, lang=s.lang),
            )
        )
    return out


def method_in_words(method: object, s: Strings) -> str:
    """A results file's ``method`` (a code or analysis' English text) in the report's language.

    >>> method_in_words("Cronbach's alpha, listwise; 97.5% CI Feldt (F distribution)",
    ...                 report_strings("sv"))
    'Cronbachs alfa (listvis bortfall), 97,5 % KI enligt Feldt'
    >>> method_in_words("cronbach_alpha", report_strings("en"))
    "Cronbach's alpha"
    """
    text = "" if method is None or pd.isna(method) else str(method)  # type: ignore[call-overload]
    named = s.get(f"methods_names.{text}", "")
    if named:
        return named
    for pattern in s.raw("methods_patterns"):
        m = re.match(pattern["match"], text)
        if m:
            values = {
                k: disclosure.format_number(float(v), decimals=_decimals(v), lang=s.lang)
                for k, v in m.groupdict().items()
            }
            return str(pattern["text"]).format(**values)
    return text.replace("_", " ")


def _decimals(number_text: str) -> int:
    return len(number_text.split(".")[1]) if "." in number_text else 0


def methods_paragraphs(spec: InstrumentSpec, *, s: Strings) -> list[str]:
    """How one instrument was scored, generated from its spec (variant and reverse keys included)."""
    lang = s.lang
    num = lambda x: disclosure.format_number(x, decimals=0, lang=lang)  # noqa: E731
    paragraphs: list[str] = []
    scale_items = list(dict.fromkeys(i for sc in spec.scales for i in sc.items))
    sets = {spec.item(i).response_set for i in scale_items}
    if spec.scales and len(sets) == 1:
        rs = spec.response_sets[next(iter(sets))]
        low_opt = min(rs.options, key=lambda o: o.code) if rs.options else None
        high_opt = max(rs.options, key=lambda o: o.code) if rs.options else None
        needed = [
            s(
                "methods.min_answered_item",
                k=num(sc.required_answers()),
                n=num(len(sc.items)),
                scale=sc.label.get(lang),
            )
            for sc in spec.scales
        ]
        summed = all(sc.method == "sum" for sc in spec.scales)
        text = s(
            "methods.scoring_sum" if summed else "methods.scoring",
            kind=_kind_words(spec, s),
            low=num(rs.low),
            high=num(rs.high),
            low_label=low_opt.labels.get(lang) if low_opt else "",
            high_label=high_opt.labels.get(lang) if high_opt else "",
            min_answered=_join(needed, s),
        )
        reversed_items = [spec.item(i).source_code for i in scale_items if spec.item(i).reverse]
        if reversed_items:
            key = "methods.reversed_one" if len(reversed_items) == 1 else "methods.reversed"
            text += " " + s(key, items=_join(reversed_items, s), rule=num(rs.low + rs.high))
        elif not spec.reverse_keys_confirmed:
            text += " " + s("methods.reverse_none", instrument=_short_name(spec, lang))
        if rs.not_applicable:
            labels = [_quote(na.labels.get(lang), s) for na in rs.not_applicable]
            text += " " + s("methods.not_applicable", labels=_join(labels, s))
        numeric = [it for it in spec.items if spec.response_sets[it.response_set].type == "numeric"]
        if numeric:
            nrs = spec.response_sets[numeric[0].response_set]
            text += " " + s(
                "methods.general",
                items=_join([it.source_code for it in numeric], s),
                low=num(nrs.low),
                high=num(nrs.high),
            )
        paragraphs.append(text)
    return paragraphs


# -- survey statistics: profile, change, groups, response rates -------------------------------
def _measure_label(spec: InstrumentSpec, kind: str, measure: str, lang: str) -> str:
    if kind == "scale":
        return spec.scale(measure).label.get(lang)
    item = spec.item(measure)
    return f"{item.source_code} {item.label.get(lang)}"


def _profile_table(profile: pd.DataFrame, *, project: Project, spec: InstrumentSpec, s: Strings):
    """Constructs and general items side by side per wave with a traffic light."""
    lang = s.lang
    if profile.empty:
        return None
    waves = _wave_sort(project, spec.id, profile)
    df = profile.assign(
        _w=profile["wave"].astype(str).map({w: i for i, w in enumerate(waves)}),
        _k=profile["scale"].isna().astype(int),
    ).sort_values(["_w", "_k"], kind="stable")
    df["label"] = [
        _measure_label(spec, "scale", sc, lang)
        if isinstance(sc, str)
        else _measure_label(spec, "general_item", it, lang)
        for sc, it in zip(df["scale"], df["item"], strict=True)
    ]
    df["wave_label"] = [figures.wave_label(project, spec.id, str(w), lang) for w in df["wave"]]
    # The light is a value like the mean: blank it with the mean for small groups.
    df["light_code"] = [
        {"green": 3.0, "yellow": 2.0, "red": 1.0}.get(str(x), float("nan")) for x in df["light"]
    ]
    h = "survey_stats.headers."
    columns = [
        Column(s("headers.wave"), "wave_label", "text"),
        Column(s(h + "measure"), "label", "text"),
        Column(s("headers.n"), "n", "n"),
        Column(s("headers.mean"), "mean", "number"),
        Column(s("headers.ci"), ("ci_low", "ci_high"), "ci"),
        Column(s(h + "light"), "light_code", "number", decimals=0),
    ]
    table = disclosure.format_table(df, columns, lang=lang, threshold=project.privacy.min_cell_size)
    names = {"3": "green", "2": "yellow", "1": "red"}
    light_header = s(h + "light")
    table[light_header] = [
        s(f"survey_stats.light.{names[v]}") if v in names else v for v in table[light_header]
    ]
    table = _blank_repeats(table, s("headers.wave"))
    lights = project.survey.traffic_lights
    num = lambda x, d=0: disclosure.format_number(x, decimals=d, lang=lang)  # noqa: E731
    table.attrs["notes"] = [
        s(
            "survey_stats.profile_note",
            green=num(lights.green * 100),
            yellow=num(lights.yellow * 100),
            green_15=num(1 + 4 * lights.green, 1),
            yellow_15=num(1 + 4 * lights.yellow, 1),
        ),
        *table.attrs["notes"],
    ]
    caption = s("survey_stats.profile_caption", kind=_kind_words(spec, s))
    return pipe_table(table, caption=caption, note_prefix=s("note_prefix"))


def _change_content(
    comparison: pd.DataFrame, *, project: Project, spec: InstrumentSpec, s: Strings
) -> list[dict[str, str]]:
    """Per contrast: an intro (how many linked), a table and one sentence per construct."""
    lang = s.lang
    threshold = project.privacy.min_cell_size
    order = _scale_order(spec)
    out = []
    for contrast in list(dict.fromkeys(comparison["contrast"].astype(str))):
        part = comparison[comparison["contrast"].astype(str) == contrast]
        rows = []
        for scale in sorted(set(part["scale"]) & set(order), key=order.__getitem__):
            sc = part[part["scale"] == scale]
            paired = sc[sc["method"] == "paired t test"]
            # The model every instrument gets (the extended one is in the appendix).
            mixed = sc[(sc["sample"] == "all") & (sc["method"] == MIXED_MODEL)]
            if paired.empty or mixed.empty:
                continue
            p, m = paired.iloc[0], mixed.iloc[0]
            rows.append(
                {
                    "construct": spec.scale(scale).label.get(lang),
                    "n_linked": int(p["n_linked"]),
                    "paired": p["estimate"],
                    "paired_low": p["ci_low"],
                    "paired_high": p["ci_high"],
                    "dz": p["effect_size"],
                    "n_all": int(m["n"]),
                    "mixed": m["estimate"],
                    "mixed_low": m["ci_low"],
                    "mixed_high": m["ci_high"],
                    "p": m["p_value"],
                }
            )
        if not rows:
            continue
        df = pd.DataFrame(rows)
        h = "survey_stats.headers."
        columns = [
            Column(_scale_header(spec, s), "construct", "text"),
            Column(s(h + "n_linked"), "n_linked", "n"),
            Column(s(h + "paired"), "paired", "number"),
            Column(s("headers.ci") + " ", ("paired_low", "paired_high"), "ci"),
            Column(s(h + "dz"), "dz", "number"),
            Column(s(h + "mixed"), "mixed", "number"),
            Column(s("headers.ci"), ("mixed_low", "mixed_high"), "ci"),
            Column(s(h + "p"), "p", "number", decimals=3),
        ]
        # The linked n governs the rule (the smallest group behind any value in the row).
        table = disclosure.format_table(
            df, columns, lang=lang, threshold=threshold, n_col="n_linked"
        )
        fmt_n = lambda n: disclosure.format_n(int(n), threshold=threshold, lang=lang)  # noqa: E731
        low, high = int(df["n_linked"].min()), int(df["n_linked"].max())
        linked = fmt_n(low) if low == high else f"{fmt_n(low)}–{fmt_n(high)}"
        present = part["n_present_both"].dropna() if "n_present_both" in part.columns else None
        caption = s("survey_stats.change_caption", kind=_kind_words(spec, s), contrast=contrast)
        intro = (
            s(
                "survey_stats.change_intro_present",
                contrast=contrast,
                present=fmt_n(present.max()),
                linked=linked,
            )
            if present is not None and not present.empty
            else s("survey_stats.change_intro", contrast=contrast, linked=linked)
        )
        out.append(
            {
                "intro": intro,
                "table": pipe_table(table, caption=caption, note_prefix=s("note_prefix")),
            }
        )
    return out


def _group_tests_content(
    comparison: pd.DataFrame, *, project: Project, spec: InstrumentSpec, s: Strings
) -> list[dict[str, str]]:
    """Omnibus tests per grouping (only groups of at least min_cell_size; never their names when
    excluded), with the Holm-significant pairs in a sentence."""
    lang = s.lang
    threshold = project.privacy.min_cell_size
    order = _scale_order(spec)
    out = []
    for group_by in ("staff_group", "organisation"):
        part = comparison[(comparison["group_by"] == group_by) & comparison["scale"].isin(order)]
        welch = part[part["method"] == "Welch one-way ANOVA"]
        if welch.empty:
            continue
        kw = part[part["method"] == "Kruskal-Wallis test"].set_index(["wave", "scale"])["p_value"]
        df = _by_construct_and_wave(welch, project=project, spec=spec, lang=lang)
        num = lambda x, d=2: disclosure.format_number(x, decimals=d, lang=lang)  # noqa: E731
        df["welch_text"] = [
            f"{num(f)} ({num(d1, 0)}; {num(d2, 1)})"
            for f, d1, d2 in zip(df["statistic"], df["df"], df["df2"], strict=True)
        ]
        df["kw_p"] = [
            kw.get((w, sc), float("nan")) for w, sc in zip(df["wave"], df["scale"], strict=True)
        ]
        h = "survey_stats.headers."
        columns = [
            Column(_scale_header(spec, s), "construct", "text"),
            Column(s("headers.wave"), "wave", "text"),
            Column(s(h + "k_groups"), "k_groups", "integer"),
            Column(s("headers.n"), "n", "n"),
            Column(s(h + "welch"), "welch_text", "text"),
            Column("p", "p_value", "number", decimals=3),
            Column(s(h + "omega2"), "effect_size", "number"),
            Column(s(h + "kw_p"), "kw_p", "number", decimals=3),
        ]
        table = disclosure.format_table(df, columns, lang=lang, threshold=threshold)
        table = _blank_repeats(table, _scale_header(spec, s))
        pairs = part[(part["comparison"] == "pairwise") & (part["p_adjusted"] < 0.05)]
        listed = [
            f"{spec.scale(str(r.scale)).label.get(lang)} {r.wave}: "
            f"{figures.group_label(project, group_by, str(r.group_b), lang)} − "
            f"{figures.group_label(project, group_by, str(r.group_a), lang)} "
            f"{num(r.estimate)}"
            for r in pairs.itertuples(index=False)
        ]
        sentence = (
            s("survey_stats.pairs_sentence", pairs="; ".join(listed))
            if listed
            else s("survey_stats.pairs_none")
        )
        caption = s(
            "survey_stats.groups_tests_caption",
            grouping=s(f"survey_stats.grouping.{group_by}"),
            kind=_kind_words(spec, s),
            threshold=threshold,
        )
        out.append(
            {
                "heading": s(f"survey.groups_heading.{group_by}"),
                "table": pipe_table(table, caption=caption, note_prefix=s("note_prefix")),
                "sentence": sentence,
            }
        )
    return out


def _rates_table(rates: pd.DataFrame, *, project: Project, spec: InstrumentSpec, s: Strings):
    lang = s.lang
    if rates.empty:
        return None
    waves = _wave_sort(project, spec.id, rates)
    df = rates.assign(
        _w=rates["wave"].astype(str).map({w: i for i, w in enumerate(waves)})
    ).sort_values("_w", kind="stable")
    every = s("survey_stats.all")
    df["wave_label"] = [figures.wave_label(project, spec.id, str(w), lang) for w in df["wave"]]
    df["org_label"] = [
        every if str(o) == "all" else project.organisation_label(str(o), lang)
        for o in df["organisation"]
    ]
    df["group_label"] = [
        every if str(g) == "all" else project.staff_group_label(str(g), lang)
        for g in df["staff_group"]
    ]
    small = project.privacy.min_cell_size
    df["flag"] = [  # a small group's flag would tell its rate: withheld with the rate
        s("survey_stats.below") if str(b).lower() == "true" and not 0 < int(n) < small else ""
        for b, n in zip(df["below_threshold"], df["responded"], strict=True)
    ]
    h = "survey_stats.headers."
    columns = [
        Column(s("headers.wave"), "wave_label", "text"),
        Column(s(h + "organisation"), "org_label", "text"),
        Column(s(h + "group"), "group_label", "text"),
        Column(s(h + "invited"), "invited", "integer"),
        Column(s(h + "responded"), "responded", "n"),
        Column(s(h + "rate"), "rate", "percent"),
        Column(s(h + "flag"), "flag", "text"),
    ]
    table = disclosure.format_table(
        df, columns, lang=lang, threshold=project.privacy.min_cell_size, n_col="responded"
    )
    threshold = disclosure.format_percent(project.survey.response_rate_threshold, lang=lang)
    return pipe_table(
        table,
        caption=s("survey_stats.rates_caption", threshold=threshold),
        note_prefix=s("note_prefix"),
    )


def _model_table(comparison: pd.DataFrame, *, project: Project, spec: InstrumentSpec, s: Strings):
    """The appendix's mixed-model details: formula, variance components, test."""
    lang = s.lang
    order = _scale_order(spec)
    df = comparison[(comparison["sample"] == "all") & comparison["scale"].isin(order)].copy()
    if df.empty:
        return None
    df["_s"] = df["scale"].map(order)
    df = df.sort_values(["contrast", "_s"], kind="stable")
    df["construct"] = [spec.scale(x).label.get(lang) for x in df["scale"]]
    if "variance_organisation" not in df.columns:  # results written before the unit model
        df["variance_organisation"] = float("nan")
    h = "survey_stats.headers."
    columns = [
        Column(_scale_header(spec, s), "construct", "text"),
        Column(s(h + "contrast"), "contrast", "text"),
        Column(s(h + "formula"), "formula", "text"),
        Column(s(h + "n_obs"), "n", "n"),
        Column(s(h + "n_groups"), "n_respondents", "integer"),
        Column(s(h + "estimate"), "estimate", "number", decimals=3),
        Column(s("headers.ci"), ("ci_low", "ci_high"), "ci", decimals=3),
        Column("p", "p_value", "number", decimals=4),
        Column(s(h + "var_organisation"), "variance_organisation", "number", decimals=3),
        Column(s(h + "var_respondent"), "variance_respondent", "number", decimals=3),
        Column(s(h + "var_residual"), "variance_residual", "number", decimals=3),
    ]
    if df["variance_organisation"].isna().all():
        columns = [c for c in columns if c.source != "variance_organisation"]
    table = disclosure.format_table(df, columns, lang=lang, threshold=project.privacy.min_cell_size)
    table = _blank_repeats(table, _scale_header(spec, s))
    return pipe_table(
        table,
        caption=s("survey_stats.model_caption", kind=_kind_words(spec, s)),
        note_prefix=s("note_prefix"),
    )


# -- figures -----------------------------------------------------------------------------------
def make_figures(
    results: SurveyResults, *, spec: InstrumentSpec, project: Project, lang: str
) -> dict[str, Figure]:
    """The report's figures by file stem (``nomad_construct_means_sv``, …); nothing is saved."""
    out: dict[str, Figure] = {}
    scores = results.get("scale_scores")
    if scores is not None and (scores["group_by"] == "all").any():
        out[f"{spec.id}_construct_means_{lang}"] = figures.plot_construct_means(
            scores, spec=spec, project=project, lang=lang
        )
    dist = results.get("item_distributions")
    if dist is not None:
        for wave in _wave_sort(project, spec.id, dist):
            out[f"{spec.id}_item_distributions_{wave}_{lang}"] = figures.plot_item_distributions(
                dist, spec=spec, project=project, lang=lang, wave=wave
            )
    return out


# -- the document ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportOutputs:
    """What :func:`build_report` wrote."""

    markdown: Path
    figures: tuple[Path, ...]
    html: Path | None = None
    docx: Path | None = None
    pdf: Path | None = None
    manifest: Path | None = None
    inputs: Mapping[str, Path] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file written, the manifest last."""
        rendered = [p for p in (self.html, self.docx, self.pdf) if p is not None]
        tail = [self.manifest] if self.manifest is not None else []
        return [self.markdown, *self.figures, *rendered, *tail]


@dataclass(frozen=True)
class SectionContent:
    """Generated content that another part of the pipeline adds to one report section.

    Domain modules (indicators, interview codings, ...) build these from their own results, with
    every number formatted and disclosure-checked through :mod:`reports.disclosure`, and
    :func:`build_report` places them after the section's narrative (or in the appendix) and records
    their inputs and figures in the manifest.

    Attributes
    ----------
    section
        One of :data:`SECTION_IDS`, or ``"appendix"`` for the statistical appendix.
    markdown
        Pandoc Markdown; headings start at level 2 (``##``). Figures are referenced relative to the
        report folder (see :func:`figure_reference`).
    inputs
        Named files the content was made from (hashed into the manifest).
    figures
        Figure files the content references (hashed into the manifest as outputs).
    """

    section: str
    markdown: str
    inputs: Mapping[str, Path] = field(default_factory=dict)
    figures: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        if self.section not in (*SECTION_IDS, "appendix"):
            raise ValueError(f"unknown report section {self.section!r}")


def figure_reference(path: Path, out_dir: Path) -> str:
    """How the report's Markdown (in ``out_dir``) refers to a figure file."""
    return Path(os.path.relpath(path, out_dir)).as_posix()


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,  # Markdown, not HTML; every value is prepared in Python
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _anchor(ident: str, *classes: str) -> str:
    return "{#" + ident + "".join(f" .{c}" for c in classes) + "}"


def _front_matter(project: Project, *, lang: str, s: Strings, report_date: dt.date) -> str:
    meta: dict[str, object] = {
        "title": project.name.get(lang),
        "subtitle": s(f"report_kind.{project.report.kind}"),
        "date": report_date.isoformat(),
        "lang": lang,
    }
    if project.report.evaluator:
        meta["author"] = [project.report.evaluator]
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()


def _basic_table(project: Project, *, s: Strings) -> str:
    lang = s.lang
    b = "basic."
    rows = [(s(b + "project"), project.name.get(lang))]
    if project.funder:
        rows.append((s(b + "funder"), project.funder))
    if project.period:
        rows.append(
            (
                s(b + "period"),
                f"{project.period.start.isoformat()} – {project.period.end.isoformat()}",
            )
        )
    if project.report.evaluator:
        rows.append((s(b + "evaluator"), project.report.evaluator))
    rows.append(
        (
            s(b + "organisations"),
            disclosure.format_number(len(project.organisations), decimals=0, lang=lang),
        )
    )
    rows.append((s(b + "report"), s(f"report_kind.{project.report.kind}")))
    df = pd.DataFrame(rows, columns=["what", "value"])
    table = disclosure.format_table(
        df,
        [Column(s(b + "what"), "what", "text"), Column(s(b + "value"), "value", "text")],
        lang=lang,
        threshold=None,
    )
    return pipe_table(table, caption=s(b + "caption"))


def _survey_content(
    project: Project,
    spec: InstrumentSpec,
    results: SurveyResults,
    *,
    figure_paths: Mapping[str, str],
    s: Strings,
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """One instrument's part of the survey section and of the appendix (None without results)."""
    if not any(results.get(n) is not None for n in RESULT_COLUMNS):
        return None
    lang = s.lang
    scores = results.get("scale_scores")
    all_waves: list[str] = []
    for name in ("ingest_summary", "scale_scores", "item_distributions", "item_summaries"):
        df = results.get(name)
        if df is not None:
            all_waves += [w for w in _wave_sort(project, spec.id, df) if w not in all_waves]
    all_waves = figures.ordered_waves(project, spec.id, all_waves)
    wave_texts = [figures.wave_label(project, spec.id, w, lang) for w in all_waves]
    accounting, quarantine = _accounting(results, project=project, spec=spec, s=s)
    dist = results.get("item_distributions")
    distributions = []
    if dist is not None:
        for wave in _wave_sort(project, spec.id, dist):
            stem = f"{spec.id}_item_distributions_{wave}_{lang}"
            if stem in figure_paths:
                label = figures.wave_label(project, spec.id, wave, lang)
                caption = s("survey.distributions_figure", wave=label)
                distributions.append({"path": figure_paths[stem], "caption": caption})
    groups = []
    if scores is not None:
        for group_by in ("staff_group", "organisation"):
            table = _group_table(scores, group_by, project=project, spec=spec, s=s)
            if table:
                groups.append({"heading": s(f"survey.groups_heading.{group_by}"), "table": table})
    summaries = results.get("item_summaries")
    numeric = [it for it in spec.items if spec.response_sets[it.response_set].type == "numeric"]
    short_name = _short_name(spec, lang)
    kind = _kind_words(spec, s)
    profile = results.get("normalisation_profile")
    wave_comparison = results.get("wave_comparison")
    group_comparison = results.get("group_comparison")
    rates = results.get("response_rates")
    survey = {
        "anchor": f"survey-{spec.id}",
        "instrument": short_name,
        "intro": s(
            "survey.intro",
            instrument=short_name,
            n_waves=disclosure.format_number(len(all_waves), decimals=0, lang=lang),
            waves="; ".join(wave_texts),
            threshold=project.privacy.min_cell_size,
        ),
        "accounting": accounting,
        "quarantine": quarantine,
        "constructs_heading": s("survey.constructs_heading", kind=kind),
        "constructs": _constructs_table(scores, project=project, spec=spec, s=s)
        if scores is not None
        else None,
        "constructs_figure": figure_paths.get(f"{spec.id}_construct_means_{lang}"),
        "constructs_figure_caption": s(
            "survey.constructs_figure", kind=kind, range=_range_words(spec, s)
        ),
        "general_heading": s(
            "survey.general_heading", codes=_join([it.source_code for it in numeric], s)
        )
        if numeric
        else None,
        "general": _general_table(summaries, project=project, spec=spec, s=s)
        if summaries is not None
        else None,
        "distributions": distributions,
        "groups": groups,
        "profile": _profile_table(profile, project=project, spec=spec, s=s)
        if profile is not None
        else None,
        "change": _change_content(wave_comparison, project=project, spec=spec, s=s)
        if wave_comparison is not None
        else [],
        "group_tests": _group_tests_content(group_comparison, project=project, spec=spec, s=s)
        if group_comparison is not None
        else [],
        "rates": _rates_table(rates, project=project, spec=spec, s=s)
        if rates is not None
        else None,
    }
    reliability = results.get("reliability")
    appendix = {
        "instrument": short_name,
        "warnings": _item_rest_warnings(results.get("item_statistics"), spec=spec, s=s),
        "reliability": _reliability_table(reliability, project=project, spec=spec, s=s)
        if reliability is not None
        else None,
        "group_reliability": _group_reliability_table(reliability, project=project, spec=spec, s=s)
        if reliability is not None
        else None,
        "methods": methods_paragraphs(spec, s=s),
        "model_heading": s("survey_stats.model_heading", instrument=short_name),
        "models": _model_table(wave_comparison, project=project, spec=spec, s=s)
        if wave_comparison is not None
        else None,
    }
    return survey, appendix


def build_markdown(
    *,
    project: Project,
    specs: Sequence[InstrumentSpec],
    results: Mapping[str, SurveyResults],
    narrative_dir: Path,
    lang: str,
    figure_paths: Mapping[str, str] | None = None,
    report_date: dt.date | None = None,
    extra: Sequence[SectionContent] = (),
) -> tuple[str, list[Path]]:
    """The report's Markdown and the narrative files it used.

    Parameters
    ----------
    specs
        The instruments whose survey results the report shows, in order.
    results
        Instrument id → its results (from :func:`load_results`).
    figure_paths
        Figure stem (as from :func:`make_figures`) → path to write in the Markdown, relative to
        where the Markdown will be. Figures not listed are left out.
    extra
        Generated content from other parts of the pipeline, placed after each section's
        narrative (and, for ``"appendix"``, in the statistical appendix), in the order given.
    """
    s = report_strings(lang)
    threshold = project.privacy.min_cell_size
    figure_paths = dict(figure_paths or {})
    used: list[Path] = []
    sections = []
    for section_id in SECTION_IDS:
        text, path = read_narrative(narrative_dir, section_id, lang, strings=s)
        if path is not None:
            used.append(path)
        sections.append(
            {
                "id": section_id,
                "title": s(f"sections.{section_id}"),
                "narrative": text,
                "extra": [c.markdown.strip() for c in extra if c.section == section_id],
            }
        )
    appendix_extra = [c.markdown.strip() for c in extra if c.section == "appendix"]

    surveys, appendices = [], []
    for spec in specs:
        content = _survey_content(project, spec, results[spec.id], figure_paths=figure_paths, s=s)
        if content is not None:
            surveys.append(content[0])
            appendices.append(content[1])
    appendix = (
        {
            "instruments": appendices,
            "common": [
                s("methods.reliability"),
                s("survey_stats.methods_reliability"),
                s("survey_stats.methods_change"),
                s("survey_stats.methods_groups", threshold=threshold),
                s(
                    "survey_stats.methods_rates",
                    threshold=disclosure.format_percent(
                        project.survey.response_rate_threshold, lang=lang
                    ),
                ),
                s("methods.small_cells", threshold=threshold),
            ],
        }
        if appendices
        else None
    )

    template = _environment().get_template(TEMPLATE)
    markdown = template.render(
        front_matter=_front_matter(
            project, lang=lang, s=s, report_date=report_date or dt.date.today()
        ),
        synthetic=project.synthetic,
        sections=sections,
        basic_table=_basic_table(project, s=s),
        survey_section=SURVEY_SECTION,
        surveys=surveys,
        appendix=appendix,
        appendix_extra=appendix_extra,
        t=s,
        anchor=_anchor,
    )
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return markdown, used


def _short_name(spec: InstrumentSpec, lang: str) -> str:
    """The instrument's name before its explanation ("NoMAD – mätning av …" → "NoMAD")."""
    return spec.name.get(lang).split(" – ")[0].strip()


def _spec_fingerprint(spec: InstrumentSpec) -> str:
    return hashlib.sha256(spec.model_dump_json().encode("utf-8")).hexdigest()


def build_report(
    *,
    project: Project,
    specs: Sequence[InstrumentSpec],
    results_dir: Path,
    narrative_dir: Path,
    out_dir: Path,
    lang: str | None = None,
    formats: Sequence[str] | None = None,
    figures_dir: Path | None = None,
    project_dir: Path | None = None,
    report_date: dt.date | None = None,
    extra: Sequence[SectionContent] = (),
) -> ReportOutputs:
    """Write the figures, the Markdown, the rendered report and its manifest.

    Parameters
    ----------
    project, specs
        The project (labels, waves, ``privacy.min_cell_size``, report settings) and the
        instruments whose survey results the report shows, in order.
    results_dir
        ``output/results`` (unrounded CSVs from the analyse stage). Missing files leave their
        parts out; a file with missing columns is an error.
    narrative_dir
        ``narrative/`` with the evaluator's text per section.
    out_dir
        Where ``report_<lang>.md``, the rendered files and ``manifest.json`` (one entry per
        language) go.
    lang, formats
        Default to ``project.report.language`` and ``project.report.formats``.
    figures_dir
        Where the PNG figures go (default ``out_dir/figures``).
    project_dir
        The project folder, for the manifest's relative paths (default: the parent of
        ``narrative_dir``).
    report_date
        The date on the title page (default today).

    Returns
    -------
    ReportOutputs

    Raises
    ------
    ResultsFileError
        A results file lacks columns the report needs.
    RenderError
        pandoc or typst failed.
    """
    lang = lang or project.report.language
    formats = tuple(formats) if formats is not None else tuple(project.report.formats)
    out_dir = Path(out_dir)
    figures_dir = Path(figures_dir) if figures_dir is not None else out_dir / "figures"
    project_dir = Path(project_dir) if project_dir is not None else Path(narrative_dir).parent
    report_date = report_date or dt.date.today()
    out_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)

    results = {spec.id: load_results(results_dir, instrument=spec.id) for spec in specs}
    figure_files: list[Path] = []
    figure_paths: dict[str, str] = {}
    for spec in specs:
        made = make_figures(results[spec.id], spec=spec, project=project, lang=lang)
        for stem, fig in made.items():
            path = figures_dir / f"{stem}.png"
            fig.savefig(path, dpi=FIGURE_DPI, metadata={"Software": None})
            figure_files.append(path)
            figure_paths[stem] = figure_reference(path, out_dir)

    markdown, narrative_used = build_markdown(
        project=project,
        specs=specs,
        results=results,
        narrative_dir=narrative_dir,
        lang=lang,
        figure_paths=figure_paths,
        report_date=report_date,
        extra=extra,
    )
    md_path = out_dir / f"report_{lang}.md"
    md_path.write_text(markdown, encoding="utf-8")
    rendered = render_report(md_path, formats=formats, lang=lang)

    inputs: dict[str, Path] = {
        f"results/{n}.csv": p for r in results.values() for n, p in r.files.items()
    }
    inputs |= {f"narrative/{p.name}": p for p in narrative_used}
    for content in extra:
        inputs |= dict(content.inputs)
    project_file = project_dir / "project.yaml"
    if project_file.is_file():
        inputs["project.yaml"] = project_file
    settings = {
        "project_id": project.id,
        "language": lang,
        "formats": list(formats),
        "report_kind": project.report.kind,
        "report_date": report_date,
        "min_cell_size": project.privacy.min_cell_size,
        "instruments": {
            spec.id: {
                "version": spec.version,
                "variant": spec.variant,
                "reverse": [i.id for i in spec.items if i.reverse],
                "spec_sha256": _spec_fingerprint(spec),
            }
            for spec in specs
        },
        "figure_dpi": FIGURE_DPI,
    }
    extra_figures = [f for c in extra for f in c.figures if f not in figure_files]
    outputs = [md_path, *figure_files, *extra_figures, *rendered.values()]
    manifest = write_manifest(
        out_dir,
        inputs=inputs,
        settings=settings,
        outputs=outputs,
        project_dir=project_dir,
        entry=lang,
    )
    return ReportOutputs(
        markdown=md_path,
        figures=tuple(figure_files),
        html=rendered.get("html"),
        docx=rendered.get("docx"),
        pdf=rendered.get("pdf"),
        manifest=manifest,
        inputs=inputs,
    )
