"""The project's store, ``.impleval/warehouse.duckdb``: connections, meta and the ``ingests`` ledger.

The tables are declared in :mod:`store.schema`; the reads of active data per kind are in
:mod:`store.reads`. Every connection holds the project lock (:mod:`store.lock`) while it is open,
reading or writing, so commands started together take turns instead of failing on DuckDB's file
lock. Every write happens in one transaction: a failed ingest leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from project.errors import StoreError
from store.lock import project_lock, store_lock
from store.schema import DDL, INGEST_COLUMNS, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:  # pandas only in annotations: `impleval run` opens the store before any pandas
    import pandas as pd

__all__ = [
    "ANY_PART",
    "SCHEMA_VERSION",
    "active_ingests",
    "data_version",
    "get_meta",
    "has_data",
    "ingest_part",
    "insert_frame",
    "insert_ingest",
    "next_ingest_id",
    "open_for_ingest",
    "open_for_unit",
    "open_reader",
    "open_warehouse",
    "replaced_by",
    "set_meta",
    "supersede",
    "transaction",
]


class _AnyPart:
    """The type of :data:`ANY_PART`."""


#: ``active_ingests(part=ANY_PART)``: every part of the wave (the default).
ANY_PART = _AnyPart()


@contextlib.contextmanager
def open_warehouse(
    path: Path, *, read_only: bool = False, purpose: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open (and, for writing, create) the warehouse, holding the project lock while it is open.

    Raises
    ------
    StoreError
        When a read finds no store (nothing ingested yet), or DuckDB cannot open the file.
    """
    if read_only and not path.is_file():
        raise StoreError(
            f"{path.name}: the project has no data yet. Hint: ingest a file first "
            f"(`impleval ingest FILE ...`) or run `impleval run`."
        )
    what = purpose or ("read the store" if read_only else "write the store")
    with project_lock(store_lock(path), purpose=what):
        con = _connect(
            path,
            read_only,
            "the store is in use by another program or damaged ({exc}). Hint: close other "
            "programs that have it open (e.g. a DuckDB shell).",
        )
        try:
            if not read_only:
                con.execute(DDL)
                con.execute(MIGRATIONS)
                con.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [SCHEMA_VERSION],
                )
            yield con
        finally:
            con.close()


def _connect(path: Path, read_only: bool, problem: str) -> duckdb.DuckDBPyConnection:
    """DuckDB's connection to the store; when it cannot open the file, one line: the file's
    name and ``problem`` (``{exc}`` there is DuckDB's message)."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise StoreError(f"{path.name}: {problem.format(exc=exc)}") from exc


@contextlib.contextmanager
def _empty_store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A store with every table and no rows, in memory."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(DDL)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def open_reader(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store to read the active data from: read only; an empty one in memory when nothing
    has been ingested yet (a project whose waves are still planned analyses to empty tables)."""
    if not path.is_file():
        with _empty_store() as con:
            yield con
        return
    with open_warehouse(path, read_only=True) as con:
        yield con


@contextlib.contextmanager
def open_for_unit(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store, read only, for a work unit of a run on another process (a Dask worker): without
    taking the project lock, which the run (``impleval run``) holds for its units until they are
    done, so no ingest can write meanwhile. Several processes may read a DuckDB file at once.

    Raises
    ------
    StoreError
        When DuckDB cannot open the file.
    """
    con = _connect(
        path,
        True,
        "a work unit could not read the store ({exc}). Hint: close other programs that write "
        "it (e.g. a DuckDB shell) or run without --dask.",
    )
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def open_for_ingest(path: Path, *, dry_run: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store an ingest works in. A dry run of a project without a store gets an empty one in
    memory, so a diagnosis never creates files; otherwise the real store (a dry run never
    commits)."""
    if dry_run and not path.is_file():
        with _empty_store() as con:
            yield con
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_warehouse(path, read_only=False) as con:
        con.execute(f"SET memory_limit = '{INGEST_MEMORY}'")
        yield con


#: DuckDB's memory during an ingest: beyond it, the rows of the open transaction and the
#: buffers it caches go to disk (next to the store) rather than grow with the file.
INGEST_MEMORY = "256MB"


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM ingests").fetchone()
    return bool(row and row[0])


def active_ingests(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    *,
    sha256: str | None = None,
    instrument: str | None = None,
    wave: str | None = None,
    part: str | _AnyPart | None = ANY_PART,
) -> list[tuple[int, str, str]]:
    """The active ingests of ``kind`` as ``(ingest_id, file_name, sha256)``, oldest first;
    narrowed to one content (``sha256``) and, for surveys, one instrument × wave and (unless
    ``ANY_PART``) one part of it (``None``: the export loaded without ``--part``)."""
    sql = (
        "SELECT ingest_id, file_name, sha256 FROM ingests WHERE superseded_by IS NULL AND kind = ?"
    )
    params: list[object] = [kind]
    for column, value in (("sha256", sha256), ("instrument", instrument), ("wave", wave)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    if not isinstance(part, _AnyPart):
        sql += " AND part IS NOT DISTINCT FROM ?"
        params.append(part)
    rows = con.execute(sql + " ORDER BY ingest_id", params).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def ingest_part(con: duckdb.DuckDBPyConnection, ingest_id: int) -> str | None:
    """The part of a wave an ingest holds (``None``: loaded without ``--part``)."""
    row = con.execute("SELECT part FROM ingests WHERE ingest_id = ?", [ingest_id]).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def replaced_by(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    *,
    sha256: str,
    instrument: str | None = None,
    wave: str | None = None,
    part: str | None = None,
) -> str | None:
    """The file whose load replaced the last load of this content in the same part (``None``:
    never replaced)."""
    sql = (
        "SELECT new.file_name FROM ingests AS old JOIN ingests AS new "
        "ON old.superseded_by = new.ingest_id WHERE old.kind = ? AND old.sha256 = ? "
        "AND old.part IS NOT DISTINCT FROM ?"
    )
    params: list[object] = [kind, sha256, part]
    for column, value in (("instrument", instrument), ("wave", wave)):
        if value is not None:
            sql += f" AND old.{column} = ?"
            params.append(value)
    row = con.execute(sql + " ORDER BY old.ingest_id DESC LIMIT 1", params).fetchone()
    return None if row is None else str(row[0])


def next_ingest_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests").fetchone()
    return int(row[0]) if row else 1


def insert_ingest(con: duckdb.DuckDBPyConnection, **values: object) -> None:
    """One ``ingests`` row; columns by name (``loaded_at`` defaults to now, in UTC)."""
    unknown = set(values) - set(INGEST_COLUMNS)
    if unknown:
        raise ValueError(f"ingests has no column(s) {sorted(unknown)}")
    values.setdefault("loaded_at", dt.datetime.now(dt.UTC).replace(tzinfo=None))
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    con.execute(f"INSERT INTO ingests ({columns}) VALUES ({marks})", list(values.values()))


def supersede(con: duckdb.DuckDBPyConnection, old: Sequence[int], new: int) -> None:
    """Mark the ingests ``old`` as replaced by ``new`` (their rows stay, as history)."""
    for ingest_id in old:
        con.execute(
            "UPDATE ingests SET superseded_by = ? WHERE ingest_id = ?", [new, int(ingest_id)]
        )


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append ``frame`` (columns named as the table's) to ``table``."""
    if frame.empty:
        return
    con.register("_incoming", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
    finally:
        con.unregister("_incoming")


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A fingerprint of the active data: changes whenever an ingest loads or supersedes."""
    rows = con.execute(
        "SELECT ingest_id, sha256 FROM ingests WHERE superseded_by IS NULL ORDER BY ingest_id"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()
