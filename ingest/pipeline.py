"""One survey export, from file to store: land → read → map → pseudonymise → validate → load.

Each step is a plain function; :func:`ingest_survey` runs them under the project lock and loads in one
transaction, so a failure at any point leaves the store as it was. The Prefect flow in
``flows/ingest.py`` calls :func:`ingest_survey` once per file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from ingest.accounting import accounting_lines
from ingest.landing import land_file
from ingest.read import read_table
from ingest.survey import ExportProfile, MappedSurvey, load_profile, map_survey, pseudonymise_survey
from instruments.spec import InstrumentSpec
from privacy.keys import key_for_project
from project.config import Project, Wave, load_project, project_instrument
from project.errors import ConfigError, ResponseDataError
from project.layout import ProjectPaths
from project.provenance import file_sha256
from store import warehouse
from store.lock import project_lock
from validation.quarantine import RULES, Verdict, judge
from validation.suites import survey_expectations


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did, for the CLI and the flow (no answer content)."""

    file_name: str
    instrument: str
    wave: str
    sha256: str
    status: str  # loaded | already_loaded | dry_run
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    ignored_columns: int = 0
    key_created: bool = False
    already_landed: bool = False
    superseded: str | None = None

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = accounting_lines(
            self, target=f"{self.instrument} {self.wave}", what=f"{self.instrument} {self.wave}"
        )
        if self.status == "already_loaded":
            return out
        if self.ignored_columns:
            out.append(
                f"  {self.ignored_columns} column(s) not used by {self.instrument} were "
                f"left in the raw file only"
            )
        if self.superseded:
            out.append(f"  replaces the earlier load of {self.superseded} (kept in history)")
        if self.key_created:
            out.append(
                "  a new pseudonymisation key was created for this project; back it up "
                "(see docs/privacy.md)"
            )
        return out


def canonical_frame(mapped: MappedSurvey) -> pd.DataFrame:
    """Keys and item codes side by side: the frame the suite validates (pseudonymised only)."""
    if not mapped.pseudonymised:
        raise ValueError("refusing to validate identifiers that are not pseudonymised")
    return pd.concat([mapped.keys, mapped.codes], axis=1)


def validate_survey(mapped: MappedSurvey, spec: InstrumentSpec, wave: Wave) -> Verdict:
    """Run the suite generated from the spec and the wave, and combine it with mapping problems."""
    from validation.gx import run_suite

    frame = canonical_frame(mapped)
    failures = run_suite(frame, survey_expectations(spec, wave), name=f"{spec.id}-{wave.id}")
    return judge(mapped.keys["source_row"], mapped.problems, failures)


def to_long(mapped: MappedSurvey, spec: InstrumentSpec, loaded: pd.Series) -> pd.DataFrame:
    """One row per loaded respondent × item with status answered / not_applicable / missing."""
    ids = mapped.keys["respondent_id"][loaded]
    parts = []
    for item in spec.items:
        col = spec.column(item.id)
        value = mapped.codes[col][loaded]
        na = mapped.not_applicable[col][loaded]
        status = pd.Series("missing", index=value.index, dtype=object)
        status[na.notna()] = "not_applicable"
        status[value.notna()] = "answered"
        parts.append(
            pd.DataFrame(
                {
                    "respondent_id": ids,
                    "item": item.id,
                    "status": status,
                    "value": value,
                    "not_applicable": na.astype(object),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def ingest_survey(
    project_dir: Path,
    file: Path,
    *,
    instrument: str,
    wave: str,
    profile: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
) -> IngestReport:
    """Ingest one survey export into the project's store.

    Raises
    ------
    PipelineError
        For anything the user can fix (unknown wave, unreadable file, missing columns, key problems);
        nothing is loaded then.
    """
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    wave_cfg = project.wave(project.check_instrument(instrument).id, wave)
    spec = project_instrument(project, instrument, paths.root)
    export_profile = load_profile(profile or wave_cfg.profile, project_dir=paths.root)
    file = Path(file)
    if not file.is_file():
        raise ResponseDataError(f"{file}: no such file. Hint: check the path and file name.")
    process = partial(
        _process, project, spec, wave_cfg, export_profile, file, paths, replace=replace
    )
    if dry_run:
        return process(dry_run=True, digest=file_sha256(file))
    with project_lock(paths.lock):
        landed = land_file(file, paths, kind="survey", instrument=instrument, wave=wave)
        report = process(dry_run=False, digest=landed.sha256, raw=landed.raw_path)
    return dataclasses.replace(report, already_landed=landed.already_landed)


def _process(
    project: Project,
    spec: InstrumentSpec,
    wave: Wave,
    profile: ExportProfile,
    file: Path,
    paths: ProjectPaths,
    *,
    dry_run: bool,
    replace: bool,
    digest: str,
    raw: Path | None = None,
) -> IngestReport:
    paths.managed.mkdir(parents=True, exist_ok=True)
    with warehouse.open_warehouse(paths.warehouse, read_only=False) as con:
        current = warehouse.active_ingest(con, spec.id, wave.id)
        if current and current["sha256"] == digest:
            return IngestReport(file.name, spec.id, wave.id, digest, "already_loaded")
        if current and not replace and not dry_run:
            raise ConfigError(
                f"{file.name}: {spec.id} wave {wave.id} already holds data from "
                f"{current['file_name']} (sha256 {current['sha256'][:12]}). Hint: to load this "
                f"file instead, run again with --replace (the earlier load stays in history)."
            )
        stored = warehouse.get_meta(con, "key_fingerprint")
        key, created = key_for_project(
            project.id,
            project_has_data=warehouse.has_data(con),
            stored_fingerprint=stored,
            dry_run=dry_run,
        )
        table = read_table(raw or file, display_name=file.name)
        mapped = map_survey(table, spec=spec, project=project, profile=profile, file_name=file.name)
        mapped = pseudonymise_survey(mapped, key)
        verdict = validate_survey(mapped, spec, wave)
        loaded = verdict.is_loaded(mapped.keys["source_row"])
        n_read, n_loaded = mapped.rows, int(loaded.sum())
        n_quarantined = len(verdict.quarantined_rows)
        if n_read != n_loaded + n_quarantined:
            raise RuntimeError(
                f"row accounting broken for {file.name}: {n_read} read, {n_loaded} loaded, "
                f"{n_quarantined} quarantined"
            )
        reasons = (
            verdict.reasons.drop_duplicates(["source_row", "rule"])["rule"].value_counts().to_dict()
        )
        report = IngestReport(
            file.name,
            spec.id,
            wave.id,
            digest,
            "dry_run" if dry_run else "loaded",
            n_read,
            n_loaded,
            n_quarantined,
            {str(k): int(v) for k, v in reasons.items()},
            len(mapped.ignored_columns),
            created,
            superseded=current["file_name"] if current else None,
        )
        if dry_run:
            return report
        with warehouse.transaction(con):
            ingest_id = warehouse.next_ingest_id(con)
            if current:
                con.execute(
                    "UPDATE ingests SET superseded_by = ? WHERE ingest_id = ?",
                    [ingest_id, current["ingest_id"]],
                )
            con.execute(
                "INSERT INTO ingests VALUES (?, ?, ?, 'survey', ?, ?, ?, ?, ?, ?, ?, NULL)",
                [
                    ingest_id,
                    digest,
                    file.name,
                    spec.id,
                    wave.id,
                    profile.id,
                    n_read,
                    n_loaded,
                    n_quarantined,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                ],
            )
            if stored is None:
                warehouse.set_meta(con, "key_fingerprint", key.fingerprint)
            tag = {"ingest_id": ingest_id, "instrument": spec.id, "wave": wave.id}
            keys = mapped.keys[loaded].assign(**tag)
            warehouse.insert_frame(con, "respondents", keys)
            warehouse.insert_frame(con, "responses", to_long(mapped, spec, loaded).assign(**tag))
            q = verdict.reasons.rename(columns={"column": "column_name"})
            warehouse.insert_frame(con, "quarantine", q.assign(**tag, file_name=file.name))
        return report


def write_quarantine_report(paths: ProjectPaths) -> Path | None:
    """``output/validation/quarantine.csv``: every quarantined row of the active loads, with reasons."""
    if not paths.warehouse.is_file():
        return None
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        rows = warehouse.quarantine_rows(con)
    rows["reason"] = rows["rule"].map(RULES)
    paths.validation.mkdir(parents=True, exist_ok=True)
    target = paths.validation / "quarantine.csv"
    rows.to_csv(target, index=False)
    return target
