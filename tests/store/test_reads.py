"""Reads of the active data per kind, and what was loaded and set aside."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.codings import ingest_codings
from ingest.indicators import ingest_indicators
from ingest.survey import ingest_survey
from instruments.spec import load_instrument
from store import reads, warehouse
from store.schema import CODING_COLUMNS

DATA = Path(__file__).resolve().parents[1] / "data" / "indicators"


@pytest.fixture
def loaded(example_project: Path) -> Path:
    inbox = example_project / "inbox"
    for wave, name in (("T0", "nomad_T0.xlsx"), ("T1", "nomad_T1.csv")):
        ingest_survey(example_project, inbox / name, instrument="nomad", wave=wave)
    ingest_indicators(example_project, inbox / "indicators_discharge.csv")
    ingest_indicators(example_project, inbox / "indicators_outcomes.csv")
    ingest_codings(example_project, inbox / "codings_interviews.csv")
    return example_project / ".impleval" / "warehouse.duckdb"


def test_each_kind_reads_its_active_rows(loaded: Path) -> None:
    with warehouse.open_warehouse(loaded, read_only=True) as con:
        wide, long = reads.read_survey_frames(con, load_instrument("nomad"))
        values = reads.read_indicator_values(con)
        outcomes = reads.read_outcome_values(con)
        codings = reads.read_codings(con)
        documents = reads.read_coding_documents(con)
        pair = reads.read_active_codings(con)
    assert len(wide) == 352 and len(long) == 352 * 23
    assert list(values.columns) == list(reads.INDICATOR_VALUE_COLUMNS) and len(values) == 88
    assert list(outcomes.columns) == list(reads.OUTCOME_VALUE_COLUMNS) and len(outcomes) == 160
    assert values["period_start"].dtype.kind == outcomes["period_start"].dtype.kind == "M"
    assert list(codings.columns) == list(CODING_COLUMNS) and len(codings) == 362
    assert list(documents.columns) == list(reads.CODING_DOCUMENT_COLUMNS) and len(documents) == 29
    pd.testing.assert_frame_equal(pair[0], codings)
    pd.testing.assert_frame_equal(pair[1], documents)


def test_what_was_loaded_and_set_aside(loaded: Path) -> None:
    with warehouse.open_warehouse(loaded, read_only=True) as con:
        summary = reads.ingest_summary(con)
        rows = reads.quarantine_rows(con)
        counts = reads.quarantine_reason_counts(con)
    accounting = ["rows_read", "rows_loaded", "rows_quarantined", "loaded_at"]
    assert list(summary.columns) == ["kind", "instrument", "wave", "file", "sha256", *accounting]
    assert summary["rows_loaded"].sum() == 202 + 150 + 88 + 160 + 362
    assert list(rows.columns) == ["instrument", "wave", "file", "row", "column", "rule", "detail"]
    counts = counts.astype(object).where(counts.notna(), None)
    got = {(i, w, r): n for i, w, r, n in counts.itertuples(index=False)}
    assert got == {
        ("nomad", "T0", "unknown_label"): 1,
        ("nomad", "T1", "duplicate_respondent"): 2,
        (None, None, "unknown_coder"): 1,
    }


def test_a_row_number_counts_once_per_file(example_project: Path, tmp_path: Path) -> None:
    first, second = DATA / "bad_rows.csv", tmp_path / "indicators_b.csv"  # row 5 negative in both
    second.write_text(
        "indicator;period;value\ndigital_services;2017;1\ndigital_services;2018;2\n"
        "digital_services;2019;3\norganisations_supported;2018;-4\n",
        encoding="utf-8",
    )
    ingest_indicators(example_project, first)
    ingest_indicators(example_project, second)
    with warehouse.open_warehouse(
        example_project / ".impleval" / "warehouse.duckdb", read_only=True
    ) as con:
        counts = reads.quarantine_reason_counts(con).set_index("rule")["n"]
    assert counts["negative_value"] == 2  # row 5 of each file


def test_an_empty_store_and_one_without_a_kinds_tables(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with warehouse.open_warehouse(path) as con:  # creates every table
        assert reads.read_indicator_values(con).empty and reads.read_codings(con).empty
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE indicator_values; DROP TABLE outcome_values; DROP TABLE codings")
    con.execute("DROP TABLE coding_documents")
    con.close()
    with warehouse.open_warehouse(path, read_only=True) as con:  # as a store of an older version
        empty = reads.read_indicator_values(con)
        assert empty.empty and list(empty.columns) == list(reads.INDICATOR_VALUE_COLUMNS)
        assert reads.read_outcome_values(con).empty
        assert list(reads.read_codings(con).columns) == list(CODING_COLUMNS)
        assert reads.read_coding_documents(con).empty
    pd.testing.assert_frame_equal(reads.empty_indicator_values(), empty)
