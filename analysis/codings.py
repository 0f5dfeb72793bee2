"""The analysis plan of interview codings: frequencies, co-occurrence, inter-coder agreement,
exemplar quotes and the documents behind them.

:func:`analyse_codings` takes the store's frames and project.yaml and returns the tables
``coding_frequencies`` (counted on one coder's codings per document, the primary coder),
``co_occurrence``, ``agreement`` (at the units declared in ``interviews.unit_of_analysis`` and per
code group of ``interviews.agreement.code_groups``),
``quotes`` (:mod:`analysis.quotes`) and ``interview_documents`` — tidy and unrounded, their
columns as :mod:`analysis.columns` says.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import pandas as pd

from analysis.agreement import Bootstrap
from analysis.agreement_tables import CodeGroupSpec, agreement_by_code, agreement_by_group
from analysis.coding_decisions import category_ratings, coding_decisions
from analysis.coding_frequencies import co_occurrence, coding_frequencies, primary_codings
from analysis.columns import empty_table, stack_tables, table, tables_of
from analysis.quotes import select_quotes
from project.codebook import Codebook, build_codebook
from project.config import Project
from project.interviews import CodeGroup, InterviewsConfig

__all__ = ["DOCUMENT_COLUMNS", "QUOTE_COLUMNS", "analyse_codings"]

#: Columns of the ``quotes`` and ``interview_documents`` tables.
QUOTE_COLUMNS = table("quotes").columns
DOCUMENT_COLUMNS = table("interview_documents").columns


def _empty() -> dict[str, pd.DataFrame]:
    return {name: empty_table(name) for name in tables_of("codings")}


def analyse_codings(
    codings: pd.DataFrame | None, documents: pd.DataFrame | None, *, project: Project
) -> dict[str, pd.DataFrame]:
    """Every interview table of a project.

    Parameters
    ----------
    codings
        The active codings as the store holds them (one row per code applied to a segment by a
        coder, with ``round_id``), or ``None`` when nothing is loaded. Not modified.
    documents
        The active documents: ``document_id``, ``stakeholder_group``, ``round_id``.
    project
        The project; its ``interviews:`` section gives the codebook, the primary coder, the unit
        of analysis and the quote rule.

    Returns
    -------
    dict of str to pandas.DataFrame
        The five tables named in the module docstring; empty tables (with their columns) when
        nothing is loaded or project.yaml has no ``interviews:`` section.
    """
    config = project.interviews
    if config is None or codings is None or documents is None or codings.empty:
        return _empty()
    codebook = build_codebook(config)
    book = codebook.frame()
    cods = codings.rename(columns={"round_id": "round"})
    docs = documents.rename(columns={"round_id": "round"})
    mapped = cods[cods["code"].notna()]
    primary = primary_codings(
        mapped, primary=[config.primary_coder] if config.primary_coder else []
    )
    freq = coding_frequencies(primary, book, documents=docs)
    freq["code_type"] = freq["code"].map(book.set_index("code")["level"]).fillna("project")
    freq.loc[freq["code_level"] == "construct", "code_type"] = "construct"
    return {
        "coding_frequencies": freq.reset_index(drop=True),
        "co_occurrence": co_occurrence(primary, book),
        "agreement": _agreement(mapped, codebook, config),
        "quotes": select_quotes(mapped, primary, codebook, config),
        "interview_documents": _documents(cods, docs),
    }


def _positions(codings: pd.DataFrame) -> pd.DataFrame:
    """Start/end as half-open spans: a paragraph range ``a–b`` covers ``[a, b + 1)``."""
    para = codings["position_unit"] == "paragraph"
    end = codings["end_pos"].where(~para, codings["end_pos"] + 1)
    return codings.assign(start=codings["start_pos"], end=end)


def _agreement(mapped: pd.DataFrame, codebook: Codebook, config: InterviewsConfig) -> pd.DataFrame:
    """Agreement at every declared unit (decisions per unit × code), then per code group."""
    settings = config.agreement
    boot = Bootstrap(settings.bootstrap_samples, settings.seed, settings.confidence)
    codings = _positions(mapped)
    construct_of = {
        c.id: c.construct for c in codebook.codes if c.construct and c.level != "construct"
    }
    # A construct-level code applied directly counts for its construct too.
    construct_of |= {c.id: c.id for c in codebook.constructs()}
    parts = []
    for unit in config.unit_of_analysis:
        decisions = coding_decisions(codings, unit_of_analysis=unit, min_overlap=config.min_overlap)
        if decisions.empty:
            continue
        out = agreement_by_code(
            decisions,
            unit_of_analysis=unit,
            construct_of=construct_of,
            confidence=settings.confidence,
            bootstrap=boot,
        )
        parts.append(out.assign(n_documents=decisions["document"].nunique()))
    for group in settings.code_groups:
        ratings, ambiguous = category_ratings(
            codings,
            categories=group_categories(codebook, group),
            min_overlap=config.min_overlap,
        )
        if ratings.empty:
            continue
        spec = CodeGroupSpec(
            group.id,
            group.codes,
            group.values,
            group.levels,
            None if group.kappa_weights == "none" else group.kappa_weights,
        )
        out = agreement_by_group(
            ratings,
            group=spec,
            confidence=settings.confidence,
            bootstrap=boot,
            ambiguous=ambiguous,
        )
        parts.append(out.assign(n_documents=ratings["document"].nunique()))
    return stack_tables("agreement", parts)


def group_categories(codebook: Codebook, group: CodeGroup) -> dict[str, str]:
    """Codebook code → the group's code it counts as: itself, else (``include_children``) its
    nearest ancestor among the group's codes, else its NPT construct when that is one of them."""
    members = set(group.codes)
    out = {}
    for code in codebook.codes:
        if code.id in members:
            out[code.id] = code.id
            continue
        if not group.include_children:
            continue
        parent = code.parent
        while parent is not None and parent not in members:
            parent = codebook.get(parent).parent if parent in codebook.ids() else None
        if parent is not None:
            out[code.id] = parent
        elif code.construct in members:
            out[code.id] = str(code.construct)
    return out


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
    return out.loc[:, list(DOCUMENT_COLUMNS)]
