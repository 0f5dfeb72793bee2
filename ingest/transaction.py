"""The one ingest transaction every kind of export goes through.

:func:`ingest_file` runs the same steps for a survey wave, an indicator file and an interview
codings export; only reading, mapping, validating and loading the rows are the kind's own (a
:class:`KindIngest` made by the kind's module, found in :mod:`ingest.kinds`):

1. the kind is declared in project.yaml and the options fit it (its own checks: instrument and
   wave, export profile, …); the file exists;
2. under the project lock: the file is landed in ``.impleval/raw`` (sha256, immutable; a dry run
   lands nothing);
3. the same content already loaded in the same place → "already loaded", nothing to do (a dry run
   goes on and diagnoses it);
4. the project's pseudonymisation key, checked against the store's fingerprint (kinds that
   pseudonymise);
5. read + map + validate (the kind), then the row accounting: rows read = loaded + quarantined,
   or a bug (``RuntimeError``);
6. what this file replaces (the kind's "same slot": a survey's instrument × wave × part, an indicator
   file's indicator × unit series, a codings file's documents) needs ``--replace``, except a
   new export of a survey wave still open today, which replaces the earlier one at once;
7. one transaction: the ``ingests`` row (columns named), the earlier loads marked
   ``superseded_by``, the kind's rows, the quarantine rows (a wave of several parts: the report
   counts this export's rows whose pseudonym answered earlier in another part as quarantined, see
   :mod:`store.parts`);
8. after the commit, the offline validation page ``output/validation/<kind>-<…>.html``.

A dry run takes the same path up to the commit, in a store it never commits to (an empty one in
memory when the project has none), and says what the ingest would do with the same options.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ingest.kinds import IngestOptions, get_kind
from ingest.landing import LandedFile, land_file
from ingest.report import IngestReport
from privacy.keys import ProjectKey, key_for_project
from project.config import Project, load_project
from project.errors import ConfigError, ResponseDataError
from project.layout import ProjectPaths
from project.provenance import file_sha256
from store import parts, warehouse
from store.lock import project_lock
from validation.page import write_validation_page

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_REPLACE_HINT = (
    "Hint: to load this file instead, run again with --replace (the earlier load stays in history)."
)


@dataclass(frozen=True)
class Slot:
    """Where a file's rows go, as known before the file is read."""

    #: What the loaded data is called, e.g. ``nomad T1``, ``indicator data``, ``codings``.
    what: str
    #: The name of the validation page, e.g. ``survey-nomad-T1.html``.
    page: str
    instrument: str | None = None
    wave: str | None = None
    #: The part of a wave assembled from several exports (``None``: the wave's one export).
    part: str | None = None
    #: Whether the kind pseudonymises (and so needs the project's key).
    needs_key: bool = True


@dataclass(frozen=True)
class Evaluation:
    """What reading, mapping and validating a file found (counts, rules and ids; no content)."""

    rows_read: int
    rows_loaded: int
    #: Quarantine records: ``source_row, column, rule, detail`` (one per row × rule × column).
    reasons: pd.DataFrame
    target: str
    checked_rules: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    facts: dict[str, object] = field(default_factory=dict)
    #: The export profile, for the ``ingests`` row.
    profile: str | None = None

    @property
    def rows_quarantined(self) -> int:
        return 0 if self.reasons.empty else int(self.reasons["source_row"].nunique())


@dataclass(frozen=True)
class Clash:
    """Active loads in the same slot: what loading this file replaces."""

    ingests: tuple[tuple[int, str], ...]  # (ingest_id, file_name)
    #: The middle of the refusal, e.g. ``nomad wave T1 already holds data from x.csv (sha256 …)``.
    what: str
    #: Lines about what replacing changes (e.g. series that were only in the replaced file).
    notes: tuple[str, ...] = ()


class KindIngest(Protocol):
    """One file of one kind, from reading to loading (made by the kind's ``start``)."""

    slot: Slot

    def evaluate(self, source: Path, key: ProjectKey | None) -> Evaluation:
        """Read the landed file, map, pseudonymise and validate it."""
        ...

    def clashes(self, con: duckdb.DuckDBPyConnection) -> Clash | None:
        """The active loads this file would replace."""
        ...

    def load(self, con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
        """Insert the loaded rows (inside the caller's transaction)."""
        ...


def ingest_file(
    project_dir: Path, kind: str, file: Path, options: IngestOptions | None = None
) -> IngestReport:
    """Ingest one export of ``kind`` (``survey``, ``indicators``, ``codings``) into the store.

    Raises
    ------
    PipelineError
        For anything the user can fix (undeclared kind, unknown wave, unreadable file, missing
        columns, key problems, a slot already loaded without ``replace``); nothing is loaded then.
    """
    options = options or IngestOptions()
    registered = get_kind(kind)
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    registered.check(project, options)
    open_wave = _open_wave(project, kind, options)
    if open_wave:
        options = dataclasses.replace(options, replace=True)
    file = Path(file)
    work: KindIngest = registered.start(project, paths, file.name, options)
    if not file.is_file():
        raise ResponseDataError(f"{file}: no such file. Hint: check the path and file name.")
    with project_lock(paths.lock, purpose=f"ingest {file.name}"):
        landed = None if options.dry_run else _land(file, paths, kind, work.slot)
        report = _transact(project, paths, work, file, landed, options, kind)
    if report.status == "loaded":
        html = report.render_page(project.report.language)
        page = write_validation_page(paths.validation / work.slot.page, html)
        report = dataclasses.replace(report, page=page)
    if landed is not None:
        report = dataclasses.replace(report, already_landed=landed.already_landed)
    if open_wave and report.superseded:
        report = dataclasses.replace(report, notes=(*report.notes, open_wave))
    return report


def _open_wave(project: Project, kind: str, options: IngestOptions) -> str | None:
    """A survey wave still open today takes a new export of a part in place of the earlier one
    (the survey tool's later export holds every answer the earlier one did), so its rates follow
    the wave while it runs; once it has closed, replacing needs ``--replace``. Returns the line
    that says so, or ``None``."""
    if kind != "survey" or options.replace or not options.instrument or not options.wave:
        return None
    found = [w for w in project.waves if (w.instrument, w.id) == (options.instrument, options.wave)]
    wave = found[0] if found else None  # an unknown instrument or wave: the kind's one line
    if wave is None or not wave.is_open(dt.date.today()):
        return None
    part = f" of part {options.part}" if options.part else ""
    return (
        f"wave {wave.id} is open until {wave.closes}: this export replaces the earlier "
        f"one{part} (after closing that needs --replace)"
    )


def _land(file: Path, paths: ProjectPaths, kind: str, slot: Slot) -> LandedFile:
    return land_file(file, paths, kind=kind, instrument=slot.instrument, wave=slot.wave)


def _transact(
    project: Project,
    paths: ProjectPaths,
    work: KindIngest,
    file: Path,
    landed: LandedFile | None,
    options: IngestOptions,
    kind: str,
) -> IngestReport:
    slot, dry_run = work.slot, options.dry_run
    digest = landed.sha256 if landed else file_sha256(file)
    base = IngestReport(kind, file.name, digest, "dry_run" if dry_run else "loaded", what=slot.what)
    with warehouse.open_for_ingest(paths.warehouse, dry_run=dry_run) as con:
        same = _same_content(con, kind, digest, slot, file.name)
        if same and not dry_run:
            return dataclasses.replace(base, status="already_loaded")
        if options.from_inbox and not same:
            since = warehouse.replaced_by(
                con, kind, sha256=digest, instrument=slot.instrument, wave=slot.wave, part=slot.part
            )
            if since is not None:  # the user replaced it on purpose; run does not undo that
                return dataclasses.replace(base, status="replaced_since", superseded=(since,))
        stored = warehouse.get_meta(con, "key_fingerprint")
        key, created = None, False
        if slot.needs_key:
            key, created = key_for_project(
                project.id,
                project_has_data=warehouse.has_data(con),
                stored_fingerprint=stored,
                dry_run=dry_run,
            )
        found = work.evaluate(landed.raw_path if landed else file, key)
        _check_accounting(file.name, found)
        clash = None if same else work.clashes(con)
        refusal = None
        if clash and not options.replace:
            refusal = f"{file.name}: {clash.what}. {_REPLACE_HINT}"
            if not dry_run:
                raise ConfigError(refusal)
        report = _report(base, found, clash, refusal=refusal, already=bool(same), created=created)
        if dry_run:
            return report
        with warehouse.transaction(con):
            ingest_id = warehouse.next_ingest_id(con)
            warehouse.supersede(con, [i for i, _ in clash.ingests] if clash else [], ingest_id)
            warehouse.insert_ingest(
                con,
                ingest_id=ingest_id,
                sha256=digest,
                file_name=file.name,
                kind=kind,
                instrument=slot.instrument,
                wave=slot.wave,
                part=slot.part,
                profile=found.profile,
                rows_read=found.rows_read,
                rows_loaded=found.rows_loaded,
                rows_quarantined=found.rows_quarantined,
            )
            if key is not None and stored is None:
                warehouse.set_meta(con, "key_fingerprint", key.fingerprint)
            work.load(con, ingest_id)
            quarantine = found.reasons.rename(columns={"column": "column_name"}).assign(
                ingest_id=ingest_id, instrument=slot.instrument, wave=slot.wave, file_name=file.name
            )
            warehouse.insert_frame(con, "quarantine", quarantine)
        return _with_parts(con, report, slot, ingest_id) if kind == "survey" else report


def _same_content(
    con: duckdb.DuckDBPyConnection, kind: str, digest: str, slot: Slot, file_name: str
) -> list[tuple[int, str, str]]:
    """The active loads of this content in this place (part included).

    Raises
    ------
    ConfigError
        When the content is active in another part of the same wave (one export, two parts).
    """
    where = {"sha256": digest, "instrument": slot.instrument, "wave": slot.wave}
    same = warehouse.active_ingests(con, kind, **where, part=slot.part)
    other = [i for i in warehouse.active_ingests(con, kind, **where) if i not in same]
    if other:
        held = parts.part_name(warehouse.ingest_part(con, other[0][0]))
        raise ConfigError(
            f"{file_name}: the same content is already loaded as {held} of {slot.what} (from "
            f"{other[0][1]}). Hint: each part is its own export; check the file and --part."
        )
    return same


def _with_parts(
    con: duckdb.DuckDBPyConnection, report: IngestReport, slot: Slot, ingest_id: int
) -> IngestReport:
    """The report after a load into a wave of several parts: the rows of this export set aside
    because their pseudonym answered earlier in another part (:mod:`store.parts`) count as
    quarantined, and a note says how the parts' duplicates stand now."""
    if slot.instrument is None or slot.wave is None:
        return report
    aside = parts.set_aside(con, slot.instrument, slot.wave)
    here = aside.get(ingest_id, [])
    elsewhere = sum(len(rows) for i, rows in aside.items() if i != ingest_id)
    if not here and not elsewhere:
        return report
    kept = ", ".join(sorted({k for _, k in here}))
    note = (
        f"answered in two parts of wave {slot.wave}: the earliest submission of each pseudonym "
        f"counts; set aside ({parts.RULE}): {len(here)} row(s) of this export"
        f"{' (answered earlier in ' + kept + ')' if kept else ''}, {elsewhere} of other parts"
    )
    reasons = dict(report.reasons)
    if here:
        reasons[parts.RULE] = len(here)
    return dataclasses.replace(
        report,
        rows_loaded=report.rows_loaded - len(here),
        rows_quarantined=report.rows_quarantined + len(here),
        reasons=reasons,
        notes=(*report.notes, note),
    )


def _check_accounting(file_name: str, found: Evaluation) -> None:
    """Every row read is loaded or quarantined, never both or neither: otherwise a bug."""
    if found.rows_read != found.rows_loaded + found.rows_quarantined:
        raise RuntimeError(
            f"row accounting broken for {file_name}: {found.rows_read} read, "
            f"{found.rows_loaded} loaded, {found.rows_quarantined} quarantined"
        )


def _report(
    base: IngestReport,
    found: Evaluation,
    clash: Clash | None,
    *,
    refusal: str | None,
    already: bool,
    created: bool,
) -> IngestReport:
    reasons = found.reasons.drop_duplicates(["source_row", "rule"])["rule"].value_counts()
    return dataclasses.replace(
        base,
        target=found.target,
        rows_read=found.rows_read,
        rows_loaded=found.rows_loaded,
        rows_quarantined=found.rows_quarantined,
        reasons={str(k): int(v) for k, v in reasons.items()},
        superseded=tuple(name for _, name in clash.ingests) if clash and not refusal else (),
        refusal=refusal,
        already_loaded=already,
        key_created=created,
        notes=found.notes + (clash.notes if clash and not refusal else ()),
        facts=found.facts,
        checked_rules=tuple(sorted(set(found.checked_rules) | set(reasons.index.astype(str)))),
        diagnosis=tuple(found.reasons.to_dict("records")),
    )
