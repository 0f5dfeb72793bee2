"""Exemplar quotes per NPT construct × stakeholder group, by one documented rule.

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
once (for the first construct in NPT order). A speaker is named only by the group's role word and
a number ("Styrgruppsledamot 3"): speakers are numbered within their group in the order of their
keyed pseudonyms, so the number says nothing about who they are.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.columns import empty_table, table
from project.codebook import Codebook
from project.interviews import InterviewsConfig

__all__ = ["QUOTE_RULE", "TARGET_LENGTH", "select_quotes", "speaker_numbers"]

QUOTE_RULE = (
    "per NPT construct × stakeholder group: primary coder's segments of min–max characters; "
    "confirmed by the second coder first, then without redaction marks, then the most frequent "
    "sub-construct, then length closest to 160, then segment id; distinct speakers"
)
TARGET_LENGTH = 160
_REDACTED = re.compile(r"\[(?:namn|personnummer|nummer|e-post|telefon|name|email|phone)[^\]]*\]")
_RANKING = ["npt", "stakeholder_group", "_conf", "_redacted", "_typical", "_length", "segment_id"]


def speaker_numbers(codings: pd.DataFrame) -> pd.DataFrame:
    """``stakeholder_group, speaker_id, speaker_number``: 1… within each group, by pseudonym."""
    sp = codings[["stakeholder_group", "speaker_id"]].drop_duplicates()
    sp = sp.sort_values(["stakeholder_group", "speaker_id"])
    sp["speaker_number"] = sp.groupby("stakeholder_group").cumcount() + 1
    return sp.reset_index(drop=True)


def _candidates(
    mapped: pd.DataFrame, primary: pd.DataFrame, construct_of: dict[str, str], constructs: list[str]
) -> pd.DataFrame:
    """The primary coder's segments of an NPT construct, with their confirmation rank."""
    cand = primary.assign(npt=primary["code"].map(construct_of))
    cand = cand[cand["npt"].isin(constructs)]
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
    return cand.assign(quote=text, n_chars=text.str.len())


def _ranked(cand: pd.DataFrame) -> pd.DataFrame:
    """Candidates in the rule's order, one row per construct × group × segment."""
    cand = cand.assign(_redacted=cand["quote"].str.contains(_REDACTED).astype(int))
    freq = cand.groupby(["npt", "stakeholder_group", "code"])["segment_id"].nunique()
    keys = pd.MultiIndex.from_frame(cand[["npt", "stakeholder_group", "code"]])
    cand["_typical"] = -freq.reindex(keys).to_numpy()
    cand["_length"] = (cand["n_chars"] - TARGET_LENGTH).abs()
    cand = cand.sort_values([*_RANKING, "code"])
    return cand.drop_duplicates(["npt", "stakeholder_group", "segment_id"])


def _chosen(cand: pd.DataFrame, constructs: list[str], per_cell: int) -> list[dict[str, object]]:
    """The first ``per_cell`` candidates of distinct speakers per construct × group; a segment is
    quoted once, for the first construct in NPT order."""
    order = {c: i for i, c in enumerate(constructs)}
    cand = cand.assign(_order=cand["npt"].map(order)).sort_values("_order", kind="stable")
    chosen: list[dict[str, object]] = []
    used: set[str] = set()
    for (construct, group), part in cand.groupby(["npt", "stakeholder_group"], sort=False):
        seen: set[str] = set()
        for row in part.to_dict("records"):
            if row["speaker_id"] in seen or row["segment_id"] in used:
                continue
            used.add(str(row["segment_id"]))
            seen.add(str(row["speaker_id"]))
            chosen.append(
                {"construct": construct, "stakeholder_group": group, "rank": len(seen)}
                | {k: row[k] for k in ("round", "code", "segment_id", "speaker_id", "quote")}
                | {"n_chars": int(row["n_chars"]), "confirmed": bool(row["confirmed"])}
            )
            if len(seen) >= per_cell:
                break
    return chosen


def select_quotes(
    mapped: pd.DataFrame, primary: pd.DataFrame, codebook: Codebook, config: InterviewsConfig
) -> pd.DataFrame:
    """Exemplar quotes by the rule in the module docstring (the ``quotes`` table)."""
    q = config.quotes
    if q.per_cell == 0 or primary.empty:
        return empty_table("quotes")
    construct_of = {c.id: c.construct for c in codebook.codes if c.construct}
    constructs = [c.id for c in codebook.constructs()]
    cand = _candidates(mapped, primary, construct_of, constructs)
    cand = cand[(cand["n_chars"] >= q.min_chars) & (cand["n_chars"] <= q.max_chars)]
    if cand.empty:
        return empty_table("quotes")
    out = pd.DataFrame(_chosen(_ranked(cand), constructs, q.per_cell))
    out = out.merge(speaker_numbers(mapped), on=["stakeholder_group", "speaker_id"], how="left")
    words = {g.id: g.speaker for g in config.stakeholder_groups}
    pairs = list(zip(out["stakeholder_group"], out["speaker_number"], strict=True))
    out["speaker_sv"] = [f"{words[g].sv} {n}" if g in words else str(n) for g, n in pairs]
    out["speaker_en"] = [f"{words[g].en} {n}" if g in words else str(n) for g, n in pairs]
    out["method"] = QUOTE_RULE
    groups = {g.id: i for i, g in enumerate(config.stakeholder_groups)}
    order = {c: i for i, c in enumerate(constructs)}
    out = out.assign(_c=out["construct"].map(order), _g=out["stakeholder_group"].map(groups))
    out = out.sort_values(["_c", "_g", "rank"])
    return out.loc[:, list(table("quotes").columns)].reset_index(drop=True)
