"""Appending many rows to a store table inside the ingest's one transaction, with bounded memory.

DuckDB keeps the rows a transaction appends from a data frame in memory until the commit (about a
hundred bytes a row, whatever its memory limit), while one ``INSERT … SELECT`` from a table writes
them into the store file as it goes. So :func:`insert_frames` first writes the frames, one at a
time, to a staging database in a temporary folder (its own commits; the caller's transaction is
untouched), then (as a Parquet file) appends them to the store in one statement inside the
caller's transaction. The staging files hold only what the store will hold (pseudonymised rows),
and are deleted afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

#: DuckDB's memory for the staging database (beyond it, DuckDB writes to the staging file).
STAGING_MEMORY = "128MB"
#: Fewer rows than this go into the store directly (staging costs more CPU than it saves memory).
STAGING_ROWS = 500_000


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [
        (str(name), str(kind))
        for name, kind in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? AND table_catalog = current_database() ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def insert_frames(
    con: duckdb.DuckDBPyConnection, table: str, frames: Iterable[pd.DataFrame], *, rows: int
) -> None:
    """Append ``frames`` (columns named as ``table``'s; in order; ``rows`` in all) to ``table`` of
    the store behind ``con``, inside whatever transaction ``con`` has open: through the staging
    file when they are more than :data:`STAGING_ROWS` rows, else directly."""
    if rows <= STAGING_ROWS:
        for frame in frames:
            _insert(con, table, frame)
        return
    types = dict(_columns(con, table))
    staged, names = 0, ""
    with tempfile.TemporaryDirectory(prefix="impleval-staging-") as folder:
        path, parquet = Path(folder) / "staging.duckdb", Path(folder) / "rows.parquet"
        stage = duckdb.connect(str(path))
        try:
            stage.execute(f"SET memory_limit = '{STAGING_MEMORY}'")
            for frame in frames:
                if frame.empty:
                    continue
                if not names:
                    names = ", ".join(frame.columns)
                    declared = ", ".join(f'"{c}" {types[c]}' for c in frame.columns)
                    stage.execute(f"CREATE TABLE rows ({declared})")
                _insert(stage, "rows", frame)
                staged += len(frame)
            if staged:  # a Parquet file the store's connection reads without attaching it
                stage.execute(f"COPY rows TO '{_quoted(parquet)}' (FORMAT parquet)")
        finally:
            stage.close()
        if staged:
            con.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM "
                f"read_parquet('{_quoted(parquet)}')"
            )


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """As :func:`store.warehouse.insert_frame` (the same casts, into the staging table too)."""
    if frame.empty:
        return
    names = ", ".join(frame.columns)
    con.register("_incoming", frame)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming")
    finally:
        con.unregister("_incoming")
