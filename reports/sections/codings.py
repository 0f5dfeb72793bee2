"""The interviews' part of the report: section N2 (key persons) and the appendix's agreement.

Reads ``coding_frequencies``, ``agreement``, ``quotes`` and ``interview_documents`` through
:mod:`reports.results` and returns N2 (interviews per group, the NPT heat map, agreement in words,
quotes) and the appendix's agreement per code. Every number goes through
:mod:`reports.disclosure`; counts of interviews below ``project.privacy.min_cell_size`` are shown
as ``<5`` (with complementary suppression, since the report states the total), and the heat map
leaves such groups out. Agreement is always written with its unit
(``κ = 0,71 på segmentnivå (n = 84 segment, 2 kodare)``); agreement rows are read by their
``measure``, so a measure the analysis adds appears without a change here.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from ingest.kinds import get_kind
from project.codebook import Codebook, build_codebook
from project.config import Project
from project.interviews import InterviewsConfig
from reports import disclosure
from reports.content import (
    APPENDIX,
    Block,
    FigureBlock,
    Heading,
    Quote,
    ReportContext,
    SectionBuilder,
    SectionContent,
    Table,
    Text,
    source,
)
from reports.disclosure import Column
from reports.disclosure.linear import Cell, Published, Sum, secure
from reports.escaping import Markdown
from reports.figures.codings import plot_npt_heatmap
from reports.strings import Strings

SYMBOL = {"cohen_kappa": "κ", "krippendorff_alpha": "α"}
"""How sentences and tables name a chance-corrected measure."""
PERCENT = "percent_agreement"


def is_declared(project: Project) -> bool:
    """A project with an ``interviews:`` section has an N2 block (the kind registry decides)."""
    return get_kind("codings").analysed(project)


def _num(x: object, s: Strings, decimals: int = 2) -> str:
    return disclosure.format_number(x, decimals=decimals, lang=s.lang)


def _measure_name(measure: str, s: Strings) -> str:
    return SYMBOL.get(measure) or s.get(f"interviews.measures.{measure}", measure.replace("_", " "))


def _coefficients(measures: list[str]) -> list[str]:
    """The chance-corrected measures in the order the report names them (κ, α, then others)."""
    known = [m for m in SYMBOL if m in measures]
    return known + [m for m in measures if m not in SYMBOL and m != PERCENT]


def _measure_text(rows: pd.DataFrame, s: Strings) -> str:
    """``κ = 0,71, α = 0,70 och procentuell överensstämmelse 96 %`` from one level's rows."""
    est = rows.drop_duplicates("measure").set_index("measure")["estimate"]
    parts = [f"{_measure_name(m, s)} = {_num(est[m], s)}" for m in _coefficients(list(est.index))]
    if PERCENT in est.index:
        word = "procentuell överensstämmelse" if s.lang == "sv" else "percent agreement"
        parts.append(f"{word} {disclosure.format_percent(est[PERCENT], lang=s.lang)}")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {s('methods.and')} " + parts[-1]


def documents_table(
    docs: pd.DataFrame,
    cfg: InterviewsConfig,
    threshold: int,
    s: Strings,
    double_coded_total: float | None = None,
) -> Table:
    """Interviews and double-coded interviews per stakeholder group and round.

    A group's count below ``threshold`` is shown as ``<5``; since the report states the total
    number of interviews, other counts are hidden too (``–``) until no hidden count can be worked
    out by subtraction (:func:`reports.disclosure.linear.protect`). A hidden group's double-coded
    count is hidden with it, and since the agreement sentence states how many interviews were
    double-coded (``double_coded_total``), further double-coded counts are hidden until none of
    the hidden ones can be worked out either.
    """
    order = {
        (g.id, r.id): (i, j)
        for i, g in enumerate(cfg.stakeholder_groups)
        for j, r in enumerate(cfg.rounds)
    }
    position = [
        order.get((g, r), (99, 99))
        for g, r in zip(docs["stakeholder_group"], docs["round"], strict=True)
    ]
    df = docs.assign(_o=pd.Series(position, index=docs.index, dtype=object)).sort_values("_o")
    df = df.assign(
        group=[cfg.group_label(g, s.lang) for g in df["stakeholder_group"]],
        round_label=[cfg.round_label(r, s.lang) for r in df["round"]],
        n=df["n_documents"],
    )
    cols = [
        Column(s("interviews.group"), "group", "text"),
        Column(s("interviews.round"), "round_label", "text"),
        Column(s("interviews.interviews"), "n", "count"),
        Column(s("interviews.double_coded"), "n_double_coded", "number", decimals=0),
    ]
    note = s("interviews.small_cell_note", threshold=threshold, mark=disclosure.SUPPRESSED)
    df = df.reset_index(drop=True)
    total = disclosure.Stated(float(df["n"].sum()))
    table = disclosure.format_table(
        df,
        cols,
        lang=s.lang,
        threshold=threshold,
        note=note,
        additive=disclosure.Additive([(list(df.index), total)]),
    )
    hidden = {c.id for c in table.attrs["published"][0].cells if c.hidden}
    table.attrs["withheld"] = frozenset(
        (str(g), str(r))
        for i, (g, r) in enumerate(zip(df["stakeholder_group"], df["round"], strict=True))
        if str(i) in hidden
    )
    if double_coded_total is not None:
        _protect_double_coded(table, df, double_coded_total, header=s("interviews.double_coded"))
    return Table(table, s("interviews.documents_caption"), s("note_prefix"))


def _protect_double_coded(table: pd.DataFrame, df: pd.DataFrame, total: float, header: str) -> None:
    """Hide double-coded counts (in ``table``, in place) until the stated total gives none of the
    hidden ones away; the record goes with the table's."""
    rows = table.attrs["published"][0]
    hidden_rows = {c.id for c in rows.cells if c.hidden}
    cells = [
        Cell(str(i), rows.cells[i].row, header, None if str(i) in hidden_rows else float(v))
        for i, v in enumerate(df["n_double_coded"])
    ]
    cells.append(Cell("stated", "total stated in the text", header, total))
    exact = float(df["n_double_coded"].sum()) == total
    sums = (Sum(tuple(str(i) for i in df.index), "stated", exact),)
    record = Published("", "", tuple(cells), sums, small_rule=False)
    record, more = secure(record, (0.0, None))
    for i in more:
        table.loc[table.index[int(i)], header] = disclosure.SUPPRESSED
    table.attrs["published"] = [rows, record]


def _construct_sentence(agree: pd.DataFrame, codebook: Codebook, s: Strings, noun: str) -> str:
    constructs = agree[agree["code_level"] == "construct"]
    if constructs.empty:
        return ""
    main = _coefficients(list(dict.fromkeys(constructs["measure"])))
    if not main:
        return ""
    items = []
    for con in codebook.constructs():
        row = constructs[(constructs["code"] == con.id) & (constructs["measure"] == main[0])]
        if row.empty:
            continue
        items.append(
            s(
                "interviews.construct_item",
                construct=con.labels.get(s.lang),
                measure=f"{_measure_name(main[0], s)} = {_num(row['estimate'].iloc[0], s)}",
                n=_num(row["n_units"].iloc[0], s, 0),
                unit_noun=noun,
            )
        )
    level = s(f"interviews.unit_level.{agree['unit_of_analysis'].iloc[0]}")
    if not items:
        return ""
    return s("interviews.agreement_constructs", unit_level=level, items=Markdown("; ").join(items))


def _agreement_text(agree: pd.DataFrame, codebook: Codebook, s: Strings) -> str:
    if agree.empty:
        return s("interviews.agreement_none")
    unit = str(agree["unit_of_analysis"].iloc[0])
    level = s(f"interviews.unit_level.{unit}")
    noun = s(f"interviews.unit_noun.{unit}")
    out: list[str] = []
    n_docs = agree["n_documents"].max()
    if pd.notna(n_docs):
        n_coders = _num(int(agree["n_coders"].max()), s, 0)
        out.append(
            s("interviews.agreement_intro", n_documents=_num(n_docs, s, 0), n_coders=n_coders)
        )
    pooled = agree[agree["code_level"] == "all"]
    if not pooled.empty:
        out.append(
            s(
                "interviews.agreement_all",
                measures=_measure_text(pooled, s),
                unit_level=level,
                n=_num(pooled["n_units"].iloc[0], s, 0),
                unit_noun=noun,
                n_coders=_num(pooled["n_coders"].iloc[0], s, 0),
            )
        )
    out.append(_construct_sentence(agree, codebook, s, noun))
    return " ".join(x for x in out if x)


def small_groups(docs: pd.DataFrame, threshold: int) -> set[tuple[str, str]]:
    """The (stakeholder group, round) cells with fewer than ``threshold`` interviews: the
    documents table shows them as ``<5``, so no quote may be attributed to them."""
    if docs.empty:
        return set()
    small = docs[docs["n_documents"] < threshold]
    return {
        (str(g), str(r)) for g, r in zip(small["stakeholder_group"], small["round"], strict=True)
    }


def _quote_source(
    row: tuple, merged: bool, codebook: Codebook, cfg: InterviewsConfig, s: Strings
) -> str:
    code = codebook.label(str(row.code), s.lang)  # type: ignore[attr-defined]
    if merged:
        return s(
            "interviews.quote_source_merged", speaker=s("interviews.other_stakeholders"), code=code
        )
    return s(
        "interviews.quote_source",
        speaker=row.speaker_sv if s.lang == "sv" else row.speaker_en,  # type: ignore[attr-defined]
        round=cfg.round_label(str(row.round), s.lang),  # type: ignore[attr-defined]
        code=code,
    )


def _quotes(
    quotes: pd.DataFrame,
    codebook: Codebook,
    cfg: InterviewsConfig,
    s: Strings,
    small: tuple[set[tuple[str, str]], str, int],
) -> list[Block]:
    """Quotes per construct; a quote from a small group (``small``: its cells, the setting
    ``privacy.small_group_quotes`` and the threshold) is left out or given the merged label."""
    cells, setting, threshold = small
    is_small = [
        (str(g), str(r)) in cells
        for g, r in zip(quotes["stakeholder_group"], quotes["round"], strict=True)
    ]
    if setting == "omit":
        quotes = quotes[[not x for x in is_small]]
        is_small = [False] * len(quotes)
    if quotes.empty:
        return [Text(s("interviews.quotes_none"))]
    blocks: list[Block] = [Text(s("interviews.quotes_intro"))]
    if cells:
        label = s("interviews.other_stakeholders")
        blocks.append(
            Text(s(f"interviews.quotes_small_{setting}", threshold=threshold, label=label))
        )
    marks = {"open_mark": s("methods.quote_open"), "close_mark": s("methods.quote_close")}
    quotes = quotes.assign(from_small=is_small)
    for con in codebook.constructs():
        part = quotes[quotes["construct"] == con.id]
        if part.empty:
            continue
        blocks.append(Text(Markdown("**{}**").format(con.labels.get(s.lang))))
        for row in part.itertuples(index=False):
            source = _quote_source(row, bool(row.from_small), codebook, cfg, s)
            blocks.append(Quote(str(row.quote), source, **marks))
    return blocks


def _agreement_rows(agree: pd.DataFrame, codebook: Codebook, s: Strings) -> pd.DataFrame:
    """One row per code level × code: each measure's estimate, κ's interval, units, coders."""
    est_of = {
        (str(lv), str(c), str(m)): e
        for lv, c, m, e in agree[["code_level", "code", "measure", "estimate"]].itertuples(
            index=False
        )
    }
    info = agree.drop_duplicates(["code_level", "code"]).set_index(["code_level", "code"])
    ci = agree[agree["measure"] == "cohen_kappa"].set_index(["code_level", "code"])
    order = {c.id: i for i, c in enumerate(codebook.codes)}
    measures = list(dict.fromkeys(agree["measure"]))
    rows = []
    for level, code in info.index:
        construct = codebook.get(code).construct if code in order else None
        row = {
            "_o": (
                0 if level == "construct" else 1 if level == "code" else 2,
                order.get(code, 999),
            ),
            "code": s("interviews.all_codes") if level == "all" else codebook.label(code, s.lang),
            "construct": ""
            if level != "code" or not construct
            else codebook.label(construct, s.lang),
            "ci_low": ci["ci_low"].get((level, code)) if not ci.empty else None,
            "ci_high": ci["ci_high"].get((level, code)) if not ci.empty else None,
            "n": info.loc[(level, code), "n_units"],
            "coders": info.loc[(level, code), "n_coders"],
        }
        row |= {m: est_of.get((level, code, m)) for m in {PERCENT, *SYMBOL, *measures}}
        rows.append(row)
    return pd.DataFrame(rows).sort_values("_o", kind="stable")


def _appendix_table(agree: pd.DataFrame, codebook: Codebook, s: Strings) -> Table | None:
    if agree.empty:
        return None
    unit = str(agree["unit_of_analysis"].iloc[0])
    measures = list(dict.fromkeys(agree["measure"]))
    df = _agreement_rows(agree, codebook, s)
    cols = [
        Column(s("interviews.code"), "code", "text"),
        Column(s("interviews.construct"), "construct", "text"),
        Column(s("interviews.percent"), PERCENT, "percent"),
    ]
    if "cohen_kappa" in measures:
        cols += [
            Column(s("interviews.kappa"), "cohen_kappa", "number"),
            Column(s("interviews.kappa_ci"), ("ci_low", "ci_high"), "ci"),
        ]
    cols.append(Column(s("interviews.alpha"), "krippendorff_alpha", "number"))
    cols += [Column(_measure_name(m, s), m, "number") for m in _coefficients(measures)[2:]]
    noun = s(f"interviews.unit_noun.{unit}")
    cols += [
        Column(f"{s('interviews.n_units')} ({noun})", "n", "integer"),
        Column(s("interviews.coders"), "coders", "integer"),
    ]
    # Units are segments or documents, not respondents: the small-cell rule does not apply here.
    table = disclosure.format_table(df, cols, lang=s.lang, threshold=None)
    caption = s("interviews.agreement_caption", unit_level=s(f"interviews.unit_level.{unit}"))
    return Table(table, caption, s("note_prefix"))


def build(context: ReportContext) -> list[SectionContent]:
    """Section N2 (heat map, agreement in words, quotes) and the appendix's per-code agreement."""
    cfg = context.project.interviews
    results = context.results
    freq = results.table("coding_frequencies")
    if cfg is None or freq.empty:
        return []
    s, threshold, lang = context.strings, context.threshold, context.lang
    codebook = build_codebook(cfg)
    docs = results.table("interview_documents")
    agree = results.table("agreement")
    n_docs = int(docs["n_documents"].sum()) if not docs.empty else 0
    blocks: list[Block] = [
        Heading(s("interviews.heading")),
        Text(s("interviews.intro", n_documents=_num(n_docs, s, 0))),
    ]
    withheld: frozenset[tuple[str, str]] = frozenset()
    if not docs.empty:
        stated = agree["n_documents"].max() if not agree.empty else None
        dc_total = float(stated) if stated is not None and pd.notna(stated) else None
        documents = documents_table(docs, cfg, threshold, s, dc_total).sourced(
            source("interview_documents", docs, kind="codings")
        )
        withheld = documents.frame.attrs["withheld"]
        blocks.append(documents)
    make = partial(
        plot_npt_heatmap,
        freq,
        codebook=codebook,
        config=cfg,
        threshold=threshold,
        lang=lang,
        withheld=withheld,
    )
    caption = s("interviews.heatmap_figure", threshold=threshold)
    blocks += [
        Heading(s("interviews.heatmap_heading"), 3),
        FigureBlock(f"interviews_npt_heatmap_{lang}", make, caption).sourced(
            source(["coding_frequencies", "interview_documents"], freq, kind="codings")
        ),
        Heading(s("interviews.agreement_heading"), 3),
        Text(_agreement_text(agree, codebook, s)),
        Heading(s("interviews.quotes_heading"), 3),
        *_quotes(
            results.table("quotes"),
            codebook,
            cfg,
            s,
            (small_groups(docs, threshold), context.project.privacy.small_group_quotes, threshold),
        ),
    ]
    out = [SectionContent("n2_key_persons", tuple(blocks))]
    table = _appendix_table(agree, codebook, s)
    if table is not None:
        unit = str(agree["unit_of_analysis"].iloc[0])
        definition = s(
            f"interviews.unit_definition.{unit}",
            overlap=disclosure.format_percent(cfg.min_overlap, lang=lang),
        )
        text = s(
            "interviews.agreement_appendix",
            unit_level=s(f"interviews.unit_level.{unit}"),
            unit_definition=definition,
        )
        table = table.sourced(source("agreement", agree, kind="codings"))
        appendix = (Heading(s("interviews.agreement_heading")), Text(text), table)
        out.append(SectionContent(APPENDIX, appendix))
    return out


BUILDER = SectionBuilder("codings", is_declared, build)
