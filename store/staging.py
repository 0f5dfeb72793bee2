"""Appending many rows to a store table inside the ingest's one transaction, with bounded memory.

DuckDB keeps the rows a transaction appends from a data frame in memory until the commit (about a
hundred bytes a row, whatever its memory limit), while one ``INSERT … SELECT`` from files writes
them into the store file as it goes. So :func:`insert_frames` writes each frame, cast to the
table's column types, to a Parquet file in a temporary folder beside the store file (by a
connection of its own; the caller's transaction is untouched), then appends the files in order to
the store in one statement inside the caller's transaction. The files hold only what the store
will hold (pseudonymised rows), stay in the store's folder (never the system's temporary folder),
and are deleted afterwards; a folder left by a killed ingest is removed by the next staged insert
(the caller holds the project lock, so no other ingest is staging then). Measured on 4 million response rows: 3.1 s of CPU and 583 MiB
directly, 4.5–5.1 s and 325 MiB staged; so only more than :data:`STAGING_ROWS` rows are staged.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

#: DuckDB's memory for writing the staging files.
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


#: The prefix of a staging folder beside the store file.
STAGING_PREFIX = ".impleval-staging-"


def _staging_parent(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The store file's folder (``None`` for an in-memory store), cleared of staging folders a
    killed ingest left behind."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if not row or not row[0]:
        return None
    parent = Path(str(row[0])).resolve().parent
    for left in parent.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(left, ignore_errors=True)
    return parent


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def insert_frames(
    con: duckdb.DuckDBPyConnection, table: str, frames: Iterable[pd.DataFrame], *, rows: int
) -> None:
    """Append ``frames`` (columns named as ``table``'s; in order; ``rows`` in all) to ``table`` of
    the store behind ``con``, inside whatever transaction ``con`` has open: through the staging
    file when they are more than :data:`STAGING_ROWS` rows, else directly."""
    if rows <= STAGING_ROWS:  # one insert of them all (each insert costs some milliseconds)
        given = [f for f in frames if not f.empty]
        if given:
            _insert(con, table, pd.concat(given, ignore_index=True))
        return
    types = dict(_columns(con, table))
    files: list[str] = []
    parent = _staging_parent(con)
    with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX, dir=parent) as folder:
        stage = duckdb.connect()
        try:
            stage.execute(f"SET memory_limit = '{STAGING_MEMORY}'")
            for frame in frames:
                if frame.empty:
                    continue
                names = ", ".join(frame.columns)
                cast = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in frame.columns)
                files.append(_quoted(Path(folder) / f"part-{len(files):06d}.parquet"))
                stage.register("_incoming", frame)
                stage.execute(
                    f"COPY (SELECT {cast} FROM _incoming) TO '{files[-1]}' "
                    "(FORMAT parquet, COMPRESSION uncompressed)"
                )
                stage.unregister("_incoming")
        finally:
            stage.close()
        if files:
            listed = ", ".join(f"'{f}'" for f in files)
            con.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM read_parquet([{listed}])"
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
