"""Interview codings: read, map, redact and pseudonymise, validate and load — the codings' part of the
one ingest transaction (:mod:`ingest.transaction`).

The coded segments are read (:mod:`ingest.qda`); each tool code is mapped to the codebook (unmapped
codes are kept, flagged, and listed in the report); documents and speakers get keyed pseudonyms;
segment text and code paths are redacted (:mod:`privacy.redact`) — all before anything is
validated or stored. The suite is generated from ``interviews:`` in project.yaml
(:mod:`validation.codings`). Every mapping step runs once per distinct value (a document, a coder,
a code path, a segment's text), not once per coding.

The slot is the set of documents: a file whose documents overlap those of an active codings ingest
needs ``--replace``, which supersedes that ingest (its rows stay, marked in ``ingests``). Files with
other documents add to what is loaded.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ingest.kinds import IngestOptions
from ingest.qda import CodedSegments, load_coding_profile, read_codings
from ingest.read import map_cells
from ingest.report import IngestReport
from ingest.transaction import Clash, Evaluation, Slot, ingest_file
from privacy.keys import ProjectKey, pseudonymise
from privacy.redact import Redactor, read_roster
from project.codebook import Codebook, build_codebook, code_mapper
from project.config import Project
from project.interviews import InterviewsConfig
from project.labels import normalise_label
from project.layout import ProjectPaths
from store import warehouse

# Moved to store.reads and store.schema; kept importable from here until every caller moves.
from store.schema import CODING_COLUMNS
from validation.codings import coding_expectations
from validation.expectations import run_suite
from validation.quarantine import Verdict, judge, problem

KIND = "codings"
#: Rules the mapping checks (besides the suite's).
MAPPING_RULES = ("unknown_round", "bad_position", "duplicate_coding")


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


def _redacted(column: pd.Series, redactor: Redactor) -> pd.Series:
    """Every non-empty cell redacted; ``redactor.counts`` counts each cell's replacements (as if
    each coding's text were redacted on its own), although each distinct text is redacted once."""
    seen: dict[str, tuple[str | None, Counter[str]]] = {}

    def redact(value: object) -> str | None:
        if value is None or value == "":
            return None if value is None else ""
        text = str(value)
        if text not in seen:
            before = Counter(redactor.counts)
            out = redactor.redact(text)
            seen[text] = (out, Counter(redactor.counts) - before)
            redactor.counts.subtract(seen[text][1])
        return seen[text][0]

    out = map_cells(column, redact)
    for value, n in column.dropna().astype(str).value_counts().items():
        if str(value) in seen:
            for kind, count in seen[str(value)][1].items():
                redactor.counts[kind] += count * int(n)
    return out


def _assignments(raw: pd.DataFrame, config: InterviewsConfig) -> pd.DataFrame:
    """Each coding's stakeholder group and round: the first document rule that matches, a group
    named in the export, a round named in the export (``None`` when none says)."""
    groups = {s: g.id for g in config.stakeholder_groups for s in g.spellings()}
    rounds = {s: r.id for r in config.rounds for s in r.spellings()}
    rules = [
        (re.compile(r.match, re.IGNORECASE), r.field, r.stakeholder_group, r.round)
        for r in config.documents
    ]

    def assign(
        key: tuple[str | None, str | None, str | None],
    ) -> tuple[str | None, str | None, bool]:
        doc, doc_group, round_value = key
        group = round_id = None
        for pattern, fld, g, r in rules:
            value = doc if fld == "document" else doc_group
            if value and pattern.search(str(value)):
                group, round_id = g, r
                break
        if doc_group and normalise_label(doc_group) in groups:
            group = groups[normalise_label(doc_group)]
        unknown_round = False
        if round_value:
            found = rounds.get(normalise_label(round_value))
            round_id, unknown_round = (found, False) if found else (round_id, True)
        return group, round_id, unknown_round

    keys = pd.Series(
        list(zip(raw["document"], raw["document_group"], raw["round_value"], strict=True)),
        index=raw.index,
        dtype=object,
    )
    found = map_cells(keys, assign)
    return pd.DataFrame(
        found.tolist(), columns=["group", "round", "unknown_round"], index=raw.index
    )


def _pseudonyms(raw: pd.DataFrame, key: ProjectKey) -> tuple[pd.Series, pd.Series]:
    """Keyed pseudonyms of documents and speakers (a speaker is its document when not named)."""
    document_id = map_cells(
        raw["document"], lambda d: pseudonymise(f"codings-document:{d}", key) if d else None
    )
    pairs = pd.Series(list(zip(raw["document"], raw["speaker"], strict=True)), index=raw.index)
    speaker_id = map_cells(
        pairs,
        lambda ds: (
            pseudonymise(f"codings-speaker:{ds[0]}|{ds[1]}", key) if ds[0] and ds[1] else None
        ),
    )
    return document_id, speaker_id.where(speaker_id.notna(), document_id)


def _frame_problems(frame: pd.DataFrame) -> list[dict]:
    """Segments that end before they start; the same coding twice."""
    backwards = frame["start_pos"].notna() & frame["end_pos"].notna()
    backwards &= frame["end_pos"] < frame["start_pos"]
    found = [
        problem(r, "end", "bad_position", "the segment ends before it starts")
        for r in frame.loc[backwards, "source_row"]
    ]
    same = ["document_id", "coder", "code_path", "segment_id", "start_pos", "end_pos"]
    dup = frame.duplicated(same) & frame["document_id"].notna()
    twice = "the same coder applied the same code to the same segment twice"
    return found + [
        problem(r, "code", "duplicate_coding", twice) for r in frame.loc[dup, "source_row"]
    ]


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
    problems = list(segments.problems)
    assigned = _assignments(raw, config)
    problems += [
        problem(r, "round", "unknown_round", "the round is not declared under interviews.rounds")
        for r in raw.loc[assigned["unknown_round"].astype(bool), "source_row"]
    ]
    paths = raw["code_path"].where(raw["code_path"].notna() & (raw["code_path"] != ""), None)
    path = _redacted(paths, redactor)
    code = map_cells(paths, lambda p: mapper(p) if p else None)
    unmapped = Counter(path[paths.notna() & code.isna()].astype(str))
    document_id, speaker_id = _pseudonyms(raw, key)
    text = _redacted(raw["text"], redactor)
    segment = document_id.fillna("") + ":" + map_cells(text, _segment_hash)
    frame = pd.DataFrame(
        {
            "source_row": raw["source_row"],
            "document_id": document_id,
            "segment_id": segment.where(document_id.notna(), None),
            "speaker_id": speaker_id,
            "coder": map_cells(
                raw["coder"], lambda c: coders.get(normalise_label(c)) if c else None
            ),
            "code": code,
            "construct": map_cells(code, lambda c: codebook.get(c).construct if c else None),
            "mapped": code.notna(),
            "code_path": path,
            "stakeholder_group": assigned["group"],
            "round_id": assigned["round"],
            "start_pos": raw["start"].astype("float64"),
            "end_pos": raw["end"].astype("float64"),
            "position_unit": position_unit,
            "segment_text": text,
        },
        columns=list(CODING_COLUMNS),
    ).reset_index(drop=True)
    problems += _frame_problems(frame)
    return MappedCodings(frame, problems, dict(unmapped), dict(redactor.counts))


def validate_codings(mapped: MappedCodings, config: InterviewsConfig) -> Verdict:
    """Run the generated suite and combine it with the mapping problems."""
    frame = mapped.frame.drop(columns=["segment_text"]).assign(
        segment_text=mapped.frame["segment_text"].notna().map({True: "x", False: None})
    )  # the suite only needs to know whether there is text
    failures = run_suite(frame, coding_expectations(config), name="codings")
    return judge(mapped.frame["source_row"], mapped.problems, failures)


def _unmapped(rows: pd.DataFrame) -> dict[str, int]:
    un = rows.loc[~rows["mapped"].astype(bool), "code_path"].value_counts()
    return {str(k): int(v) for k, v in un.items()}


def _notes(rows: pd.DataFrame, n_documents: int, redactions: dict[str, int]) -> tuple[str, ...]:
    notes = [f"{len(rows)} codings in {n_documents} documents"]
    unmapped = _unmapped(rows)
    if unmapped:
        notes.append(
            f"{len(unmapped)} tool code(s) not in the codebook ({sum(unmapped.values())} codings "
            f"kept, flagged unmapped); map them under interviews.code_map:"
        )
        notes += [f"  {path} ({n})" for path, n in sorted(unmapped.items())]
    if redactions:
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(redactions.items()))
        notes.append(f"redacted in segment text: {listed}")
    return tuple(notes)


class CodingsIngest:
    """One codings export (see :mod:`ingest.transaction`)."""

    def __init__(
        self, project: Project, paths: ProjectPaths, file_name: str, options: IngestOptions
    ) -> None:
        if project.interviews is None:  # the registry refuses an undeclared kind first
            raise ValueError("codings need an interviews: section")
        self.config: InterviewsConfig = project.interviews
        self.names = _names(self.config, paths.root)
        self.profile, self.file_name = options.profile, file_name
        if self.profile is not None:
            load_coding_profile(self.profile)  # an unknown profile is refused before landing
        self.slot = Slot(what="codings", page=f"codings-{Path(file_name).stem}.html")
        self.rows = pd.DataFrame(columns=list(CODING_COLUMNS))

    def evaluate(self, source: Path, key: ProjectKey | None) -> Evaluation:
        if key is None:
            raise ValueError("a codings ingest needs the project's key")
        segments = read_codings(source, profile=self.profile, display_name=self.file_name)
        unit = (
            "character"
            if segments.profile == "qdpx"
            else load_coding_profile(segments.profile).position_unit
        )
        mapped = map_codings(
            segments,
            config=self.config,
            codebook=build_codebook(self.config),
            key=key,
            names=self.names,
            position_unit=unit,
        )
        verdict = validate_codings(mapped, self.config)
        loaded = verdict.is_loaded(mapped.frame["source_row"])
        self.rows = rows = mapped.frame[loaded]
        documents = sorted(rows["document_id"].dropna().unique().tolist())
        suite = coding_expectations(self.config)
        return Evaluation(
            rows_read=segments.rows,
            rows_loaded=int(rows["source_row"].nunique()),
            reasons=verdict.reasons,
            target=f"codings ({segments.tool})",
            checked_rules=(*(e.rule for e in suite), *MAPPING_RULES),
            notes=_notes(rows, len(documents), mapped.redactions),
            facts={
                "tool": segments.tool,
                "profile": segments.profile,
                "n_documents": len(documents),
                "n_codings": len(rows),
                "unmapped_codes": _unmapped(rows),
                "redactions": dict(mapped.redactions),
            },
            profile=segments.profile,
        )

    def clashes(self, con: duckdb.DuckDBPyConnection) -> Clash | None:
        documents = sorted(self.rows["document_id"].dropna().unique().tolist())
        if not documents:
            return None
        found = con.execute(
            "SELECT DISTINCT i.ingest_id, i.file_name FROM ingests i JOIN coding_documents d "
            "ON d.ingest_id = i.ingest_id WHERE i.kind = ? AND i.superseded_by IS NULL "
            "AND d.document_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY i.ingest_id",
            [KIND, documents],
        ).fetchall()
        if not found:
            return None
        ingests = tuple((int(i), str(name)) for i, name in found)
        listed = ", ".join(name for _, name in ingests)
        return Clash(
            ingests, f"codings of some of these documents are already loaded from {listed}"
        )

    def load(self, con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
        rows = self.rows
        docs = rows[["document_id", "stakeholder_group", "round_id"]].drop_duplicates("document_id")
        warehouse.insert_frame(con, "coding_documents", docs.assign(ingest_id=ingest_id))
        warehouse.insert_frame(con, "codings", rows.assign(ingest_id=ingest_id))


def ingest_codings(
    project_dir: Path,
    file: Path,
    *,
    profile: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
) -> IngestReport:
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
        Read, map and validate, and say what the ingest would do; land and load nothing.
    """
    options = IngestOptions(profile=profile, replace=replace, dry_run=dry_run)
    return ingest_file(project_dir, KIND, file, options)
