"""Report content from the interview results: section N2 (key persons) and the appendix.

:func:`report_sections` reads the results CSVs the analyse stage wrote (``coding_frequencies``,
``agreement``, ``quotes``, ``interview_documents``), draws the NPT heat map into ``figures_dir``
and returns :class:`reports.document.SectionContent` for ``n2_key_persons`` and ``appendix``.
Every number goes through :mod:`reports.disclosure`; counts of interviewees below
``project.privacy.min_cell_size`` are shown as ``<5``, and the heat map leaves such groups out.
Agreement is always written with its unit (``κ = 0,71 på segmentnivå (n = 84 segment, 2 kodare)``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from project.codebook import Codebook, build_codebook
from project.errors import ResultsFileError
from project.interviews import InterviewsConfig
from reports import disclosure
from reports.disclosure import Column
from reports.document import FIGURE_DPI, SectionContent, figure_reference, pipe_table
from reports.figures.codings import plot_npt_heatmap
from reports.strings import Strings, report_strings

RESULTS = {
    "coding_frequencies": (
        "code_level",
        "code",
        "stakeholder_group",
        "round",
        "n_documents",
        "documents_in_group",
        "share_of_documents",
    ),
    "agreement": (
        "unit_of_analysis",
        "code_level",
        "code",
        "measure",
        "estimate",
        "n_units",
        "n_coders",
    ),
    "quotes": ("construct", "stakeholder_group", "round", "code", "speaker_number", "quote"),
    "interview_documents": ("stakeholder_group", "round", "n_documents", "n_double_coded"),
}
SYMBOL = {"cohen_kappa": "κ", "krippendorff_alpha": "α"}


def _read(results_dir: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Path]]:
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    for name, needed in RESULTS.items():
        path = Path(results_dir) / f"{name}.csv"
        if not path.is_file():
            continue
        try:
            df = pd.read_csv(path, dtype={"code": str, "round": str, "stakeholder_group": str})
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise ResultsFileError(
                f"{path.name}: cannot be read as CSV ({exc}). Hint: rerun the analyse stage."
            ) from exc
        missing = [c for c in needed if c not in df.columns]
        if missing:
            raise ResultsFileError(
                f"{path.name}: missing columns {', '.join(missing)}. Hint: rerun the analyse "
                f"stage with this version of impleval."
            )
        tables[name] = df
        files[f"results/{name}.csv"] = path
    return tables, files


def _num(x: object, s: Strings, decimals: int = 2) -> str:
    return disclosure.format_number(x, decimals=decimals, lang=s.lang)


def _measure_text(rows: pd.DataFrame, s: Strings) -> str:
    """``κ = 0,71, α = 0,70 och procentuell överensstämmelse 96 %`` from one level's rows."""
    est = rows.set_index("measure")["estimate"]
    parts = [
        f"{SYMBOL[m]} = {_num(est[m], s)}"
        for m in ("cohen_kappa", "krippendorff_alpha")
        if m in est.index
    ]
    if "percent_agreement" in est.index:
        word = "procentuell överensstämmelse" if s.lang == "sv" else "percent agreement"
        parts.append(f"{word} {disclosure.format_percent(est['percent_agreement'], lang=s.lang)}")
    return (
        ", ".join(parts[:-1]) + f" {s('methods.and')} " + parts[-1]
        if len(parts) > 1
        else "".join(parts)
    )


def _documents_table(docs: pd.DataFrame, cfg: InterviewsConfig, threshold: int, s: Strings) -> str:
    order = {
        (g.id, r.id): (i, j)
        for i, g in enumerate(cfg.stakeholder_groups)
        for j, r in enumerate(cfg.rounds)
    }
    df = docs.assign(
        _o=[
            order.get((g, r), (99, 99))
            for g, r in zip(docs["stakeholder_group"], docs["round"], strict=True)
        ]
    )
    df = df.sort_values("_o")
    df = df.assign(
        group=[cfg.group_label(g, s.lang) for g in df["stakeholder_group"]],
        round_label=[cfg.round_label(r, s.lang) for r in df["round"]],
        n=df["n_documents"],
    )
    cols = [
        Column(s("interviews.group"), "group", "text"),
        Column(s("interviews.round"), "round_label", "text"),
        Column(s("interviews.interviews"), "n", "n"),
        Column(s("interviews.double_coded"), "n_double_coded", "integer"),
    ]
    table = disclosure.format_table(df, cols, lang=s.lang, threshold=threshold)
    # The double-coded count is part of a group's interviews: hide it with the group's count.
    small = (df["n"] > 0) & (df["n"] < threshold)
    if small.any():
        # The report states the total number of interviews, so a hidden count could be worked out
        # by subtraction: hide the smallest other count too while the hidden ones sum below the
        # threshold (complementary suppression).
        hidden = small.copy()
        while int(df.loc[hidden, "n"].sum()) < threshold and (~hidden & (df["n"] > 0)).any():
            hidden[df.loc[~hidden & (df["n"] > 0), "n"].idxmin()] = True
        extra = hidden & ~small
        table.loc[extra.to_numpy(), s("interviews.interviews")] = disclosure.SUPPRESSED
        small = hidden
    table.loc[small.to_numpy(), s("interviews.double_coded")] = disclosure.SUPPRESSED
    # format_table's note speaks of respondents; the units here are interviews.
    survey_note = disclosure.suppression_note(threshold, lang=s.lang)
    notes = [n for n in table.attrs.get("notes", []) if n != survey_note]
    if small.any():
        notes.insert(
            0,
            s("interviews.small_cell_note", threshold=threshold, mark=disclosure.SUPPRESSED),
        )
    table.attrs["notes"] = notes
    return pipe_table(
        table, caption=s("interviews.documents_caption"), note_prefix=s("note_prefix")
    )


def _agreement_text(agree: pd.DataFrame, codebook: Codebook, s: Strings) -> list[str]:
    if agree.empty:
        return [s("interviews.agreement_none")]
    unit = str(agree["unit_of_analysis"].iloc[0])
    level = s(f"interviews.unit_level.{unit}")
    noun = s(f"interviews.unit_noun.{unit}")
    out = []
    n_docs = agree["n_documents"].max() if "n_documents" in agree.columns else None
    n_coders = int(agree["n_coders"].max())
    if n_docs is not None and pd.notna(n_docs):
        out.append(
            s(
                "interviews.agreement_intro",
                n_documents=_num(n_docs, s, 0),
                n_coders=_num(n_coders, s, 0),
            )
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
    constructs = agree[agree["code_level"] == "construct"]
    if not constructs.empty:
        main = (
            "cohen_kappa"
            if (constructs["measure"] == "cohen_kappa").any()
            else "krippendorff_alpha"
        )
        items = []
        for con in codebook.constructs():
            row = constructs[(constructs["code"] == con.id) & (constructs["measure"] == main)]
            if row.empty:
                continue
            items.append(
                s(
                    "interviews.construct_item",
                    construct=con.labels.get(s.lang),
                    measure=f"{SYMBOL[main]} = {_num(row['estimate'].iloc[0], s)}",
                    n=_num(row["n_units"].iloc[0], s, 0),
                    unit_noun=noun,
                )
            )
        if items:
            out.append(
                s("interviews.agreement_constructs", unit_level=level, items="; ".join(items))
            )
    return out


def _quotes(quotes: pd.DataFrame, codebook: Codebook, cfg: InterviewsConfig, s: Strings) -> str:
    if quotes.empty:
        return s("interviews.quotes_none")
    blocks = [s("interviews.quotes_intro")]
    for con in codebook.constructs():
        part = quotes[quotes["construct"] == con.id]
        if part.empty:
            continue
        lines = [f"**{con.labels.get(s.lang)}**"]
        for row in part.itertuples(index=False):
            speaker = row.speaker_sv if s.lang == "sv" else row.speaker_en
            source = s(
                "interviews.quote_source",
                speaker=speaker,
                round=cfg.round_label(str(row.round), s.lang),
                code=codebook.label(str(row.code), s.lang),
            )
            text = " ".join(str(row.quote).split())
            lines.append(
                f"> {s('methods.quote_open')}{text}{s('methods.quote_close')}\n>\n> — {source}"
            )
        blocks.append("\n\n".join(lines))
    return "\n\n".join(blocks)


def _appendix_table(agree: pd.DataFrame, codebook: Codebook, s: Strings) -> str | None:
    if agree.empty:
        return None
    unit = str(agree["unit_of_analysis"].iloc[0])
    est_of = {
        (str(lv), str(c), str(m)): e
        for lv, c, m, e in agree[["code_level", "code", "measure", "estimate"]].itertuples(
            index=False
        )
    }
    info = agree.drop_duplicates(["code_level", "code"]).set_index(["code_level", "code"])
    ci = agree[agree["measure"] == "cohen_kappa"].set_index(["code_level", "code"])
    order = {c.id: i for i, c in enumerate(codebook.codes)}
    rows = []
    for level, code in info.index:
        key = (str(level), str(code))
        construct = codebook.get(code).construct if code in order else None
        rows.append(
            {
                "_o": (
                    0 if level == "construct" else 1 if level == "code" else 2,
                    order.get(str(code), 999),
                ),
                "code": s("interviews.all_codes")
                if level == "all"
                else codebook.label(str(code), s.lang),
                "construct": ""
                if level != "code" or not construct
                else codebook.label(construct, s.lang),
                "percent": est_of.get((*key, "percent_agreement")),
                "kappa": est_of.get((*key, "cohen_kappa")),
                "ci_low": ci["ci_low"].get((level, code)) if not ci.empty else None,
                "ci_high": ci["ci_high"].get((level, code)) if not ci.empty else None,
                "alpha": est_of.get((*key, "krippendorff_alpha")),
                "n": info.loc[(level, code), "n_units"],
                "coders": info.loc[(level, code), "n_coders"],
            }
        )
    df = pd.DataFrame(rows).sort_values("_o", kind="stable")
    two = (agree["measure"] == "cohen_kappa").any()
    noun = s(f"interviews.unit_noun.{unit}")
    cols = [
        Column(s("interviews.code"), "code", "text"),
        Column(s("interviews.construct"), "construct", "text"),
        Column(s("interviews.percent"), "percent", "percent"),
    ]
    if two:
        cols += [
            Column(s("interviews.kappa"), "kappa", "number"),
            Column(s("interviews.kappa_ci"), ("ci_low", "ci_high"), "ci"),
        ]
    cols += [
        Column(s("interviews.alpha"), "alpha", "number"),
        Column(f"{s('interviews.n_units')} ({noun})", "n", "integer"),
        Column(s("interviews.coders"), "coders", "integer"),
    ]
    # Units are segments or documents, not respondents: the small-cell rule does not apply here.
    table = disclosure.format_table(df, cols, lang=s.lang, threshold=None)
    level = s(f"interviews.unit_level.{unit}")
    return pipe_table(
        table,
        caption=s("interviews.agreement_caption", unit_level=level),
        note_prefix=s("note_prefix"),
    )


def report_sections(
    *, project, results_dir: Path, figures_dir: Path, out_dir: Path, lang: str
) -> list[SectionContent]:
    """Section N2 (heat map, agreement in words, quotes) and the appendix's per-code agreement.

    Parameters
    ----------
    project
        The :class:`project.config.Project`; nothing is returned when it has no ``interviews``.
    results_dir
        ``output/results`` with the CSVs of :func:`analysis.codings.analyse_codings`.
    figures_dir, out_dir
        Where the heat map PNG goes, and where the report's Markdown is (for the figure's path).
    lang
        ``"sv"`` (default language of the report) or ``"en"``.
    """
    cfg: InterviewsConfig | None = getattr(project, "interviews", None)
    if cfg is None:
        return []
    tables, inputs = _read(results_dir)
    freq = tables.get("coding_frequencies")
    if freq is None or freq.empty:
        return []
    s = report_strings(lang)
    threshold = project.privacy.min_cell_size
    codebook = build_codebook(cfg)
    docs = tables.get(
        "interview_documents", pd.DataFrame(columns=list(RESULTS["interview_documents"]))
    )
    agree = tables.get("agreement", pd.DataFrame(columns=list(RESULTS["agreement"])))
    quotes = tables.get("quotes", pd.DataFrame(columns=list(RESULTS["quotes"])))

    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    fig = plot_npt_heatmap(freq, codebook=codebook, config=cfg, threshold=threshold, lang=lang)
    fig_path = figures_dir / f"interviews_npt_heatmap_{lang}.png"
    fig.savefig(fig_path, dpi=FIGURE_DPI, metadata={"Software": None})

    n_docs = int(docs["n_documents"].sum()) if not docs.empty else 0
    parts = [f"## {s('interviews.heading')}", s("interviews.intro", n_documents=_num(n_docs, s, 0))]
    if not docs.empty:
        parts.append(_documents_table(docs, cfg, threshold, s))
    parts += [
        f"### {s('interviews.heatmap_heading')}",
        f"![{s('interviews.heatmap_figure', threshold=threshold)}]"
        f"({figure_reference(fig_path, Path(out_dir))}){{width=100%}}",
        f"### {s('interviews.agreement_heading')}",
        " ".join(_agreement_text(agree, codebook, s)),
        f"### {s('interviews.quotes_heading')}",
        _quotes(quotes, codebook, cfg, s),
    ]
    n2 = SectionContent(
        section="n2_key_persons",
        markdown="\n\n".join(parts) + "\n",
        inputs=dict(inputs),
        figures=(fig_path,),
    )
    out = [n2]
    table = _appendix_table(agree, codebook, s)
    if table:
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
        out.append(
            SectionContent(
                section="appendix",
                markdown=f"## {s('interviews.agreement_heading')}\n\n{text}\n\n{table}",
                inputs={k: v for k, v in inputs.items() if "agreement" in k},
            )
        )
    return out
