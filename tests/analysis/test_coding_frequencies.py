"""Code frequencies and co-occurrence on a hand-made example."""

from __future__ import annotations

import pandas as pd

from analysis.coding_frequencies import (
    CO_OCCURRENCE_COLUMNS,
    FREQUENCY_COLUMNS,
    co_occurrence,
    coding_frequencies,
    primary_codings,
)

BOOK = pd.DataFrame(
    {"code": ["CO", "codi", "cocs", "CA", "caiw", "misc"],
     "construct": ["CO", "CO", "CO", "CA", "CA", None]}
)  # fmt: skip
DOCS = pd.DataFrame(
    {"document_id": ["d1", "d2", "d3"], "stakeholder_group": ["staff", "staff", "sg"],
     "round": ["r1", "r1", "r1"]}
)  # fmt: skip


def codings() -> pd.DataFrame:
    rows = [
        ("d1", "s1", "codi"), ("d1", "s1", "cocs"), ("d1", "s2", "caiw"),
        ("d2", "s3", "codi"), ("d3", "s4", "misc"), ("d3", "s4", "cocs"),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["document_id", "segment_id", "code"])
    return df.merge(DOCS, on="document_id")


def test_frequencies_by_group_and_construct() -> None:
    out = coding_frequencies(codings(), BOOK, documents=DOCS)
    assert tuple(out.columns) == FREQUENCY_COLUMNS
    row = out[(out.code_level == "construct") & (out.code == "CO") & (out.stakeholder_group == "staff")
              & (out["round"] == "r1")].iloc[0]  # fmt: skip
    assert (row.n_documents, row.n_segments, row.documents_in_group) == (2, 2, 2)  # s1 counts once
    assert row.share_of_documents == 1.0
    total = out[(out.code_level == "code") & (out.code == "cocs") & (out.stakeholder_group == "all")
                & (out["round"] == "all")].iloc[0]  # fmt: skip
    assert (total.n_documents, total.documents_in_group) == (2, 3)
    assert "misc" not in set(out[out.code_level == "construct"]["code"])
    assert "misc" in set(out[out.code_level == "code"]["code"])


def test_co_occurrence_symmetric_with_diagonal() -> None:
    out = co_occurrence(codings(), BOOK)
    assert tuple(out.columns) == CO_OCCURRENCE_COLUMNS
    code = out[out.code_level == "code"].set_index(["code_a", "code_b"])
    assert code.loc[("codi", "cocs"), "n_segments"] == code.loc[("cocs", "codi"), "n_segments"] == 1
    assert code.loc[("codi", "codi"), "n_segments"] == 2
    assert code.loc[("codi", "caiw"), "n_segments"] == 0
    assert code.loc[("codi", "caiw"), "n_documents"] == 1


def test_primary_codings_keeps_one_coder_per_document() -> None:
    c = pd.DataFrame(
        {"document_id": ["d1", "d1", "d1", "d2"], "coder": ["b", "a", "b", "a"],
         "code": ["x", "x", "y", "x"]}
    )  # fmt: skip
    assert primary_codings(c)["coder"].tolist() == ["b", "b", "a"]
    assert primary_codings(c, primary=["a"])["coder"].tolist() == ["a", "a"]
