"""Reads of the active data, one function per kind (superseded ingests left out).

Each function takes an open connection (``store.warehouse.open_warehouse(path, read_only=True)``)
and returns plain DataFrames with fixed columns, empty (with those columns) when nothing of the kind
is loaded. pandas is imported inside the functions: ``impleval run`` opens the store for its
up-to-date check before anything needs pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from store import parts
from store.schema import ACTIVE_INGESTS, CODING_COLUMNS

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from instruments.spec import InstrumentSpec

INDICATOR_VALUE_COLUMNS = (
    "indicator",
    "unit",
    "period",
    "period_start",
    "disaggregation",
    "value",
    "denominator",
)
OUTCOME_VALUE_COLUMNS = (
    "outcome",
    "unit",
    "period",
    "period_start",
    "category",
    "disaggregation",
    "value",
)
CODING_DOCUMENT_COLUMNS = ("document_id", "stakeholder_group", "round_id")


_AS_OF: ContextVar[dt.datetime | None] = ContextVar("store_as_of", default=None)


@contextmanager
def store_as_of(moment: dt.datetime | None) -> Iterator[None]:
    """Within the block, every read sees the store as it stood at ``moment``: the ingests loaded
    by then, each active unless an ingest loaded by then replaced it (``None``: as it is now).
    An interim report re-created later reads what it read the first time, whatever was loaded or
    replaced since."""
    token = _AS_OF.set(moment)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def read_as_of() -> dt.datetime | None:
    """The moment :func:`store_as_of` reads the store at (``None``: as it is now)."""
    return _AS_OF.get()


def active_ingests() -> str:
    """The SQL that selects the ids of the active ingests (as of :func:`store_as_of`'s moment).

    >>> active_ingests() == ACTIVE_INGESTS
    True
    """
    moment = _AS_OF.get()
    if moment is None:
        return ACTIVE_INGESTS
    at = f"TIMESTAMP '{moment.replace(tzinfo=None).isoformat(sep=' ')}'"
    return (
        f"SELECT i.ingest_id FROM ingests i WHERE i.loaded_at <= {at} AND (i.superseded_by IS "
        f"NULL OR (SELECT s.loaded_at FROM ingests s WHERE s.ingest_id = i.superseded_by) > {at})"
    )


def _active(kind: str) -> str:
    return (
        f"SELECT ingest_id FROM ingests WHERE ingest_id IN ({active_ingests()}) AND kind = '{kind}'"
    )


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """A store written before every table was declared in one place may lack a kind's tables."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()
    return bool(row and row[0])


def _empty(columns: tuple[str, ...], dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    import pandas as pd

    dtypes = dtypes or {}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in columns})


# -- surveys ---------------------------------------------------------------------------------------
def read_survey(
    con: duckdb.DuckDBPyConnection, instrument: str, *, wave: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The active answers of one instrument (with ``wave``: of that wave only) as
    (respondents, long responses): one respondent per wave, whichever parts of the wave are loaded
    (see :mod:`store.parts`)."""
    where = f"instrument = ? AND ingest_id IN ({active_ingests()})"
    if parts.has_parts(con):
        where += (
            f" AND (ingest_id, respondent_id) NOT IN (SELECT ingest_id, respondent_id FROM "
            f"({parts.duplicates_sql(active_ingests())}))"
        )
    params: list[object] = [instrument]
    if wave is not None:
        where += " AND wave = ?"
        params.append(wave)
    respondents = con.execute(
        f"SELECT instrument, wave, respondent_id, submitted_at, organisation, unit, staff_group "
        f"FROM respondents WHERE {where} ORDER BY wave, respondent_id",
        params,
    ).df()
    long = con.execute(
        f"SELECT wave, respondent_id, item, status, value, not_applicable FROM responses "
        f"WHERE {where} ORDER BY wave, respondent_id, item",
        params,
    ).df()
    return respondents, long


def read_survey_frames(
    con: duckdb.DuckDBPyConnection, spec: InstrumentSpec, *, wave: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis frames of one instrument (with ``wave``: of that wave only).

    Returns
    -------
    wide
        One row per respondent × wave: ``respondent_id, wave, organisation, unit, staff_group,
        submitted_at`` and one float column per item (``spec.column(item)``), NaN when not scored.
    long
        One row per respondent × wave × item: ``respondent_id, wave, item, status, value,
        not_applicable``.
    """
    respondents, long = read_survey(con, spec.id, wave=wave)
    keys = ["respondent_id", "wave", "organisation", "unit", "staff_group", "submitted_at"]
    values = long.pivot(index=["wave", "respondent_id"], columns="item", values="value")
    values = values.reindex(columns=[i.id for i in spec.items]).astype("float64")
    values.columns = [spec.column(c) for c in values.columns]
    wide = respondents[keys].merge(values.reset_index(), on=["wave", "respondent_id"], how="left")
    for col in ("respondent_id", "wave", "organisation", "unit", "staff_group"):
        wide[col] = wide[col].astype(object).where(wide[col].notna(), None)
    return wide.reset_index(drop=True), long


def survey_waves(con: duckdb.DuckDBPyConnection, instrument: str) -> list[str]:
    """The waves of one instrument with active answers, sorted as a sorted ``groupby`` would."""
    rows = con.execute(
        f"SELECT DISTINCT wave FROM respondents WHERE instrument = ? AND ingest_id IN "
        f"({active_ingests()}) ORDER BY wave",
        [instrument],
    ).fetchall()
    return [wave for (wave,) in rows]


def survey_wave_sizes(con: duckdb.DuckDBPyConnection, instrument: str) -> dict[str, int]:
    """Active respondents per wave of one instrument (every part of a wave counted): how large
    each wave's units are, to run the largest first."""
    rows = con.execute(
        f"SELECT wave, count(*) FROM respondents WHERE instrument = ? AND ingest_id IN "
        f"({active_ingests()}) GROUP BY wave",
        [instrument],
    ).fetchall()
    return {str(wave): int(n) for wave, n in rows}


# -- indicators and participant outcomes -----------------------------------------------------------
_INDICATOR_DTYPES = {"period_start": "datetime64[ns]", "value": "float64", "denominator": "float64"}
_OUTCOME_DTYPES = {"period_start": "datetime64[ns]", "value": "float64"}


def _read_active(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[str, ...],
    *,
    kind: str,
    order: str,
    dtypes: dict[str, str] | None = None,
    distinct: bool = False,
) -> pd.DataFrame:
    """``columns`` of ``table`` from the active ingests of ``kind``, in ``order``; empty with the
    columns when the table does not exist yet (a store written by an earlier version)."""
    if not _has_table(con, table):
        return _empty(columns, dtypes)
    frame = con.execute(
        f"SELECT {'DISTINCT ' if distinct else ''}{', '.join(columns)} FROM {table} WHERE ingest_id IN "
        f"({_active(kind)}) ORDER BY {order}"
    ).df()
    if "period_start" in frame.columns:
        import pandas as pd

        frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def read_indicator_values(
    con: duckdb.DuckDBPyConnection, *, series: Sequence[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """The active indicator values (:data:`INDICATOR_VALUE_COLUMNS`), in series order; with
    ``series`` only the totals (``disaggregation = ''``) of those (indicator, unit) series."""
    order = "indicator, unit, disaggregation, period_start"
    columns, dtypes = INDICATOR_VALUE_COLUMNS, _INDICATOR_DTYPES
    if series is None:
        return _read_active(
            con, "indicator_values", columns, kind="indicators", order=order, dtypes=dtypes
        )
    if not series or not _has_table(con, "indicator_values"):
        return _empty(columns, dtypes)
    wanted = " OR ".join(["(indicator = ? AND unit = ?)"] * len(series))
    frame = con.execute(
        f"SELECT {', '.join(columns)} FROM indicator_values WHERE ingest_id IN "
        f"({_active('indicators')}) AND disaggregation = '' AND ({wanted}) ORDER BY {order}",
        [part for pair in series for part in pair],
    ).df()
    import pandas as pd

    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return frame


def indicator_series(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (indicator, unit) with active totals, sorted."""
    if not _has_table(con, "indicator_values"):
        return []
    rows = con.execute(
        f"SELECT DISTINCT indicator, unit FROM indicator_values WHERE ingest_id IN "
        f"({_active('indicators')}) AND disaggregation = '' ORDER BY indicator, unit"
    ).fetchall()
    return [(str(i), str(u)) for i, u in rows]


def read_outcome_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The active counts of persons per outcome category (:data:`OUTCOME_VALUE_COLUMNS`)."""
    order = "outcome, unit, disaggregation, period_start, category"
    columns, dtypes = OUTCOME_VALUE_COLUMNS, _OUTCOME_DTYPES
    return _read_active(
        con, "outcome_values", columns, kind="indicators", order=order, dtypes=dtypes
    )


def empty_indicator_values() -> pd.DataFrame:
    """An empty frame with the columns and dtypes of :func:`read_indicator_values`."""
    return _empty(INDICATOR_VALUE_COLUMNS, _INDICATOR_DTYPES)


def empty_outcome_values() -> pd.DataFrame:
    """An empty frame with the columns and dtypes of :func:`read_outcome_values`."""
    return _empty(OUTCOME_VALUE_COLUMNS, _OUTCOME_DTYPES)


# -- interview codings -----------------------------------------------------------------------------
def read_codings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The active codings (:data:`store.schema.CODING_COLUMNS`), one row per coding."""
    order = "document_id, segment_id, coder, code_path"
    return _read_active(con, "codings", CODING_COLUMNS, kind="codings", order=order)


def read_coding_documents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The active coded documents (:data:`CODING_DOCUMENT_COLUMNS`), one row per document."""
    columns = CODING_DOCUMENT_COLUMNS
    return _read_active(
        con, "coding_documents", columns, kind="codings", order="document_id", distinct=True
    )


def read_active_codings(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(read_codings(con), read_coding_documents(con))``."""
    return read_codings(con), read_coding_documents(con)


# -- what was loaded and what was set aside --------------------------------------------------------
def ingest_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per active ingest: kind, instrument, wave, file, sha256, the row accounting,
    loaded_at (rows set aside as answered in another part of the wave count as quarantined)."""
    aside = "SELECT NULL::INTEGER AS ingest_id, 0 AS n WHERE false"
    if parts.has_parts(con):
        aside = (
            f"SELECT ingest_id, count(*) AS n FROM ({parts.duplicates_sql(active_ingests())}) "
            f"GROUP BY ingest_id"
        )
    return con.execute(
        f"SELECT kind, instrument, wave, file_name AS file, sha256, rows_read, "
        f"rows_loaded - coalesce(a.n, 0) AS rows_loaded, "
        f"rows_quarantined + coalesce(a.n, 0) AS rows_quarantined, loaded_at "
        f"FROM ingests i LEFT JOIN ({aside}) a USING (ingest_id) "
        f"WHERE ingest_id IN ({active_ingests()}) ORDER BY kind, instrument, wave, ingest_id"
    ).df()


def quarantine_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every quarantined row × rule of the active ingests (file, row, column, rule, detail)."""
    return con.execute(
        f"SELECT instrument, wave, file_name AS file, source_row AS row, column_name AS column, "
        f"rule, detail FROM ({_quarantine_and_set_aside(con)}) "
        f"ORDER BY instrument, wave, ingest_id, source_row, rule"
    ).df()


def _quarantine_and_set_aside(con: duckdb.DuckDBPyConnection) -> str:
    """The quarantine rows of the active ingests, and the rows of a wave's parts set aside as
    answered in another part (:mod:`store.parts`), in the columns of ``quarantine``."""
    sql = (
        f"SELECT ingest_id, instrument, wave, file_name, source_row, column_name, rule, detail "
        f"FROM quarantine WHERE ingest_id IN ({active_ingests()})"
    )
    if not parts.has_parts(con):
        return sql
    return (
        f"{sql} UNION ALL SELECT ingest_id, instrument, wave, file_name, source_row, "
        f"'respondent_id', '{parts.RULE}', 'answered also in ' || CASE WHEN kept_part IS NULL "
        f"THEN 'the export without --part' ELSE 'part ' || kept_part END || ' (' || kept_file "
        f"|| '), submitted earlier' FROM ({parts.duplicates_sql(active_ingests())})"
    )


def quarantine_reason_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined rows of the active ingests per instrument × wave × rule: ``n`` rows, each row of
    each file counted once (indicator and codings files share instrument and wave ``NULL``)."""
    return con.execute(
        f"SELECT instrument, wave, rule, count(DISTINCT (ingest_id, source_row)) AS n "
        f"FROM ({_quarantine_and_set_aside(con)}) GROUP BY ALL ORDER BY ALL"
    ).df()


def store_pseudonyms(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every pseudonym the store holds (respondents; documents, speakers and segments of codings),
    with the parts of composite ids (``document:segment``) — for the check that a release's
    re-keyed pseudonyms never equal the store's."""
    queries = ["SELECT DISTINCT respondent_id FROM respondents"]
    if _has_table(con, "codings"):
        queries += [f"SELECT DISTINCT {c} FROM codings" for c in ("document_id", "speaker_id")]
        queries.append("SELECT DISTINCT segment_id FROM codings")
    found: set[str] = set()
    for query in queries:
        for (value,) in con.execute(query).fetchall():
            found.add(str(value))
            found.update(str(value).split(":"))
    return found
