"""The project's store: ``.impleval/warehouse.duckdb``.

Tables
------
meta         key/value: schema version, the fingerprint of the pseudonymisation key
ingests      one row per loaded file: sha256, name, instrument, wave, row accounting, superseded_by
respondents  one row per loaded respondent × wave (pseudonym, submission time, organisation, unit, group)
responses    one row per respondent × item: status (answered / not_applicable / missing), value, key
free_text    free-text answers a profile keeps, screened (redacted) for identifying content
quarantine   one row per quarantined row × rule, with the file's row number

Rows of a superseded ingest stay (history is visible); reads use the active ingests only. Every write
happens in one transaction: a failed ingest leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from project.errors import StoreError

if TYPE_CHECKING:  # pandas only in annotations: `impleval run` opens the store before any pandas
    import pandas as pd

    from instruments.spec import InstrumentSpec

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id INTEGER PRIMARY KEY, sha256 VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, instrument VARCHAR, wave VARCHAR, profile VARCHAR,
    rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL, rows_quarantined INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL, superseded_by INTEGER);
CREATE TABLE IF NOT EXISTS respondents (
    ingest_id INTEGER NOT NULL, instrument VARCHAR NOT NULL, wave VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL, source_row INTEGER NOT NULL, submitted_at TIMESTAMP,
    organisation VARCHAR, unit VARCHAR, staff_group VARCHAR);
CREATE TABLE IF NOT EXISTS responses (
    ingest_id INTEGER NOT NULL, instrument VARCHAR NOT NULL, wave VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL, item VARCHAR NOT NULL, status VARCHAR NOT NULL,
    value DOUBLE, not_applicable VARCHAR);
CREATE TABLE IF NOT EXISTS free_text (
    ingest_id INTEGER NOT NULL, instrument VARCHAR NOT NULL, wave VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL, column_name VARCHAR NOT NULL, text VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine (
    ingest_id INTEGER NOT NULL, instrument VARCHAR, wave VARCHAR, file_name VARCHAR NOT NULL,
    source_row INTEGER NOT NULL, column_name VARCHAR, rule VARCHAR NOT NULL, detail VARCHAR);
"""

_ACTIVE = "SELECT ingest_id FROM ingests WHERE superseded_by IS NULL"


@contextlib.contextmanager
def open_warehouse(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open (and, for writing, create) the warehouse."""
    if read_only and not path.is_file():
        raise StoreError(
            f"{path.name}: the project has no data yet. Hint: ingest a file first "
            f"(`impleval ingest FILE ...`) or run `impleval run`."
        )
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise StoreError(
            f"{path.name}: the store is in use by another process or damaged ({exc}). Hint: wait "
            f"for the other impleval command to finish."
        ) from exc
    try:
        if not read_only:
            con.execute(_SCHEMA)
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                [SCHEMA_VERSION],
            )
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def open_for_ingest(path: Path, *, dry_run: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store an ingest works in. A dry run of a project without a store gets an empty one in
    memory, so a diagnosis never creates files; otherwise the real store (the caller holds the
    project lock, and a dry run never commits)."""
    if dry_run and not path.is_file():
        con = duckdb.connect(":memory:")
        try:
            con.execute(_SCHEMA)
            yield con
        finally:
            con.close()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_warehouse(path, read_only=False) as con:
        yield con


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
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM ingests").fetchone()[0])  # type: ignore[index]


def active_ingest(con: duckdb.DuckDBPyConnection, instrument: str, wave: str) -> dict | None:
    row = con.execute(
        "SELECT ingest_id, sha256, file_name FROM ingests WHERE superseded_by IS NULL "
        "AND kind = 'survey' AND instrument = ? AND wave = ?",
        [instrument, wave],
    ).fetchone()
    return None if row is None else {"ingest_id": row[0], "sha256": row[1], "file_name": row[2]}


def next_ingest_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests").fetchone()[0])  # type: ignore[index]


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


def read_survey(
    con: duckdb.DuckDBPyConnection, instrument: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The active answers of one instrument as (respondents, long responses)."""
    respondents = con.execute(
        f"SELECT instrument, wave, respondent_id, submitted_at, organisation, unit, staff_group "
        f"FROM respondents WHERE instrument = ? AND ingest_id IN ({_ACTIVE}) "
        f"ORDER BY wave, respondent_id",
        [instrument],
    ).df()
    long = con.execute(
        f"SELECT wave, respondent_id, item, status, value, not_applicable FROM responses "
        f"WHERE instrument = ? AND ingest_id IN ({_ACTIVE}) ORDER BY wave, respondent_id, item",
        [instrument],
    ).df()
    return respondents, long


def ingest_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT instrument, wave, file_name AS file, sha256, rows_read, rows_loaded, "
        "rows_quarantined, loaded_at FROM ingests WHERE superseded_by IS NULL "
        "ORDER BY instrument, wave"
    ).df()


def quarantine_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        f"SELECT instrument, wave, file_name AS file, source_row AS row, column_name AS column, "
        f"rule, detail FROM quarantine WHERE ingest_id IN ({_ACTIVE}) "
        f"ORDER BY instrument, wave, source_row, rule"
    ).df()


def read_survey_frames(
    con: duckdb.DuckDBPyConnection, spec: InstrumentSpec
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis frames of one instrument.

    Returns
    -------
    wide
        One row per respondent × wave: ``respondent_id, wave, organisation, unit, staff_group,
        submitted_at`` and one float column per item (``spec.column(item)``), NaN when not scored.
    long
        One row per respondent × wave × item: ``respondent_id, wave, item, status, value,
        not_applicable``.
    """
    respondents, long = read_survey(con, spec.id)
    keys = ["respondent_id", "wave", "organisation", "unit", "staff_group", "submitted_at"]
    values = long.pivot(index=["wave", "respondent_id"], columns="item", values="value")
    values = values.reindex(columns=[i.id for i in spec.items]).astype("float64")
    values.columns = [spec.column(c) for c in values.columns]
    wide = respondents[keys].merge(values.reset_index(), on=["wave", "respondent_id"], how="left")
    for col in ("respondent_id", "wave", "organisation", "unit", "staff_group"):
        wide[col] = wide[col].astype(object).where(wide[col].notna(), None)
    return wide.reset_index(drop=True), long
