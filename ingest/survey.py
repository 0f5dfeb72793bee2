"""Survey exports, the survey's part of the one ingest transaction (:mod:`ingest.transaction`):
read and map (:mod:`ingest.survey_map`, with the export profile of :mod:`ingest.survey_profile`),
screen free text, pseudonymise, validate against the suite generated from the instrument and the
wave, and load respondents, responses and free text. The slot is instrument × wave × part: another
file for a loaded wave (or part of a wave, ``--part``) needs ``--replace``; the other parts stay.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from ingest.kinds import IngestOptions
from ingest.report import IngestReport
from ingest.survey_map import (
    MappedSurvey,
    pseudonymise_survey,
    read_survey_export,
)
from ingest.survey_profile import PROFILE_DIR, ExportProfile, load_profile
from ingest.transaction import Clash, Evaluation, Slot, ingest_file
from instruments.spec import InstrumentSpec, project_instrument
from privacy.free_text import KINDS, redact_detail, scan_free_text
from privacy.free_text import SHOWN as FREE_TEXT_KINDS
from privacy.keys import ProjectKey
from privacy.redact import Redactor, read_roster
from project.config import Project, Wave
from project.errors import ConfigError
from project.labels import normalise_label
from project.layout import ProjectPaths
from store import staging, warehouse
from validation.expectations import run_suite
from validation.quarantine import Verdict, judge, problem
from validation.survey import survey_expectations

#: Rules whose detail is taken from a cell of the export (so it passes the redactor first).
CONTENT_RULES = {
    "unknown_label",
    "not_a_number",
    "unknown_organisation",
    "unknown_unit",
    "unknown_staff_group",
    "unknown_item",
}


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
        problem(
            rows.iloc[f["position"]], f["column"], "identifying_free_text", f"contains {f['kinds']}"
        )
        for f in scan.findings.to_dict("records")
    ]
    return dataclasses.replace(mapped, problems=problems, free_text=scan.redacted), {}


def canonical_frame(mapped: MappedSurvey) -> pd.DataFrame:
    """Keys and item codes side by side: the frame the suite validates (pseudonymised only)."""
    if not mapped.pseudonymised:
        raise ValueError("refusing to validate identifiers that are not pseudonymised")
    return pd.concat([mapped.keys, mapped.codes], axis=1)


def validate_survey(mapped: MappedSurvey, spec: InstrumentSpec, wave: Wave) -> Verdict:
    """Run the suite generated from the spec and the wave, and combine it with mapping problems."""
    frame = canonical_frame(mapped)
    failures = run_suite(frame, survey_expectations(spec, wave), name=f"{spec.id}-{wave.id}")
    return judge(mapped.keys["source_row"], mapped.problems, failures)


def to_long(
    mapped: MappedSurvey, spec: InstrumentSpec, loaded: pd.Series
) -> Iterator[pd.DataFrame]:
    """One row per loaded respondent × item with status answered / not_applicable /
    declared_missing (the profile's "Vet ej", 99 or an SPSS user-missing value) / missing; item by
    item (one item's rows at a time, in item order)."""
    ids = mapped.keys["respondent_id"][loaded]
    for item in spec.items:
        col = spec.column(item.id)
        value = mapped.codes[col][loaded]
        na = mapped.not_applicable[col][loaded]
        status = pd.Series("missing", index=value.index, dtype=object)
        status[mapped.declared_missing[col][loaded].notna()] = "declared_missing"
        status[na.notna()] = "not_applicable"
        status[value.notna()] = "answered"
        yield pd.DataFrame(
            {
                "respondent_id": ids,
                "item": item.id,
                "status": status,
                "value": value,
                "not_applicable": na.astype(object),
            }
        )


def free_text_long(mapped: MappedSurvey, loaded: pd.Series) -> pd.DataFrame:
    """One row per loaded respondent × non-empty free-text column (text already screened)."""
    if mapped.free_text.empty or not len(mapped.free_text.columns):
        return pd.DataFrame(columns=["respondent_id", "column_name", "text"])
    frame = mapped.free_text[loaded.to_numpy()].assign(
        respondent_id=mapped.keys["respondent_id"][loaded].to_numpy()
    )
    long = frame.melt(id_vars="respondent_id", var_name="column_name", value_name="text")
    return long[long["text"].notna()].reset_index(drop=True)


def declared_missing_counts(
    mapped: MappedSurvey, spec: InstrumentSpec, loaded: pd.Series
) -> dict[str, dict[str, int]]:
    """Declared-missing answers of the loaded rows: item code → key → count (items with none are
    left out)."""
    out: dict[str, dict[str, int]] = {}
    for item in spec.items:
        keys = mapped.declared_missing[spec.column(item.id)][loaded.to_numpy()].dropna()
        if len(keys):
            out[item.source_code] = {str(k): int(n) for k, n in keys.value_counts().items()}
    return out


def _declared_note(counts: dict[str, dict[str, int]]) -> str:
    by_key: dict[str, int] = {}
    for per_key in counts.values():
        for key, n in per_key.items():
            by_key[key] = by_key.get(key, 0) + n
    total = sum(by_key.values())
    keys = ", ".join(f"{k} {n}" for k, n in sorted(by_key.items()))
    items = ", ".join(f"{code} {sum(c.values())}" for code, c in counts.items())
    return (
        f"{total} answer(s) declared missing ({keys}), kept apart from answers and from not "
        f"relevant; per item: {items}"
    )


def missing_label_hint(problems: list[dict], profile: ExportProfile) -> str | None:
    """A note when unknown labels are ones a built-in profile counts as declared missing ("Vet
    ej"): how many, and which profiles would (counts and profile names only, no cell content)."""
    profiles: dict[str, list[str]] = {}
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        if path.stem != profile.id:
            for label in load_profile(path.stem).missing_lookup()[0]:
                profiles.setdefault(label, []).append(path.stem)
    hits = [
        profiles[label]
        for p in problems
        if p["rule"] == "unknown_label" and (label := normalise_label(str(p["detail"]))) in profiles
    ]
    if not hits:
        return None
    names = sorted({name for found in hits for name in found})
    return (
        f"{len(hits)} unknown label(s) are missing-value answers that --profile "
        f'{" or ".join(names)} counts as declared missing ("Vet ej", "Don\'t know" ...); or '
        f"list them under missing_values: in the export profile"
    )


def _notes(
    mapped: MappedSurvey, spec: InstrumentSpec, redacted: dict, declared: dict, hint: str | None
) -> tuple[str, ...]:
    notes = []
    if declared:
        notes.append(_declared_note(declared))
    if hint:
        notes.append(hint)
    if mapped.ignored_columns:
        notes.append(
            f"{len(mapped.ignored_columns)} column(s) not used by {spec.id} were left in the raw "
            f"file only"
        )
    if redacted:
        found = ", ".join(f"{redacted[k]} {FREE_TEXT_KINDS[k]}" for k in KINDS if redacted.get(k))
        notes.append(f"free text: replaced {found} by role labels before loading")
    return tuple(notes)


def check_part(wave: Wave, part: str | None) -> str | None:
    """The part of ``wave`` an export holds (``None``: the wave's one export).

    Raises
    ------
    ConfigError
        When the wave declares parts and ``part`` is none of them (or not given), or ``part`` is not
        a name (letters, digits, ``_ . -``).
    """
    known = ", ".join(wave.parts)
    if part is None:
        if wave.parts:
            raise ConfigError(
                f"ingest: wave {wave.id} of {wave.instrument} is assembled from parts ({known}): "
                f"say which one this export holds. Hint: add --part {wave.parts[0]} (or the "
                f"part it is)."
            )
        return None
    if wave.parts and part not in wave.parts:
        raise ConfigError(
            f"ingest: --part {part}: wave {wave.id} of {wave.instrument} declares parts {known}. "
            f"Hint: use one of them, or add {part} under the wave's parts: in project.yaml."
        )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", part):
        raise ConfigError(
            f"ingest: --part {part!r}: a part is a name of letters, digits, _ . and -, e.g. "
            f"north. Hint: choose such a name."
        )
    return part


# -- the survey's part of the ingest transaction ---------------------------------------------------
class SurveyIngest:
    """One survey export of one instrument × wave (see :mod:`ingest.transaction`)."""

    def __init__(
        self, project: Project, paths: ProjectPaths, file_name: str, options: IngestOptions
    ) -> None:
        instrument = project.check_instrument(str(options.instrument)).id
        self.wave = project.wave(instrument, str(options.wave))
        self.spec = project_instrument(project, instrument, paths.root)
        profile = load_profile(options.profile or self.wave.profile, project_dir=paths.root)
        if options.sheet:
            profile = profile.model_copy(update={"sheet": options.sheet})
        self.project, self.root, self.profile, self.file_name = (
            project,
            paths.root,
            profile,
            file_name,
        )
        part = check_part(self.wave, options.part)
        what = f"{self.spec.id} {self.wave.id}" + (f" part {part}" if part else "")
        self.slot = Slot(
            what=what,
            page=f"survey-{self.spec.id}-{self.wave.id}{'-' + part if part else ''}.html",
            instrument=self.spec.id,
            wave=self.wave.id,
            part=part,
        )
        self.mapped: MappedSurvey | None = None
        self.loaded = pd.Series(dtype=bool)

    def evaluate(self, source: Path, key: ProjectKey | None) -> Evaluation:
        spec, project = self.spec, self.project
        if key is None:
            raise ValueError("a survey ingest needs the project's key")
        mapped = read_survey_export(
            source, spec=spec, project=project, profile=self.profile, file_name=self.file_name
        )
        redactor = project_redactor(project, self.root)
        mapped, redacted = screen_free_text(mapped, redactor, project.privacy.free_text)
        mapped = pseudonymise_survey(mapped, key)
        verdict = validate_survey(mapped, spec, self.wave)
        reasons = verdict.reasons
        content = reasons["rule"].isin(CONTENT_RULES)
        if content.any():
            reasons.loc[content, "detail"] = reasons.loc[content, "detail"].map(
                lambda d: redact_detail(d, redactor)
            )
        self.mapped, self.loaded = mapped, verdict.is_loaded(mapped.keys["source_row"])
        declared = declared_missing_counts(mapped, spec, self.loaded)
        return Evaluation(
            rows_read=mapped.rows,
            rows_loaded=int(self.loaded.sum()),
            reasons=reasons,
            target=self.slot.what,
            checked_rules=tuple(e.rule for e in survey_expectations(spec, self.wave)),
            notes=_notes(
                mapped, spec, redacted, declared, missing_label_hint(mapped.problems, self.profile)
            ),
            facts={
                "instrument": spec.id,
                "wave": self.wave.id,
                "ignored_columns": len(mapped.ignored_columns),
                "free_text_redacted": dict(redacted),
                "declared_missing": declared,
            },
            profile=self.profile.id,
        )

    def clashes(self, con: duckdb.DuckDBPyConnection) -> Clash | None:
        part = self.slot.part
        active = warehouse.active_ingests(
            con, "survey", instrument=self.spec.id, wave=self.wave.id, part=part
        )
        if not active:
            return None
        ingest_id, name, sha = active[0]
        held = f" part {part}" if part else ""
        return Clash(
            ((ingest_id, name),),
            f"{self.spec.id} wave {self.wave.id}{held} already holds data from {name} "
            f"(sha256 {sha[:12]})",
        )

    def load(self, con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
        mapped, loaded = self.mapped, self.loaded
        if mapped is None:
            raise RuntimeError("load before evaluate")
        tags: dict[str, str | int] = {
            "ingest_id": ingest_id,
            "instrument": self.spec.id,
            "wave": self.wave.id,
        }
        warehouse.insert_frame(con, "respondents", mapped.keys[loaded].assign(**tags))
        # responses item by item through a staging file: never all in memory at once
        responses = (item.assign(**tags) for item in to_long(mapped, self.spec, loaded))
        rows = int(loaded.sum()) * len(self.spec.items)
        staging.insert_frames(con, "responses", responses, rows=rows)
        warehouse.insert_frame(con, "free_text", free_text_long(mapped, loaded).assign(**tags))


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
    """Ingest one survey export (see :func:`ingest.transaction.ingest_file`).

    After a load, ``output/validation/survey-<instrument>-<wave>.html`` shows its rules, counts and
    quarantined rows (a dry run writes nothing; its report lists the first rows instead).
    """
    options = IngestOptions(instrument, wave, profile, sheet, replace=replace, dry_run=dry_run)
    return ingest_file(project_dir, "survey", file, options)
