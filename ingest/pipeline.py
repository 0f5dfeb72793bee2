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
from ingest.survey import (
    ExportProfile,
    MappedSurvey,
    load_profile,
    long_to_wide,
    map_survey,
    pseudonymise_survey,
)
from instruments.spec import InstrumentSpec, project_instrument
from privacy.free_text import KINDS, redact_detail, scan_free_text
from privacy.free_text import SHOWN as FREE_TEXT_KINDS
from privacy.keys import key_for_project
from privacy.redact import Redactor, read_roster
from project.config import Project, Wave, load_project
from project.errors import ConfigError, ResponseDataError
from project.layout import ProjectPaths
from project.provenance import file_sha256
from store import warehouse
from store.lock import project_lock
from validation.page import render_validation_page, write_validation_page
from validation.quarantine import RULES, Verdict, judge
from validation.suites import survey_expectations

#: How many quarantined rows a dry run lists (all are in the validation page and quarantine.csv).
DIAGNOSIS_ROWS = 20
#: Rules whose detail is taken from a cell of the export (so it passes the redactor first).
_CONTENT_RULES = {
    "unknown_label",
    "not_a_number",
    "unknown_organisation",
    "unknown_unit",
    "unknown_staff_group",
    "unknown_item",
}


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
    free_text_redacted: dict[str, int] = field(default_factory=dict)
    checked_rules: tuple[str, ...] = ()
    #: Every quarantine record (source_row, column, rule, detail); details short and redacted.
    diagnosis: tuple[dict, ...] = field(default=(), repr=False, compare=False)

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
        if self.free_text_redacted:
            found = ", ".join(
                f"{self.free_text_redacted[k]} {FREE_TEXT_KINDS[k]}"
                for k in KINDS
                if self.free_text_redacted.get(k)
            )
            out.append(f"  free text: replaced {found} by role labels before loading")
        if self.key_created:
            out.append(
                "  a new pseudonymisation key was created for this project; back it up "
                "(see docs/privacy.md)"
            )
        if self.status == "dry_run" and self.diagnosis:
            shown = self.diagnosis[:DIAGNOSIS_ROWS]
            out.append(
                f"  first {len(shown)} of {len(self.diagnosis)} problem(s): row, column, rule"
            )
            out += [
                f"    row {d['source_row']}, {d['column']}: {d['rule']} — {d['detail']}"
                for d in shown
            ]
            if len(self.diagnosis) > DIAGNOSIS_ROWS:
                out.append(
                    f"    ... and {len(self.diagnosis) - DIAGNOSIS_ROWS} more; ingest for real "
                    f"to get all of them in output/validation/"
                )
        return out

    def page(self) -> str:
        """The self-contained HTML validation page of this ingest."""
        return render_validation_page(
            title=f"Validation: {self.instrument} {self.wave}",
            file_name=self.file_name,
            sha256=self.sha256,
            status=self.status.replace("_", " "),
            rows_read=self.rows_read,
            rows_loaded=self.rows_loaded,
            rows_quarantined=self.rows_quarantined,
            reasons=self.reasons,
            rows=self.diagnosis,
            checked=self.checked_rules,
        )


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
    sheet: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
) -> IngestReport:
    """Ingest one survey export into the project's store.

    After a load, ``output/validation/survey-<instrument>-<wave>.html`` shows its rules, counts and
    quarantined rows (a dry run writes nothing; its report lists the first rows instead).

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
    if sheet:
        export_profile = export_profile.model_copy(update={"sheet": sheet})
    process = partial(
        _process, project, spec, wave_cfg, export_profile, file, paths, replace=replace
    )
    if dry_run:  # under the lock too: a diagnosis waits for a running ingest instead of failing
        with project_lock(paths.lock):
            return process(dry_run=True, digest=file_sha256(file))
    with project_lock(paths.lock):
        landed = land_file(file, paths, kind="survey", instrument=instrument, wave=wave)
        report = process(dry_run=False, digest=landed.sha256, raw=landed.raw_path)
    if report.status == "loaded":
        write_validation_page(
            paths.validation / f"survey-{report.instrument}-{report.wave}.html", report.page()
        )
    return dataclasses.replace(report, already_landed=landed.already_landed)


def read_survey_export(
    path: Path, *, spec: InstrumentSpec, project: Project, profile: ExportProfile, file_name: str
) -> MappedSurvey:
    """Read and map one export as the profile says (sheet, header finding, wide or long layout)."""
    table = read_table(
        path,
        display_name=file_name,
        sheet=profile.sheet,
        header_names=profile.header_matcher(spec),
        value_labels=profile.value_labels,
    )
    layout_problems: list[dict] = []
    if profile.layout == "long":
        table, layout_problems = long_to_wide(
            table, spec=spec, profile=profile, file_name=file_name
        )
    mapped = map_survey(table, spec=spec, project=project, profile=profile, file_name=file_name)
    mapped.problems.extend(layout_problems)
    return mapped


def project_redactor(project: Project, root: Path) -> Redactor:
    """The redactor for survey free text and quarantine details: the patterns plus roster names."""
    names = read_roster(root / project.privacy.roster) if project.privacy.roster else []
    return Redactor(tuple(names))


def screen_free_text(
    mapped: MappedSurvey, redactor: Redactor, mode: str
) -> tuple[MappedSurvey, dict]:
    """Redact the free-text columns, or (``mode="quarantine"``) turn each finding into a problem
    that keeps the row out of the store. Returns the mapped survey and what was replaced."""
    if mapped.free_text.empty or not len(mapped.free_text.columns):
        return mapped, {}
    scan = scan_free_text(mapped.free_text, redactor)
    if mode == "redact":
        return dataclasses.replace(mapped, free_text=scan.redacted), scan.counts
    rows = mapped.keys["source_row"]
    problems = list(mapped.problems) + [
        {
            "source_row": int(rows.iloc[f["position"]]),
            "column": f["column"],
            "rule": "identifying_free_text",
            "detail": f"contains {f['kinds']}",
        }
        for f in scan.findings.to_dict("records")
    ]
    return dataclasses.replace(mapped, problems=problems, free_text=scan.redacted), {}


def free_text_long(mapped: MappedSurvey, loaded: pd.Series) -> pd.DataFrame:
    """One row per loaded respondent × non-empty free-text column (text already screened)."""
    if mapped.free_text.empty or not len(mapped.free_text.columns):
        return pd.DataFrame(columns=["respondent_id", "column_name", "text"])
    frame = mapped.free_text[loaded.to_numpy()].assign(
        respondent_id=mapped.keys["respondent_id"][loaded].to_numpy()
    )
    long = frame.melt(id_vars="respondent_id", var_name="column_name", value_name="text")
    return long[long["text"].notna()].reset_index(drop=True)


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
    with warehouse.open_for_ingest(paths.warehouse, dry_run=dry_run) as con:
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
        mapped = read_survey_export(
            raw or file, spec=spec, project=project, profile=profile, file_name=file.name
        )
        redactor = project_redactor(project, paths.root)
        mapped, redacted = screen_free_text(mapped, redactor, project.privacy.free_text)
        mapped = pseudonymise_survey(mapped, key)
        verdict = validate_survey(mapped, spec, wave)
        content = verdict.reasons["rule"].isin(_CONTENT_RULES)
        if content.any():
            verdict.reasons.loc[content, "detail"] = verdict.reasons.loc[content, "detail"].map(
                lambda d: redact_detail(d, redactor)
            )
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
            free_text_redacted=redacted,
            checked_rules=tuple(
                sorted({e.rule for e in survey_expectations(spec, wave)} | set(reasons))
            ),
            diagnosis=tuple(verdict.reasons.to_dict("records")),
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
            warehouse.insert_frame(con, "free_text", free_text_long(mapped, loaded).assign(**tag))
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
