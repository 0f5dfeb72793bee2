"""One codings export, from file to store: land → read → map → redact/pseudonymise → validate → load.

Mirrors :mod:`ingest.pipeline` (the survey ingest): under the project lock the file is landed in
``.impleval/raw``; the coded segments are read (:mod:`ingest.qda`), each tool code is mapped to
the codebook (unmapped codes are kept, flagged, and listed in the report), documents and speakers
get keyed pseudonyms, segment text is redacted (:mod:`privacy.redact`) — all before anything is
validated or stored. A suite generated from ``interviews:`` in project.yaml runs through
great-expectations; failing rows are quarantined with a rule; everything is loaded in one
transaction.

Tables (created here, ``CREATE TABLE IF NOT EXISTS``)
-----------------------------------------------------
coding_documents  one row per loaded document × ingest: pseudonymous ``document_id``,
                  ``stakeholder_group``, ``round_id``
codings           one row per loaded coding: ``document_id``, ``segment_id`` (document + hash of
                  the redacted text), ``speaker_id``, ``coder`` (the configured id), ``code``
                  (codebook id; NULL when unmapped), ``construct``, ``mapped``, ``code_path`` (the
                  tool's code, redacted), group, round, positions, ``segment_text`` (redacted)

"The same material": an ingest whose documents overlap those of an active codings ingest needs
``replace=True``, which supersedes that ingest (its rows stay, marked in ``ingests``). Files with
other documents add to what is loaded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from ingest.accounting import accounting_lines
from ingest.landing import land_file
from ingest.qda import CodedSegments, read_codings
from privacy.keys import ProjectKey, key_for_project, pseudonymise
from privacy.redact import Redactor, read_roster
from project.codebook import Codebook, build_codebook, code_mapper
from project.config import Project, load_project
from project.errors import ConfigError, ResponseDataError
from project.interviews import InterviewsConfig
from project.labels import normalise_label
from project.layout import ProjectPaths
from project.provenance import file_sha256
from store import warehouse
from store.lock import project_lock
from validation.quarantine import Verdict, judge
from validation.suites import Expectation

KIND = "codings"

SCHEMA = """
CREATE TABLE IF NOT EXISTS coding_documents (
    ingest_id INTEGER NOT NULL, document_id VARCHAR NOT NULL, stakeholder_group VARCHAR,
    round_id VARCHAR);
CREATE TABLE IF NOT EXISTS codings (
    ingest_id INTEGER NOT NULL, source_row INTEGER NOT NULL, document_id VARCHAR NOT NULL,
    segment_id VARCHAR NOT NULL, speaker_id VARCHAR NOT NULL, coder VARCHAR NOT NULL,
    code VARCHAR, construct VARCHAR, mapped BOOLEAN NOT NULL, code_path VARCHAR,
    stakeholder_group VARCHAR, round_id VARCHAR, start_pos DOUBLE, end_pos DOUBLE,
    position_unit VARCHAR, segment_text VARCHAR);
"""

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


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


@dataclass(frozen=True)
class CodingIngestReport:
    """What one codings ingest did, for the CLI and the flow (no segment text, no names)."""

    file_name: str
    sha256: str
    status: str  # loaded | already_loaded | dry_run
    tool: str = ""
    profile: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    unmapped_codes: dict[str, int] = field(default_factory=dict)
    n_documents: int = 0
    n_codings: int = 0
    redactions: dict[str, int] = field(default_factory=dict)
    superseded: tuple[str, ...] = ()
    key_created: bool = False
    already_landed: bool = False

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = accounting_lines(self, target=f"codings ({self.tool})", what="codings")
        if self.status == "already_loaded":
            return out
        out.insert(1, f"  {self.n_codings} codings in {self.n_documents} documents")
        if self.unmapped_codes:
            total = sum(self.unmapped_codes.values())
            out.append(
                f"  {len(self.unmapped_codes)} tool code(s) not in the codebook ({total} "
                f"codings kept, flagged unmapped); map them under interviews.code_map:"
            )
            for path, n in sorted(self.unmapped_codes.items()):
                out.append(f"    {path} ({n})")
        if self.redactions:
            listed = ", ".join(f"{n} {kind}" for kind, n in sorted(self.redactions.items()))
            out.append(f"  redacted in segment text: {listed}")
        for name in self.superseded:
            out.append(f"  replaces the earlier load of {name} (kept in history)")
        if self.key_created:
            out.append(
                "  a new pseudonymisation key was created for this project; back it up "
                "(see docs/privacy.md)"
            )
        return out


# -- mapping -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MappedCodings:
    frame: pd.DataFrame  # CODING_COLUMNS, pseudonymised and redacted
    problems: list[dict]
    unmapped: dict[str, int]
    redactions: dict[str, int]


def _segment_hash(text: str | None) -> str:
    norm = " ".join(str(text or "").split()).casefold()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:12]


def _names(cfg: InterviewsConfig, root: Path) -> list[str]:
    names = list(cfg.redact_names)
    if cfg.roster:
        names += read_roster(root / cfg.roster)
    return names


def map_codings(
    segments: CodedSegments,
    *,
    config: InterviewsConfig,
    codebook: Codebook,
    key: ProjectKey,
    names: list[str],
    position_unit: str,
) -> MappedCodings:
    """Map codes, groups, rounds and coders; pseudonymise documents/speakers; redact text.

    Problems (by source row, with a quarantine rule) are collected, never raised.
    """
    raw = segments.frame
    mapper = code_mapper(codebook, config)
    redactor = Redactor(tuple(names))
    coders = {s: c.id for c in config.coders for s in c.spellings()}
    groups = {s: g.id for g in config.stakeholder_groups for s in g.spellings()}
    rounds = {s: r.id for r in config.rounds for s in r.spellings()}
    rules = [
        (re.compile(r.match, re.IGNORECASE), r.field, r.stakeholder_group, r.round)
        for r in config.documents
    ]
    problems = list(segments.problems)
    unmapped: Counter[str] = Counter()
    rows = []
    for rec in raw.itertuples(index=False):
        row = int(rec.source_row)
        doc = rec.document
        group = round_id = None
        for pattern, fld, g, r in rules:
            value = doc if fld == "document" else rec.document_group
            if value and pattern.search(str(value)):
                group, round_id = g, r
                break
        if rec.document_group and normalise_label(rec.document_group) in groups:
            group = groups[normalise_label(rec.document_group)]
        if rec.round_value:
            found = rounds.get(normalise_label(rec.round_value))
            if found:
                round_id = found
            else:
                problems.append(
                    {
                        "source_row": row,
                        "column": "round",
                        "rule": "unknown_round",
                        "detail": "the round is not declared under interviews.rounds",
                    }
                )
        coder = coders.get(normalise_label(rec.coder)) if rec.coder else None
        path = redactor.redact(rec.code_path) if rec.code_path else None
        code = mapper(rec.code_path) if rec.code_path else None
        if rec.code_path and code is None:
            unmapped[str(path)] += 1
        construct = codebook.get(code).construct if code else None
        document_id = pseudonymise(f"codings-document:{doc}", key) if doc else None
        speaker_id = (
            pseudonymise(f"codings-speaker:{doc}|{rec.speaker}", key)
            if doc and rec.speaker
            else document_id
        )
        text = redactor.redact(rec.text)
        start, end = rec.start, rec.end
        if pd.notna(start) and pd.notna(end) and end < start:
            problems.append(
                {
                    "source_row": row,
                    "column": "end",
                    "rule": "bad_position",
                    "detail": "the segment ends before it starts",
                }
            )
        rows.append(
            {
                "source_row": row,
                "document_id": document_id,
                "segment_id": f"{document_id}:{_segment_hash(text)}" if document_id else None,
                "speaker_id": speaker_id,
                "coder": coder,
                "code": code,
                "construct": construct,
                "mapped": code is not None,
                "code_path": path,
                "stakeholder_group": group,
                "round_id": round_id,
                "start_pos": start,
                "end_pos": end,
                "position_unit": position_unit,
                "segment_text": text,
            }
        )
    frame = pd.DataFrame(rows, columns=list(CODING_COLUMNS))
    frame["start_pos"] = frame["start_pos"].astype("float64")
    frame["end_pos"] = frame["end_pos"].astype("float64")
    dup = (
        frame.duplicated(
            ["document_id", "coder", "code_path", "segment_id", "start_pos", "end_pos"]
        )
        & frame["document_id"].notna()
    )
    for row in frame.loc[dup, "source_row"]:
        problems.append(
            {
                "source_row": int(row),
                "column": "code",
                "rule": "duplicate_coding",
                "detail": "the same coder applied the same code to the same segment twice",
            }
        )
    return MappedCodings(frame, problems, dict(unmapped), dict(redactor.counts))


def coding_expectations(config: InterviewsConfig) -> list[Expectation]:
    """The suite a canonical codings frame must meet, generated from ``interviews:``."""

    def not_null(column: str, rule: str, hint: str) -> Expectation:
        return Expectation(
            "ExpectColumnValuesToNotBeNull",
            {"column": column},
            {"rule": rule, "field": column, "hint": hint},
        )

    return [
        not_null("document_id", "missing_document", "every coded segment needs its document"),
        not_null("segment_text", "missing_segment_text", "the coded segment's text is empty"),
        not_null("code_path", "missing_code", "the coding names no code"),
        not_null("coder", "unknown_coder", "the coder is not declared under interviews.coders"),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "coder", "value_set": [c.id for c in config.coders]},
            {
                "rule": "unknown_coder",
                "field": "coder",
                "hint": "the coder is not declared under interviews.coders",
            },
        ),
        not_null(
            "stakeholder_group",
            "unassigned_document",
            "no rule under interviews.documents gives the document a stakeholder group",
        ),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "stakeholder_group", "value_set": [g.id for g in config.stakeholder_groups]},
            {
                "rule": "unknown_stakeholder_group",
                "field": "stakeholder_group",
                "hint": "the stakeholder group is not declared under interviews.stakeholder_groups",
            },
        ),
        not_null(
            "round_id",
            "unassigned_document",
            "no rule under interviews.documents gives the document a round",
        ),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "round_id", "value_set": [r.id for r in config.rounds]},
            {
                "rule": "unknown_round",
                "field": "round_id",
                "hint": "the round is not declared under interviews.rounds",
            },
        ),
        Expectation(
            "ExpectColumnValuesToBeBetween",
            {"column": "start_pos", "min_value": 0},
            {"rule": "bad_position", "field": "start_pos", "hint": "a negative start position"},
        ),
        Expectation(
            "ExpectColumnValuesToBeBetween",
            {"column": "end_pos", "min_value": 0},
            {"rule": "bad_position", "field": "end_pos", "hint": "a negative end position"},
        ),
    ]


def validate_codings(mapped: MappedCodings, config: InterviewsConfig) -> Verdict:
    """Run the generated suite and combine it with the mapping problems."""
    from validation.gx import run_suite

    frame = mapped.frame.drop(columns=["segment_text"]).assign(
        segment_text=mapped.frame["segment_text"].notna().map({True: "x", False: None})
    )  # the suite only needs to know whether there is text
    failures = run_suite(frame, coding_expectations(config), name="codings")
    return judge(mapped.frame["source_row"], mapped.problems, failures)


# -- the ingest ----------------------------------------------------------------------------------
def interviews_config(project: Project) -> InterviewsConfig:
    cfg = getattr(project, "interviews", None)
    if cfg is None:
        raise ConfigError(
            "project.yaml: no interviews: section, so codings cannot be ingested. Hint: declare "
            "stakeholder_groups, rounds, documents and coders under interviews: (see "
            "docs/interviews.md)."
        )
    return cfg


def ingest_codings(
    project_dir: Path,
    file: Path,
    *,
    profile: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
) -> CodingIngestReport:
    """Ingest one codings export (``.qdpx``, or a CSV/XLSX coded-segment export).

    Parameters
    ----------
    project_dir
        The project folder.
    file
        The export.
    profile
        For CSV/XLSX: ``maxqda``, ``nvivo`` or ``atlasti``; ``None`` detects the layout.
    replace
        Supersede the active codings ingest(s) holding any of this file's documents.
    dry_run
        Read, map and validate, but land and load nothing.

    Raises
    ------
    PipelineError
        For anything the user can fix; nothing is loaded then.
    """
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    cfg = interviews_config(project)
    file = Path(file)
    if not file.is_file():
        raise ResponseDataError(f"{file}: no such file. Hint: check the path and file name.")
    names = _names(cfg, paths.root)
    process = partial(_process, project, cfg, file, paths, names, profile=profile, replace=replace)
    if dry_run:  # under the lock too: a diagnosis waits for a running ingest instead of failing
        with project_lock(paths.lock):
            return process(dry_run=True, digest=file_sha256(file))
    with project_lock(paths.lock):
        landed = land_file(file, paths, kind=KIND)
        report = process(dry_run=False, digest=landed.sha256, raw=landed.raw_path)
    return dataclasses.replace(report, already_landed=landed.already_landed)


def _active_same_file(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM ingests WHERE kind = ? AND sha256 = ? AND superseded_by IS NULL",
        [KIND, digest],
    ).fetchall()
    return bool(rows and rows[0][0])


def _overlapping(con: duckdb.DuckDBPyConnection, documents: list[str]) -> list[tuple[int, str]]:
    if not documents:
        return []
    rows = con.execute(
        "SELECT DISTINCT i.ingest_id, i.file_name FROM ingests i JOIN coding_documents d "
        "ON d.ingest_id = i.ingest_id WHERE i.kind = ? AND i.superseded_by IS NULL "
        "AND d.document_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY i.ingest_id",
        [KIND, documents],
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def _process(
    project: Project,
    cfg: InterviewsConfig,
    file: Path,
    paths: ProjectPaths,
    names: list[str],
    *,
    profile: str | None,
    dry_run: bool,
    replace: bool,
    digest: str,
    raw: Path | None = None,
) -> CodingIngestReport:
    with warehouse.open_for_ingest(paths.warehouse, dry_run=dry_run) as con:
        ensure_tables(con)
        if _active_same_file(con, digest):
            return CodingIngestReport(file.name, digest, "already_loaded")
        stored = warehouse.get_meta(con, "key_fingerprint")
        key, created = key_for_project(
            project.id,
            project_has_data=warehouse.has_data(con),
            stored_fingerprint=stored,
            dry_run=dry_run,
        )
        segments = read_codings(raw or file, profile=profile, display_name=file.name)
        from ingest.qda import load_coding_profile

        unit = (
            "character"
            if segments.profile == "qdpx"
            else load_coding_profile(segments.profile).position_unit
        )
        codebook = build_codebook(cfg)
        mapped = map_codings(
            segments, config=cfg, codebook=codebook, key=key, names=names, position_unit=unit
        )
        verdict = validate_codings(mapped, cfg)
        loaded = verdict.is_loaded(mapped.frame["source_row"])
        n_read = segments.rows
        n_quarantined = len(verdict.quarantined_rows)
        n_loaded = int(mapped.frame.loc[loaded, "source_row"].nunique())
        if n_read != n_loaded + n_quarantined:
            raise RuntimeError(
                f"row accounting broken for {file.name}: {n_read} read, {n_loaded} loaded, "
                f"{n_quarantined} quarantined"
            )
        rows = mapped.frame[loaded]
        documents = sorted(rows["document_id"].dropna().unique().tolist())
        overlap = _overlapping(con, documents)
        if overlap and not replace and not dry_run:
            listed = ", ".join(name for _, name in overlap)
            raise ConfigError(
                f"{file.name}: codings of some of these documents are already loaded from "
                f"{listed}. Hint: to load this file instead, run again with --replace (the earlier "
                f"load stays in history)."
            )
        reasons = (
            verdict.reasons.drop_duplicates(["source_row", "rule"])["rule"].value_counts().to_dict()
        )
        report = CodingIngestReport(
            file_name=file.name,
            sha256=digest,
            status="dry_run" if dry_run else "loaded",
            tool=segments.tool,
            profile=segments.profile,
            rows_read=n_read,
            rows_loaded=n_loaded,
            rows_quarantined=n_quarantined,
            reasons={str(k): int(v) for k, v in reasons.items()},
            unmapped_codes=_unmapped(rows),
            n_documents=len(documents),
            n_codings=len(rows),
            redactions=mapped.redactions,
            superseded=tuple(name for _, name in overlap),
            key_created=created,
        )
        if dry_run:
            return report
        with warehouse.transaction(con):
            ingest_id = warehouse.next_ingest_id(con)
            for old, _ in overlap:
                con.execute(
                    "UPDATE ingests SET superseded_by = ? WHERE ingest_id = ?", [ingest_id, old]
                )
            con.execute(
                "INSERT INTO ingests VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, NULL)",
                [
                    ingest_id,
                    digest,
                    file.name,
                    KIND,
                    segments.profile,
                    n_read,
                    n_loaded,
                    n_quarantined,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                ],
            )
            if stored is None:
                warehouse.set_meta(con, "key_fingerprint", key.fingerprint)
            docs = (
                rows[["document_id", "stakeholder_group", "round_id"]]
                .drop_duplicates("document_id")
                .assign(ingest_id=ingest_id)
            )
            warehouse.insert_frame(con, "coding_documents", docs)
            warehouse.insert_frame(con, "codings", rows.assign(ingest_id=ingest_id))
            q = verdict.reasons.rename(columns={"column": "column_name"})
            warehouse.insert_frame(
                con, "quarantine", q.assign(ingest_id=ingest_id, file_name=file.name)
            )
        return report


def _unmapped(rows: pd.DataFrame) -> dict[str, int]:
    un = rows.loc[~rows["mapped"].astype(bool), "code_path"].value_counts()
    return {str(k): int(v) for k, v in un.items()}


def read_active_codings(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The active codings and documents as (codings, documents); empty frames when none."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'codings'"
    ).fetchall()
    if not found or not found[0][0]:
        return pd.DataFrame(columns=list(CODING_COLUMNS)), pd.DataFrame(
            columns=["document_id", "stakeholder_group", "round_id"]
        )
    active = f"SELECT ingest_id FROM ingests WHERE kind = '{KIND}' AND superseded_by IS NULL"
    codings = con.execute(
        f"SELECT {', '.join(CODING_COLUMNS)} FROM codings WHERE ingest_id IN ({active}) "
        f"ORDER BY document_id, segment_id, coder, code_path"
    ).df()
    documents = con.execute(
        f"SELECT DISTINCT document_id, stakeholder_group, round_id FROM coding_documents "
        f"WHERE ingest_id IN ({active}) ORDER BY document_id"
    ).df()
    return codings, documents
