"""Analyse the active interview codings: frequencies, co-occurrence, agreement, exemplar quotes.

:func:`analyse_codings` reads the store and returns tidy, unrounded tables (the analyse stage writes
each to ``output/results/<name>.csv``):

``coding_frequencies``
    :data:`analysis.coding_frequencies.FREQUENCY_COLUMNS` + ``code_type`` (construct,
    sub_construct, project): per code and construct × stakeholder group × round, documents
    mentioning and segments coded. Counted on one coder's codings per document (the primary coder).
``co_occurrence``
    :data:`analysis.coding_frequencies.CO_OCCURRENCE_COLUMNS`.
``agreement``
    :data:`analysis.agreement.AGREEMENT_COLUMNS` + ``n_documents`` (double-coded documents), at the
    unit declared in ``interviews.unit_of_analysis``.
``quotes``
    Exemplar quotes per NPT construct × stakeholder group (rule below), redacted.
``interview_documents``
    Per stakeholder group × round: documents, speakers and double-coded documents.

Quote selection rule
--------------------
For each NPT construct and stakeholder group, the candidates are the primary coder's segments coded
with the construct or one of its sub-constructs (or a project code linked to it) whose text is
``interviews.quotes.min_chars``–``max_chars`` characters long. They are ranked by

1. confirmed: in double-coded documents, segments where the second coder also coded the construct
   come first (unconfirmed double-coded segments last);
2. no redaction marks (a quote full of ``[namn]`` reads badly; it stays a candidate);
3. typical: the sub-construct most often coded in that construct × group first;
4. length closest to 160 characters;
5. the segment's pseudonymous id (stable, and unrelated to who said it);

and the first ``interviews.quotes.per_cell`` from different speakers are kept; a segment is quoted
once (for the first construct in NPT order). A speaker is named
only by the group's role word and a number ("Styrgruppsledamot 3"): speakers are numbered within
their group in the order of their keyed pseudonyms, so the number says nothing about who they are.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.agreement import AGREEMENT_COLUMNS, agreement_by_code, coding_decisions
from analysis.coding_frequencies import (
    CO_OCCURRENCE_COLUMNS,
    FREQUENCY_COLUMNS,
    co_occurrence,
    coding_frequencies,
    primary_codings,
)
from ingest.codings import read_active_codings
from project.codebook import Codebook, build_codebook
from project.config import load_project
from project.interviews import InterviewsConfig
from project.layout import ProjectPaths
from store import warehouse

QUOTE_COLUMNS = (
    "construct",
    "stakeholder_group",
    "rank",
    "round",
    "code",
    "segment_id",
    "speaker_id",
    "speaker_number",
    "speaker_sv",
    "speaker_en",
    "quote",
    "n_chars",
    "confirmed",
    "rule",
)
DOCUMENT_COLUMNS = (
    "stakeholder_group",
    "round",
    "n_documents",
    "n_speakers",
    "n_double_coded",
)
QUOTE_RULE = (
    "per NPT construct × stakeholder group: primary coder's segments of min–max characters; "
    "confirmed by the second coder first, then without redaction marks, then the most frequent "
    "sub-construct, then length closest to 160, then segment id; distinct speakers"
)
TARGET_LENGTH = 160
_REDACTED = re.compile(r"\[(?:namn|personnummer|nummer|e-post|telefon|name|email|phone)[^\]]*\]")


def _empty() -> dict[str, pd.DataFrame]:
    return {
        "coding_frequencies": pd.DataFrame(columns=[*FREQUENCY_COLUMNS, "code_type"]),
        "co_occurrence": pd.DataFrame(columns=list(CO_OCCURRENCE_COLUMNS)),
        "agreement": pd.DataFrame(columns=[*AGREEMENT_COLUMNS, "n_documents"]),
        "quotes": pd.DataFrame(columns=list(QUOTE_COLUMNS)),
        "interview_documents": pd.DataFrame(columns=list(DOCUMENT_COLUMNS)),
    }


def analyse_codings(project_dir: Path) -> dict[str, pd.DataFrame]:
    """The interview results of a project, from the active codings in its store.

    Returns
    -------
    dict
        ``coding_frequencies``, ``co_occurrence``, ``agreement``, ``quotes`` and
        ``interview_documents`` (see the module docstring), unrounded; ``{}`` when project.yaml has
        no ``interviews:`` section. Empty tables (with their columns) when nothing is loaded.
    """
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    cfg = project.interviews
    if cfg is None:
        return {}
    if not paths.warehouse.is_file():
        return _empty()
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        codings, documents = read_active_codings(con)
    if codings.empty:
        return _empty()
    return analyse_frames(codings, documents, config=cfg)


def analyse_frames(
    codings: pd.DataFrame, documents: pd.DataFrame, *, config: InterviewsConfig
) -> dict[str, pd.DataFrame]:
    """:func:`analyse_codings` on frames as read from the store (for tests and reuse)."""
    codebook = build_codebook(config)
    book = codebook.frame()
    cods = codings.rename(columns={"round_id": "round"}).copy()
    docs = documents.rename(columns={"round_id": "round"})
    mapped = cods[cods["code"].notna()].copy()
    primary = primary_codings(
        mapped, primary=[config.primary_coder] if config.primary_coder else []
    )
    freq = coding_frequencies(primary, book, documents=docs)
    freq["code_type"] = freq["code"].map(book.set_index("code")["level"]).fillna("project")
    freq.loc[freq["code_level"] == "construct", "code_type"] = "construct"
    co = co_occurrence(primary, book)
    agreement = _agreement(mapped, codebook, config)
    quotes = select_quotes(mapped, primary, codebook, config)
    return {
        "coding_frequencies": freq.reset_index(drop=True),
        "co_occurrence": co,
        "agreement": agreement,
        "quotes": quotes,
        "interview_documents": _documents(cods, docs),
    }


def _positions(codings: pd.DataFrame) -> pd.DataFrame:
    """Start/end as half-open spans: a paragraph range ``a–b`` covers ``[a, b + 1)``."""
    out = codings.copy()
    out["start"] = out["start_pos"]
    para = out["position_unit"] == "paragraph"
    out["end"] = out["end_pos"].where(~para, out["end_pos"] + 1)
    return out


def _agreement(mapped: pd.DataFrame, codebook: Codebook, config: InterviewsConfig) -> pd.DataFrame:
    decisions = coding_decisions(
        _positions(mapped),
        unit_of_analysis=config.unit_of_analysis,
        min_overlap=config.min_overlap,
    )
    if decisions.empty:
        return pd.DataFrame(columns=[*AGREEMENT_COLUMNS, "n_documents"])
    construct_of = {
        c.id: c.construct for c in codebook.codes if c.construct and c.level != "construct"
    }
    # A construct-level code applied directly counts for its construct too.
    construct_of |= {c.id: c.id for c in codebook.constructs()}
    out = agreement_by_code(
        decisions, unit_of_analysis=config.unit_of_analysis, construct_of=construct_of
    )
    out["n_documents"] = decisions["document"].nunique()
    return out


def speaker_numbers(codings: pd.DataFrame) -> pd.DataFrame:
    """``stakeholder_group, speaker_id, speaker_number``: 1… within each group, by pseudonym."""
    sp = codings[["stakeholder_group", "speaker_id"]].drop_duplicates()
    sp = sp.sort_values(["stakeholder_group", "speaker_id"])
    sp["speaker_number"] = sp.groupby("stakeholder_group").cumcount() + 1
    return sp.reset_index(drop=True)


def select_quotes(
    mapped: pd.DataFrame, primary: pd.DataFrame, codebook: Codebook, config: InterviewsConfig
) -> pd.DataFrame:
    """Exemplar quotes by the rule in the module docstring."""
    q = config.quotes
    if q.per_cell == 0 or primary.empty:
        return pd.DataFrame(columns=list(QUOTE_COLUMNS))
    construct_of = {c.id: c.construct for c in codebook.codes}
    cand = primary.assign(npt=primary["code"].map(construct_of))
    npt_constructs = [c.id for c in codebook.constructs()]
    cand = cand[cand["npt"].isin(npt_constructs)].copy()
    # Confirmation: did another coder code the same construct on the same segment?
    others = mapped.assign(npt=mapped["code"].map(construct_of))
    confirm = others[["segment_id", "npt", "coder"]].drop_duplicates()
    n_coders = confirm.groupby(["segment_id", "npt"])["coder"].nunique().rename("n_agree")
    coders_in_doc = mapped.groupby("document_id")["coder"].nunique().rename("doc_coders")
    cand = cand.merge(n_coders.reset_index(), on=["segment_id", "npt"], how="left")
    cand = cand.merge(coders_in_doc.reset_index(), on="document_id", how="left")
    cand["confirmed"] = (cand["doc_coders"] >= 2) & (cand["n_agree"] >= 2)
    # confirmed 0, single-coded 1, double-coded but not confirmed 2
    cand["_conf"] = 1
    cand.loc[cand["confirmed"], "_conf"] = 0
    cand.loc[(cand["doc_coders"] >= 2) & ~cand["confirmed"], "_conf"] = 2
    text = cand["segment_text"].fillna("").str.strip()
    cand["quote"] = text
    cand["n_chars"] = text.str.len()
    cand = cand[(cand["n_chars"] >= q.min_chars) & (cand["n_chars"] <= q.max_chars)]
    if cand.empty:
        return pd.DataFrame(columns=list(QUOTE_COLUMNS))
    cand["_redacted"] = cand["quote"].str.contains(_REDACTED).astype(int)
    freq = cand.groupby(["npt", "stakeholder_group", "code"])["segment_id"].nunique()
    cand["_typical"] = -cand.set_index(["npt", "stakeholder_group", "code"]).index.map(freq)
    cand["_length"] = (cand["n_chars"] - TARGET_LENGTH).abs()
    cand = cand.sort_values(
        [
            "npt",
            "stakeholder_group",
            "_conf",
            "_redacted",
            "_typical",
            "_length",
            "segment_id",
            "code",
        ]
    )
    cand = cand.drop_duplicates(["npt", "stakeholder_group", "segment_id"])
    speakers = speaker_numbers(mapped)
    chosen = []
    used: set[str] = set()  # a segment is quoted once, for the first construct (NPT order)
    order = {c: i for i, c in enumerate(npt_constructs)}
    cand = cand.assign(_order=cand["npt"].map(order)).sort_values("_order", kind="stable")
    for (construct, group), part in cand.groupby(["npt", "stakeholder_group"], sort=False):
        seen: set[str] = set()
        for row in part.itertuples(index=False):
            if row.speaker_id in seen or row.segment_id in used:
                continue
            used.add(row.segment_id)
            seen.add(row.speaker_id)
            chosen.append(
                {
                    "construct": construct,
                    "stakeholder_group": group,
                    "rank": len(seen),
                    "round": row.round,
                    "code": row.code,
                    "segment_id": row.segment_id,
                    "speaker_id": row.speaker_id,
                    "quote": row.quote,
                    "n_chars": int(row.n_chars),
                    "confirmed": bool(row.confirmed),
                }
            )
            if len(seen) >= q.per_cell:
                break
    out = pd.DataFrame(chosen)
    out = out.merge(speakers, on=["stakeholder_group", "speaker_id"], how="left")
    words = {g.id: g.speaker for g in config.stakeholder_groups}
    out["speaker_sv"] = [
        f"{words[g].sv} {n}" if g in words else str(n)
        for g, n in zip(out["stakeholder_group"], out["speaker_number"], strict=True)
    ]
    out["speaker_en"] = [
        f"{words[g].en} {n}" if g in words else str(n)
        for g, n in zip(out["stakeholder_group"], out["speaker_number"], strict=True)
    ]
    out["rule"] = QUOTE_RULE
    groups = {g.id: i for i, g in enumerate(config.stakeholder_groups)}
    out = out.assign(_c=out["construct"].map(order), _g=out["stakeholder_group"].map(groups))
    out = out.sort_values(["_c", "_g", "rank"]).drop(columns=["_c", "_g"])
    return out[list(QUOTE_COLUMNS)].reset_index(drop=True)


def _documents(codings: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    coders = codings.groupby("document_id")["coder"].nunique()
    docs = documents.assign(double=documents["document_id"].map(coders).fillna(0) >= 2)
    speakers = codings[["document_id", "speaker_id"]].drop_duplicates()
    docs_sp = docs.merge(speakers, on="document_id", how="left")
    g = docs.groupby(["stakeholder_group", "round"])
    out = pd.DataFrame(
        {
            "n_documents": g["document_id"].nunique(),
            "n_double_coded": g["double"].sum().astype("int64"),
            "n_speakers": docs_sp.groupby(["stakeholder_group", "round"])["speaker_id"].nunique(),
        }
    ).reset_index()
    return out[list(DOCUMENT_COLUMNS)]
