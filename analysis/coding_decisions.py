"""From coded segments to reliability data: the binary decisions "coder *c* applied code *k* to
unit *u*" on the double-coded material (see :mod:`analysis.agreement` for the coefficients).

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

__all__ = ["DECISION_COLUMNS", "UnitOfAnalysis", "coding_decisions"]

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
        by ``segment``). ``"document"``: the unit is the document (code present or not).
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
        return pd.DataFrame(columns=list(DECISION_COLUMNS))
    all_codes = sorted(data["code"].unique()) if codes is None else list(codes)
    if unit_of_analysis == "document":
        data["unit"] = data["document"].astype(str)
    else:
        parts = []
        for doc_id, doc in data.groupby("document", sort=True):
            numbers = _segment_units(doc, min_overlap=min_overlap)
            parts.append(str(doc_id) + "#" + numbers.astype(str))
        data["unit"] = pd.concat(parts)
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
