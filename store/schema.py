"""Every table of the project's store, in one place, with one schema version.

Tables
------
meta              key/value: schema version, the fingerprint of the pseudonymisation key
ingests           one row per loaded file of any kind: sha256, name, kind, instrument, wave, profile,
                  row accounting, ``superseded_by`` (the ingest that replaced it), ``part`` (the
                  part of a wave assembled from several exports; ``NULL``: the wave's one export)
quarantine        one row per quarantined row × rule of any kind, with the file's row number

survey            ``respondents`` (one row per loaded respondent × wave: pseudonym, submission time,
                  organisation, unit, group), ``responses`` (respondent × item: status answered /
                  not_applicable / declared_missing (the export profile's "Vet ej", 99, SPSS
                  user-missing) / missing, value, not-applicable key), ``free_text`` (screened)
indicators        ``indicator_values`` (one row per loaded value; ``disaggregation`` is ``""`` for the
                  total, else ``name=value`` pairs joined by ``;`` in the registry's order) and
                  ``outcome_values`` (one row per loaded count of persons in a ``category``)
codings           ``coding_documents`` (one row per loaded document × ingest: pseudonymous
                  ``document_id``, ``stakeholder_group``, ``round_id``) and ``codings`` (one row per
                  loaded coding: document, segment (document + hash of the redacted text), speaker,
                  coder, codebook code (NULL when unmapped), construct, the tool's code path
                  (redacted), group, round, positions, the redacted segment text)
roster            ``roster`` (one row per person × loaded roster file of a wave: pseudonym,
                  organisation, unit, staff group, language; never the address, which stays in the
                  landed raw file) and ``sends`` (the send ledger: one row per wave × pseudonym ×
                  message with its channel, status and times; see :mod:`store.outreach`)

Rows of a superseded ingest stay (history is visible); reads use the active ingests only
(:data:`ACTIVE_INGESTS`). Every statement is ``CREATE TABLE IF NOT EXISTS``: a store written by an
earlier version gains the tables it lacks the next time it is opened for writing, and the columns
added since (:data:`MIGRATIONS`, each idempotent).
"""

from __future__ import annotations

SCHEMA_VERSION = "2"

DDL = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id INTEGER PRIMARY KEY, sha256 VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, instrument VARCHAR, wave VARCHAR, profile VARCHAR,
    rows_read INTEGER NOT NULL, rows_loaded INTEGER NOT NULL, rows_quarantined INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL, superseded_by INTEGER, part VARCHAR);
CREATE TABLE IF NOT EXISTS quarantine (
    ingest_id INTEGER NOT NULL, instrument VARCHAR, wave VARCHAR, file_name VARCHAR NOT NULL,
    source_row INTEGER NOT NULL, column_name VARCHAR, rule VARCHAR NOT NULL, detail VARCHAR);
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
CREATE TABLE IF NOT EXISTS indicator_values (
    ingest_id INTEGER NOT NULL, indicator VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL, period_start DATE NOT NULL, disaggregation VARCHAR NOT NULL,
    value DOUBLE NOT NULL, denominator DOUBLE, source_row INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outcome_values (
    ingest_id INTEGER NOT NULL, outcome VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL, period_start DATE NOT NULL, category VARCHAR NOT NULL,
    disaggregation VARCHAR NOT NULL, value DOUBLE NOT NULL, source_row INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS coding_documents (
    ingest_id INTEGER NOT NULL, document_id VARCHAR NOT NULL, stakeholder_group VARCHAR,
    round_id VARCHAR);
CREATE TABLE IF NOT EXISTS codings (
    ingest_id INTEGER NOT NULL, source_row INTEGER NOT NULL, document_id VARCHAR NOT NULL,
    segment_id VARCHAR NOT NULL, speaker_id VARCHAR NOT NULL, coder VARCHAR NOT NULL,
    code VARCHAR, construct VARCHAR, mapped BOOLEAN NOT NULL, code_path VARCHAR,
    stakeholder_group VARCHAR, round_id VARCHAR, start_pos DOUBLE, end_pos DOUBLE,
    position_unit VARCHAR, segment_text VARCHAR);
CREATE TABLE IF NOT EXISTS roster (
    ingest_id INTEGER NOT NULL, instrument VARCHAR NOT NULL, wave VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL, source_row INTEGER NOT NULL, organisation VARCHAR NOT NULL,
    unit VARCHAR, staff_group VARCHAR NOT NULL, language VARCHAR);
CREATE TABLE IF NOT EXISTS sends (
    instrument VARCHAR NOT NULL, wave VARCHAR NOT NULL, respondent_id VARCHAR NOT NULL,
    message VARCHAR NOT NULL, channel VARCHAR NOT NULL, status VARCHAR NOT NULL, detail VARCHAR,
    attempted_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
    PRIMARY KEY (instrument, wave, respondent_id, message));
"""

#: Columns added after version 1, run after :data:`DDL` on every write open (version 2: the part of
#: a wave an export holds).
MIGRATIONS = """
ALTER TABLE ingests ADD COLUMN IF NOT EXISTS part VARCHAR;
"""

#: The ingests whose rows are read: those no later ingest replaced.
ACTIVE_INGESTS = "SELECT ingest_id FROM ingests WHERE superseded_by IS NULL"

#: The columns of ``ingests`` in the order of the table (inserts name them, never rely on order).
INGEST_COLUMNS = (
    "ingest_id",
    "sha256",
    "file_name",
    "kind",
    "instrument",
    "wave",
    "profile",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "loaded_at",
    "superseded_by",
    "part",
)

#: The loaded columns of ``codings`` (without ``ingest_id``), as the codings ingest maps them.
CODING_COLUMNS = (
    "source_row",
    "document_id",
    "segment_id",
    "speaker_id",
    "coder",
    "code",
    "construct",
    "mapped",
    "code_path",
    "stakeholder_group",
    "round_id",
    "start_pos",
    "end_pos",
    "position_unit",
    "segment_text",
)
