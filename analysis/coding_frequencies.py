"""How often codes were applied: by construct and sub-construct × stakeholder group × round.

Input is a table of codings (one row per code applied to a segment) that already carries each
document's stakeholder group and round; a codebook table says which construct each code belongs to.
Double-coded documents would be counted twice, so :func:`primary_codings` first keeps one coder's
codings per document.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = [
    "CO_OCCURRENCE_COLUMNS",
    "FREQUENCY_COLUMNS",
    "co_occurrence",
    "coding_frequencies",
    "primary_codings",
]

ALL = "all"

#: Columns of :func:`coding_frequencies` (``coding_frequencies.csv``).
FREQUENCY_COLUMNS: tuple[str, ...] = (
    "code_level",
    "code",
    "construct",
    "stakeholder_group",
    "round",
    "n_documents",
    "n_segments",
    "documents_in_group",
    "share_of_documents",
)

#: Columns of :func:`co_occurrence` (``co_occurrence.csv``).
CO_OCCURRENCE_COLUMNS: tuple[str, ...] = (
    "code_level",
    "code_a",
    "code_b",
    "n_segments",
    "n_documents",
)


def primary_codings(
    codings: pd.DataFrame,
    *,
    primary: Sequence[str] = (),
    document: str = "document_id",
    coder: str = "coder",
) -> pd.DataFrame:
    """One coder's codings per document, so that double-coded material is counted once.

    Per document the first coder of ``primary`` who coded it is kept; otherwise the coder with the
    most codings in it (ties: the smallest coder id).

    Examples
    --------
    >>> c = pd.DataFrame({"document_id": ["d1", "d1", "d1", "d2"],
    ...                   "coder": ["b", "a", "a", "b"], "code": ["x", "x", "y", "x"]})
    >>> primary_codings(c)["coder"].tolist()
    ['a', 'a', 'b']
    """
    if codings.empty:
        return codings.copy()
    counts = codings.groupby([document, coder]).size().rename("n").reset_index()
    rank = {c: i for i, c in enumerate(primary)}
    counts["_rank"] = counts[coder].map(rank).fillna(len(rank)).astype(int)
    counts = counts.sort_values(
        [document, "_rank", "n", coder], ascending=[True, True, False, True]
    )
    chosen = counts.drop_duplicates(document)[[document, coder]]
    keep = codings.merge(chosen, on=[document, coder], how="inner")
    return keep.reset_index(drop=True)


def _level_rows(codings: pd.DataFrame, codebook: pd.DataFrame, *, level: str) -> pd.DataFrame:
    """Codings expressed at one level: ``code`` (as applied) or ``construct`` (rolled up)."""
    info = codebook.set_index("code")
    if level == "code":
        out = codings.assign(
            construct=codings["code"].map(info["construct"]),
        )
        return out
    constructs = codings["code"].map(info["construct"])
    out = codings.assign(code=constructs, construct=constructs)
    return out[out["code"].notna()]


def coding_frequencies(
    codings: pd.DataFrame,
    codebook: pd.DataFrame,
    *,
    documents: pd.DataFrame,
    document: str = "document_id",
    segment: str = "segment_id",
    group: str = "stakeholder_group",
    round_: str = "round",
) -> pd.DataFrame:
    """Documents mentioning and segments coded, per code and construct × stakeholder group × round.

    Parameters
    ----------
    codings
        One row per coding: ``document``, ``segment``, ``code``, ``group`` and ``round_`` columns
        (use :func:`primary_codings` first when material is double-coded). Not modified.
    codebook
        One row per code: ``code``, ``construct`` (the NPT construct, or missing for a project
        code without one). Codes applied but missing from the codebook count at the code level only.
    documents
        One row per document with ``document``, ``group`` and ``round_``: the denominators
        (documents in each group × round, coded or not).
    document, segment, group, round_
        Column names.

    Returns
    -------
    pandas.DataFrame
        :data:`FREQUENCY_COLUMNS`, one row per level × code × group × round, plus rows with
        ``stakeholder_group == "all"`` and/or ``round == "all"`` for the margins. A segment counts
        once per code even if several sub-constructs of one construct were applied to it.
        ``share_of_documents`` is ``n_documents / documents_in_group``.
    """
    cols = {document: "document_id", segment: "segment_id", group: "stakeholder_group"}
    cols[round_] = "round"
    data = codings.rename(columns=cols)
    docs = documents.rename(columns=cols)[["document_id", "stakeholder_group", "round"]]
    docs = docs.drop_duplicates("document_id")
    parts = []
    for level in ("construct", "code"):
        rows = _level_rows(data, codebook, level=level)
        for keys in (
            ["stakeholder_group", "round"],
            ["stakeholder_group"],
            ["round"],
            [],
        ):
            g = rows.groupby(["code", *keys], dropna=False)
            counted = pd.DataFrame(
                {
                    "n_documents": g["document_id"].nunique(),
                    "n_segments": g["segment_id"].nunique(),
                    "construct": g["construct"].first(),
                }
            ).reset_index()
            for k in ("stakeholder_group", "round"):
                if k not in keys:
                    counted[k] = ALL
            denominators = (
                docs.groupby(keys)["document_id"].nunique().rename("documents_in_group")
                if keys
                else pd.Series({0: docs["document_id"].nunique()}, name="documents_in_group")
            )
            if keys:
                counted = counted.merge(denominators.reset_index(), on=keys, how="left")
            else:
                counted["documents_in_group"] = int(denominators.iloc[0])
            counted["code_level"] = level
            parts.append(counted)
    out = pd.concat(parts, ignore_index=True)
    out["documents_in_group"] = out["documents_in_group"].fillna(0).astype("int64")
    out["share_of_documents"] = out["n_documents"] / out["documents_in_group"].where(
        out["documents_in_group"] > 0
    )
    out = out.sort_values(["code_level", "code", "stakeholder_group", "round"], kind="stable")
    return out[list(FREQUENCY_COLUMNS)].reset_index(drop=True)


def co_occurrence(
    codings: pd.DataFrame,
    codebook: pd.DataFrame,
    *,
    document: str = "document_id",
    segment: str = "segment_id",
) -> pd.DataFrame:
    """How often two codes were applied to the same segment (and appear in the same document).

    Returns
    -------
    pandas.DataFrame
        :data:`CO_OCCURRENCE_COLUMNS`, a full symmetric matrix in long form for each level
        (``code`` and ``construct``): both orders of every pair, and the diagonal (``code_a ==
        code_b``: segments and documents with that code). Pairs that never co-occur are left out.
    """
    data = codings.rename(columns={document: "document_id", segment: "segment_id"})
    parts = []
    for level in ("construct", "code"):
        rows = _level_rows(data, codebook, level=level)
        rows = rows[["document_id", "segment_id", "code"]].drop_duplicates()
        seg = rows.merge(rows, on=["document_id", "segment_id"], suffixes=("_a", "_b"))
        n_seg = seg.groupby(["code_a", "code_b"])["segment_id"].size().rename("n_segments")
        docs = rows[["document_id", "code"]].drop_duplicates()
        pairs = docs.merge(docs, on="document_id", suffixes=("_a", "_b"))
        n_doc = pairs.groupby(["code_a", "code_b"])["document_id"].nunique().rename("n_documents")
        both = pd.concat([n_seg, n_doc], axis=1).fillna(0).astype("int64").reset_index()
        both["code_level"] = level
        parts.append(both)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["code_level", "code_a", "code_b"], kind="stable")
    return out[list(CO_OCCURRENCE_COLUMNS)].reset_index(drop=True)
