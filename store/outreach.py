"""The store's part of reaching people: who a wave's rosters hold, who answered, and the send ledger.

The ``roster`` table keeps the keyed pseudonym and organisation, unit, staff group and language of
each person on a loaded roster; the address stays in the landed raw file. A person on two rosters of
one wave is one person (the first loaded roster's row counts).

The ``sends`` ledger has one row per wave × pseudonym × message (``invitation``, ``reminder-1``, …).
A send writes ``attempt`` (committed) before it talks to the mail server and its outcome after:

``sent``     the server accepted the message;
``refused``  the server refused the address for good (5xx): recorded, shown, never retried;
``failed``   it was certainly not accepted (connection lost or refused before the message was
             handed over, or a 4xx): a later run sends it;
``attempt``  no outcome was recorded (the process died, or the connection broke while the message
             was being handed over): it may have been delivered, so it is **not** sent again
             (at most once; ``waves status`` shows it as "unconfirmed");
``listed``   written to a list for a survey tool that sends its own mail (``--to-file``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from store.reads import active_ingests
from store.schema import ACTIVE_INGESTS

if TYPE_CHECKING:
    import pandas as pd

#: Ledger statuses that mean "do not send this message to this person again".
DONE = ("sent", "refused", "attempt", "listed")


@dataclass(frozen=True)
class Member:
    """One person on a wave's rosters (no address)."""

    respondent_id: str
    organisation: str
    unit: str | None
    staff_group: str
    language: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def roster_files(
    con: duckdb.DuckDBPyConnection, instrument: str, wave: str
) -> list[tuple[int, str, str]]:
    """The active roster loads of a wave as ``(ingest_id, file_name, sha256)``, oldest first."""
    rows = con.execute(
        "SELECT ingest_id, file_name, sha256 FROM ingests WHERE superseded_by IS NULL "
        "AND kind = 'roster' AND instrument = ? AND wave = ? ORDER BY ingest_id",
        [instrument, wave],
    ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def roster_members(con: duckdb.DuckDBPyConnection, instrument: str, wave: str) -> list[Member]:
    """Everyone on the wave's active rosters, once each, in roster order."""
    rows = con.execute(
        f"SELECT respondent_id, organisation, unit, staff_group, language FROM ("
        f"  SELECT *, row_number() OVER (PARTITION BY respondent_id "
        f"    ORDER BY ingest_id, source_row) AS n FROM roster "
        f"  WHERE instrument = ? AND wave = ? AND ingest_id IN ({ACTIVE_INGESTS})) "
        f"WHERE n = 1 ORDER BY respondent_id",
        [instrument, wave],
    ).fetchall()
    return [Member(*(None if v is None else str(v) for v in r)) for r in rows]  # type: ignore[arg-type]


def responders(con: duckdb.DuckDBPyConnection, instrument: str, wave: str) -> set[str]:
    """The pseudonyms with an answer in the wave's active (latest) export, or in any active part of
    a wave of several parts (a pseudonym in two parts is one responder)."""
    rows = con.execute(
        f"SELECT DISTINCT respondent_id FROM respondents WHERE instrument = ? AND wave = ? "
        f"AND ingest_id IN ({ACTIVE_INGESTS})",
        [instrument, wave],
    ).fetchall()
    return {str(r[0]) for r in rows}


def latest_export(con: duckdb.DuckDBPyConnection, instrument: str, wave: str) -> str | None:
    """The file name of the wave's active survey export; of a wave of several parts, the active
    export of each part, oldest load first, joined by ``, `` (``None``: nothing loaded yet)."""
    rows = con.execute(
        "SELECT file_name FROM ingests WHERE superseded_by IS NULL AND kind = 'survey' "
        "AND instrument = ? AND wave = ? ORDER BY ingest_id",
        [instrument, wave],
    ).fetchall()
    return ", ".join(str(r[0]) for r in rows) or None


def ledger(
    con: duckdb.DuckDBPyConnection, instrument: str, wave: str, message: str | None = None
) -> dict[tuple[str, str], str]:
    """``(pseudonym, message) → status`` for the wave (one message, or all)."""
    sql = "SELECT respondent_id, message, status FROM sends WHERE instrument = ? AND wave = ?"
    params: list[object] = [instrument, wave]
    if message is not None:
        sql += " AND message = ?"
        params.append(message)
    return {(str(r[0]), str(r[1])): str(r[2]) for r in con.execute(sql, params).fetchall()}


def ledger_counts(
    con: duckdb.DuckDBPyConnection, instrument: str, wave: str
) -> dict[tuple[str, str], int]:
    """``(message, status) → count`` for the wave."""
    rows = con.execute(
        "SELECT message, status, count(*) FROM sends WHERE instrument = ? AND wave = ? "
        "GROUP BY ALL ORDER BY ALL",
        [instrument, wave],
    ).fetchall()
    return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}


def record_attempt(
    con: duckdb.DuckDBPyConnection,
    instrument: str,
    wave: str,
    respondent_id: str,
    message: str,
    *,
    channel: str,
    status: str = "attempt",
) -> None:
    """Write (and commit) the ledger row before anything is sent; a ``failed`` row is reused."""
    now = _now()
    con.execute(
        "INSERT INTO sends (instrument, wave, respondent_id, message, channel, status, "
        "attempted_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (instrument, wave, respondent_id, message) DO UPDATE SET "
        "channel = excluded.channel, status = excluded.status, detail = NULL, "
        "attempted_at = excluded.attempted_at, finished_at = excluded.finished_at",
        [
            instrument,
            wave,
            respondent_id,
            message,
            channel,
            status,
            now,
            None if status == "attempt" else now,
        ],
    )


def record_outcome(
    con: duckdb.DuckDBPyConnection,
    instrument: str,
    wave: str,
    respondent_id: str,
    message: str,
    *,
    status: str,
    detail: str | None = None,
) -> None:
    """The outcome of an attempt (``sent``, ``refused``, ``failed``); ``detail`` is the server's
    reply code and text, never the address."""
    con.execute(
        "UPDATE sends SET status = ?, detail = ?, finished_at = ? WHERE instrument = ? "
        "AND wave = ? AND respondent_id = ? AND message = ?",
        [status, detail, _now(), instrument, wave, respondent_id, message],
    )


def roster_invited(con: duckdb.DuckDBPyConnection, instrument: str) -> pd.DataFrame:
    """Invited counts from the rosters of an instrument's waves, as
    :func:`analysis.response_rates.response_rates` takes them: ``wave, organisation,
    staff_group, invited``, with ``all`` rows for the totals (a person on two rosters of one wave
    counts once). Waves without a roster have no rows. Rosters as the store stood at a report's
    ``--as-of`` moment (:func:`store.reads.active_ingests`)."""
    import pandas as pd  # only when asked: the store opens before any pandas

    rows = con.execute(
        f"WITH people AS (SELECT wave, organisation, staff_group FROM ("
        f"  SELECT *, row_number() OVER (PARTITION BY wave, respondent_id "
        f"    ORDER BY ingest_id, source_row) AS n FROM roster "
        f"  WHERE instrument = ? AND ingest_id IN ({active_ingests()})) WHERE n = 1) "
        f"SELECT wave, coalesce(organisation, 'all'), coalesce(staff_group, 'all'), count(*) "
        f"FROM people GROUP BY GROUPING SETS ((wave), (wave, organisation), (wave, staff_group), "
        f"(wave, organisation, staff_group)) ORDER BY ALL",
        [instrument],
    ).fetchall()
    return pd.DataFrame(rows, columns=["wave", "organisation", "staff_group", "invited"])
