"""Reads as of a moment (store.reads.store_as_of): the ingests loaded by then, each active unless
an ingest loaded by then replaced it — what an interim report re-created later must read."""

from __future__ import annotations

import datetime as dt

import duckdb

from store.reads import active_ingests, store_as_of
from store.schema import DDL


def _store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(DDL)
    rows = [  # 1 loaded in 2020 and replaced by 2 in 2021; 3 loaded in 2022
        (1, "2020-01-10 09:00:00", 2),
        (2, "2021-03-01 12:00:00", None),
        (3, "2022-05-05 08:00:00", None),
    ]
    for ingest_id, loaded_at, superseded_by in rows:
        con.execute(
            "INSERT INTO ingests (ingest_id, sha256, file_name, kind, rows_read, rows_loaded, "
            "rows_quarantined, loaded_at, superseded_by) VALUES (?, 'x', 'f.csv', 'survey', 1, 1, "
            "0, ?, ?)",
            [ingest_id, loaded_at, superseded_by],
        )
    return con


def _active(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {row[0] for row in con.execute(active_ingests()).fetchall()}


def test_the_store_as_it_stood_at_a_moment() -> None:
    con = _store()
    assert _active(con) == {2, 3}
    with store_as_of(dt.datetime(2020, 6, 30, 23, 59, 59)):
        assert _active(con) == {1}  # the replacement came later
    with store_as_of(dt.datetime(2021, 12, 31)):
        assert _active(con) == {2}
    with store_as_of(dt.datetime(2019, 1, 1)):
        assert _active(con) == set()
    assert _active(con) == {2, 3}  # the moment ends with the block
