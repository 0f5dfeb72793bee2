"""Waves assembled from several exports (``impleval ingest --part``, a wave's ``parts:``).

Each part is its own ingest (landed, validated and replaced on its own, see
:mod:`ingest.transaction`); the wave's data is every active part together. A pseudonym that answered
in two active parts of one wave is one respondent: the **earliest submission** is kept (no
submission time sorts last; a tie goes to the part loaded first, then the earlier row), every other
row of that pseudonym is set aside with the rule ``answered_in_other_part``, naming the part that
kept it. The rule is evaluated on every read against the parts active then (also as of a report's
``--as-of`` moment), so replacing a part re-decides it: nothing is dropped from the store, and the
analysis reads one row per respondent per wave.

A store written before parts existed has no ``ingests.part`` column and at most one active export
per wave, so it has no such rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.schema import ACTIVE_INGESTS

if TYPE_CHECKING:
    import duckdb

#: The quarantine rule of a row set aside because its pseudonym answered earlier in another part.
RULE = "answered_in_other_part"


def has_parts(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store knows parts (its ``ingests`` table has the ``part`` column)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ingests' "
        "AND column_name = 'part'"
    ).fetchone()
    return bool(row and row[0])


def duplicates_sql(active: str = ACTIVE_INGESTS) -> str:
    """The rows set aside (``ingest_id, instrument, wave, source_row, respondent_id, file_name,
    part, kept_part, kept_file``) among the survey ingests that ``active`` selects."""
    return (
        "WITH ranked AS (SELECT r.ingest_id, r.instrument, r.wave, r.respondent_id, r.source_row, "
        "i.file_name, i.part, row_number() OVER (PARTITION BY r.instrument, r.wave, "
        "r.respondent_id ORDER BY r.submitted_at NULLS LAST, r.ingest_id, r.source_row) AS n "
        "FROM respondents r JOIN ingests i ON i.ingest_id = r.ingest_id "
        f"WHERE i.kind = 'survey' AND r.ingest_id IN ({active})) "
        "SELECT d.ingest_id, d.instrument, d.wave, d.source_row, d.respondent_id, d.file_name, "
        "d.part, k.part AS kept_part, k.file_name AS kept_file FROM ranked d JOIN ranked k "
        "ON k.instrument = d.instrument AND k.wave = d.wave AND k.respondent_id = d.respondent_id "
        "AND k.n = 1 WHERE d.n > 1"
    )


def part_name(part: str | None) -> str:
    """How messages name a part (the export loaded without ``--part`` has none)."""
    return f"part {part}" if part is not None else "the export without --part"


def set_aside(
    con: duckdb.DuckDBPyConnection, instrument: str, wave: str, active: str = ACTIVE_INGESTS
) -> dict[int, list[tuple[int, str]]]:
    """The rows of one wave set aside, per ingest: ``ingest_id → [(source_row, kept part)]``."""
    if not has_parts(con):
        return {}
    rows = con.execute(
        f"SELECT ingest_id, source_row, kept_part FROM ({duplicates_sql(active)}) "
        "WHERE instrument = ? AND wave = ? ORDER BY ingest_id, source_row",
        [instrument, wave],
    ).fetchall()
    out: dict[int, list[tuple[int, str]]] = {}
    for ingest_id, source_row, kept in rows:
        out.setdefault(int(ingest_id), []).append((int(source_row), part_name(kept)))
    return out


def part_counts(
    con: duckdb.DuckDBPyConnection, instrument: str, wave: str
) -> list[tuple[str | None, str, int, int, object]]:
    """The wave's active survey exports, oldest first: ``(part, file, respondents loaded, of them
    set aside as answered in another part, loaded at)``."""
    column = "part" if has_parts(con) else "NULL"
    rows = con.execute(
        f"SELECT ingest_id, {column}, file_name, rows_loaded, loaded_at FROM ingests "
        "WHERE superseded_by IS NULL AND kind = 'survey' AND instrument = ? AND wave = ? "
        "ORDER BY ingest_id",
        [instrument, wave],
    ).fetchall()
    aside = set_aside(con, instrument, wave)
    return [
        (None if p is None else str(p), str(f), int(n), len(aside.get(int(i), [])), at)
        for i, p, f, n, at in rows
    ]
