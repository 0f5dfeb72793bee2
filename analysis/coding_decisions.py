"""From coded segments to reliability data on the double-coded material: the binary decisions
"coder *c* applied code *k* to unit *u*" (:func:`coding_decisions`), and the one category of a
code group each coder gave a unit (:func:`category_ratings`). The coefficients are in
:mod:`analysis.agreement` and :mod:`analysis.kappa`, the tables in :mod:`analysis.agreement_tables`.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

__all__ = ["DECISION_COLUMNS", "UnitOfAnalysis", "category_ratings", "coding_decisions"]

#: Columns of :func:`coding_decisions`.
DECISION_COLUMNS: tuple[str, ...] = ("unit", "document", "code", "coder", "value")

UnitOfAnalysis = Literal["segment", "document"]


def _segment_units(doc: pd.DataFrame, *, min_overlap: float) -> pd.Series:
    """Cluster one document's coded segments into units: overlapping enough = the same unit."""
    unit = pd.Series(-1, index=doc.index, dtype="int64")
    positioned = doc["start"].notna() & doc["end"].notna()
    unique = doc.loc[positioned, ["start", "end"]].astype(float).drop_duplicates()
    spans = unique.sort_values(["start", "end"]).to_numpy()
    parent = list(range(len(spans)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(spans)):
        for j in range(i + 1, len(spans)):
            if spans[j][0] >= spans[i][1]:
                break
            overlap = min(spans[i][1], spans[j][1]) - max(spans[i][0], spans[j][0])
            shorter = min(spans[i][1] - spans[i][0], spans[j][1] - spans[j][0])
            if shorter > 0 and overlap / shorter >= min_overlap:
                parent[find(j)] = find(i)
    roots = {(float(s[0]), float(s[1])): find(i) for i, s in enumerate(spans)}
    numbering = {r: k for k, r in enumerate(sorted(set(roots.values())))}
    starts = doc["start"].astype(float)
    ends = doc["end"].astype(float)
    for idx in doc.index[positioned]:
        unit[idx] = numbering[roots[(float(starts[idx]), float(ends[idx]))]]
    # Segments without positions: one unit per distinct segment key.
    offset = len(numbering)
    keys = doc.loc[~positioned, "segment"].astype(str)
    for k, key in enumerate(sorted(keys.unique())):
        unit[keys.index[keys == key]] = offset + k
    return unit


def _double_coded_units(
    codings: pd.DataFrame, *, unit_of_analysis: str, min_overlap: float
) -> pd.DataFrame:
    """``document, coder, code`` (and positions) of the documents at least two coders coded, with
    the ``unit`` each coding falls in."""
    if unit_of_analysis not in ("segment", "document"):
        raise ValueError(
            f"unit_of_analysis must be 'segment' or 'document'; got {unit_of_analysis}"
        )
    if not 0 < min_overlap <= 1:
        raise ValueError(f"min_overlap must be in (0, 1]; got {min_overlap}")
    cols = {"document_id": "document", "coder": "coder", "code": "code"}
    if unit_of_analysis == "segment":
        cols |= {"start": "start", "end": "end", "segment_id": "segment"}
    missing = [c for c in cols if c not in codings.columns]
    if missing:
        raise KeyError(f"codings: columns not in the table: {', '.join(missing)}")
    data = codings[list(cols)].rename(columns=cols).copy()
    coders_per_doc = data.groupby("document")["coder"].nunique()
    double = coders_per_doc.index[coders_per_doc >= 2]
    data = data[data["document"].isin(double)]
    if data.empty:
        return data.assign(unit=pd.Series(dtype=str))
    if unit_of_analysis == "document":
        return data.assign(unit=data["document"].astype(str))
    parts = []
    for doc_id, doc in data.groupby("document", sort=True):
        numbers = _segment_units(doc, min_overlap=min_overlap)
        parts.append(str(doc_id) + "#" + numbers.astype(str))
    return data.assign(unit=pd.concat(parts))


def coding_decisions(
    codings: pd.DataFrame,
    *,
    unit_of_analysis: UnitOfAnalysis,
    codes: Sequence[str] | None = None,
    min_overlap: float = 0.5,
) -> pd.DataFrame:
    """Binary reliability data from coded segments: did coder *c* apply code *k* to unit *u*?

    Only double-coded documents count (documents in which at least two coders applied a code);
    within one, a coder who coded the document but not a unit gives 0 for it. A coder who did not
    code the document at all gives no value (missing).

    Parameters
    ----------
    codings
        One row per coding (a code applied to a segment by a coder): ``document_id``, ``coder``,
        ``code`` and, for segments, ``segment_id``, ``start`` and ``end`` (half-open positions).
        Not modified.
    unit_of_analysis
        ``"segment"``: within a document, segments of all coders that overlap by at least
        ``min_overlap`` of the shorter one form one unit (segments without positions are matched
        by ``segment``). ``"document"``: the unit is the document (code present or not, as
        MAXQDA's "code existence in the document").
    codes
        The codes to judge (default: those applied in the double-coded documents).
    min_overlap
        Overlap threshold for ``"segment"`` (a share of the shorter segment, 0–1).

    Returns
    -------
    pandas.DataFrame
        :data:`DECISION_COLUMNS`: ``unit`` (a string id), ``document``, ``code``, ``coder``,
        ``value`` (0/1), one row per unit × code × coder of the document.
    """
    data = _double_coded_units(codings, unit_of_analysis=unit_of_analysis, min_overlap=min_overlap)
    if data.empty:
        return pd.DataFrame(columns=list(DECISION_COLUMNS))
    all_codes = sorted(data["code"].unique()) if codes is None else list(codes)
    applied = set(zip(data["unit"], data["code"], data["coder"], strict=True))
    units = data[["unit", "document"]].drop_duplicates()
    doc_coders = data.groupby("document")["coder"].unique()
    rows = [
        (u, d, k, c, int((u, k, c) in applied))
        for u, d in units.itertuples(index=False)
        for k in all_codes
        for c in sorted(doc_coders[d])
    ]
    out = pd.DataFrame(rows, columns=list(DECISION_COLUMNS))
    return out.sort_values(["unit", "code", "coder"]).reset_index(drop=True)


def category_ratings(
    codings: pd.DataFrame,
    *,
    categories: Mapping[str, str],
    unit_of_analysis: UnitOfAnalysis = "segment",
    min_overlap: float = 0.5,
) -> tuple[pd.DataFrame, int]:
    """Reliability data of a code group: the one category each coder gave each unit.

    The codes of a code group are the categories of one variable (which NPT construct a segment
    speaks to, say). Only codings whose code is in ``categories`` count; within the double-coded
    documents their segments form units as in :func:`coding_decisions`. A coder's value for a unit
    is the category of the group's code they applied there; a coder who applied none has no value
    (missing), and a coder who applied two different categories to one unit has none either (the
    group's categories exclude each other) — those are counted.

    Parameters
    ----------
    codings
        As :func:`coding_decisions`. Not modified.
    categories
        Codebook code → the group's category it counts as (a category, or a code under it).
    unit_of_analysis, min_overlap
        As :func:`coding_decisions`.

    Returns
    -------
    (pandas.DataFrame, int)
        ``unit, document, coder, value`` (the category), one row per unit × coder with a value;
        and the number of unit × coder pairs left out because they held two categories.
    """
    grouped = codings[codings["code"].isin(list(categories))]
    grouped = grouped.assign(code=grouped["code"].map(categories))
    data = _double_coded_units(grouped, unit_of_analysis=unit_of_analysis, min_overlap=min_overlap)
    if data.empty:
        return pd.DataFrame(columns=["unit", "document", "coder", "value"]), 0
    values = data.groupby(["unit", "document", "coder"], sort=True)["code"].unique()
    single = values[values.map(len) == 1]
    out = single.map(lambda v: v[0]).rename("value").reset_index()
    return out, int((values.map(len) > 1).sum())
