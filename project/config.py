"""``project.yaml``: what is evaluated, read into strict models with errors a person can act on."""

from __future__ import annotations

import datetime as dt
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from project.errors import ConfigError, format_pydantic_error
from project.indicators import Activity, Goal, Indicator, Outcome, check_references
from project.interviews import InterviewsConfig
from project.labels import Labels, normalise_label

PROJECT_FILE = "project.yaml"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Named(_Strict):
    """Something with an id, sv/en labels and further spellings seen in exports."""

    id: str = Field(pattern=_ID)
    labels: Labels
    accept: tuple[str, ...] = ()

    def spellings(self) -> set[str]:
        return {normalise_label(s) for s in (self.id, self.labels.sv, self.labels.en, *self.accept)}


class Unit(Named):
    """A ward, centre or team inside an organisation."""


class Organisation(Named):
    """A participating organisation (hospital, primary-care centre, municipal service, ...)."""

    type: str | None = None
    units: tuple[Unit, ...] = ()


class StaffGroup(Named):
    """A profession or role that survey results are broken down by."""


class InvitedCount(_Strict):
    """How many were invited in one organisation × staff group (either may be left out)."""

    organisation: str | None = None
    staff_group: str | None = None
    invited: int = Field(ge=0)


class Wave(_Strict):
    """One survey occasion of one instrument."""

    id: str = Field(pattern=_ID)
    instrument: str
    opens: dt.date
    closes: dt.date
    labels: Labels | None = None
    invited: int | None = Field(default=None, ge=1)
    invited_by: tuple[InvitedCount, ...] = Field(
        default=(), description="Invited per organisation × staff group, for response rates."
    )
    profile: str = Field(default="generic", description="Export profile of this wave's files.")

    @model_validator(mode="after")
    def _dates(self) -> Wave:
        if self.closes < self.opens:
            raise ValueError(
                f"wave {self.id}: closes ({self.closes}) is before opens ({self.opens})"
            )
        return self

    def label(self, lang: str) -> str:
        return self.labels.get(lang) if self.labels else self.id


class InstrumentUse(_Strict):
    """An instrument the project uses, with the project's own scoring decisions.

    In project.yaml either a bare id (``- nomad``) or a mapping
    (``- {id: pcat, variant: swedish-2, reverse: [q8, q10]}``).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    variant: str | None = Field(default=None, description="One of the spec's variants.")
    reverse: tuple[str, ...] | None = Field(
        default=None,
        description="Item ids reverse-keyed in this project; replaces the spec's own reverse keys.",
    )


class Privacy(_Strict):
    """Disclosure control. The threshold is recorded with every output."""

    min_cell_size: int = Field(default=5, ge=1)
    free_text: Literal["redact", "quarantine"] = Field(
        default="redact",
        description="What a survey ingest does when a free-text answer holds a personnummer, an "
        "e-mail address, a phone number or a roster name: replace it, or keep the row out.",
    )
    roster: str | None = Field(
        default=None,
        description="A file of names (one a line, or CSV with a name column), relative to the "
        "project folder, looked for in survey free text.",
    )


class TrafficLights(_Strict):
    """Traffic-light bands for mean scale scores, as shares of the way up the score range.

    Our defaults, not NoMAD's: on a 1–5 mean, green from 4.0 (0.75 of the range) and yellow from
    3.0 (0.5); red below.
    """

    green: float = Field(default=0.75, ge=0, le=1)
    yellow: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _order(self) -> TrafficLights:
        if self.yellow > self.green:
            raise ValueError(
                f"traffic_lights: yellow ({self.yellow}) is above green ({self.green})"
            )
        return self


class SurveySettings(_Strict):
    """How survey results are flagged."""

    response_rate_threshold: float = Field(default=0.5, ge=0, le=1)
    traffic_lights: TrafficLights = TrafficLights()
    reliability_min_n: int = Field(
        default=30,
        ge=2,
        description="Reliability per wave × staff group and wave × organisation is written only "
        "for groups with at least this many complete cases on the scale.",
    )
    omega_bootstrap_samples: int = Field(
        default=1000,
        ge=0,
        le=100_000,
        description="Resamples of McDonald's omega's percentile bootstrap interval (0: none).",
    )
    bootstrap_seed: int = Field(
        default=20240611,
        ge=0,
        description="Seed of the bootstrap: a rerun gives the same interval.",
    )


class ReportSettings(_Strict):
    language: Literal["sv", "en"] = "sv"
    formats: tuple[Literal["html", "pdf", "docx"], ...] = ("html", "pdf", "docx")
    evaluator: str | None = None
    kind: Literal["interim", "final"] = "final"


class Period(_Strict):
    start: dt.date
    end: dt.date


class Project(_Strict):
    """The contents of ``project.yaml``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable id; names the key file.")
    name: Labels
    synthetic: bool = False
    funder: str | None = None
    period: Period | None = None
    languages: tuple[Literal["sv", "en"], ...] = ("sv", "en")
    organisations: tuple[Organisation, ...]
    staff_groups: tuple[StaffGroup, ...]
    instruments: tuple[InstrumentUse, ...]
    waves: tuple[Wave, ...]
    privacy: Privacy = Privacy()
    survey: SurveySettings = SurveySettings()
    report: ReportSettings = ReportSettings()
    interviews: InterviewsConfig | None = None
    indicators: tuple[Indicator, ...] = ()
    goals: tuple[Goal, ...] = ()
    activities: tuple[Activity, ...] = ()
    outcomes: tuple[Outcome, ...] = ()

    @model_validator(mode="after")
    def _check_indicator_references(self) -> Project:
        check_references(self.indicators, self.goals, self.activities, self.outcomes)
        return self

    @field_validator("instruments", mode="before")
    @classmethod
    def _bare_ids(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _check(self) -> Project:
        for what, ids in (
            ("organisation", [o.id for o in self.organisations]),
            ("staff group", [g.id for g in self.staff_groups]),
            ("unit", [u.id for o in self.organisations for u in o.units]),
        ):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"{what} ids must be unique; repeated: {', '.join(dup)}")
        seen: set[tuple[str, str]] = set()
        for wave in self.waves:
            if wave.instrument not in self.instrument_ids:
                raise ValueError(
                    f"wave {wave.id}: instrument {wave.instrument!r} is not listed under "
                    f"instruments ({', '.join(self.instrument_ids)})"
                )
            if (wave.instrument, wave.id) in seen:
                raise ValueError(f"wave {wave.id} of {wave.instrument} is declared twice")
            seen.add((wave.instrument, wave.id))
        return self

    # -- look-ups -------------------------------------------------------------------------------
    def wave(self, instrument: str, wave_id: str) -> Wave:
        for wave in self.waves:
            if wave.instrument == instrument and wave.id == wave_id:
                return wave
        known = ", ".join(w.id for w in self.waves if w.instrument == instrument) or "(none)"
        raise ConfigError(
            f"project.yaml: wave {wave_id!r} of instrument {instrument!r} is not declared. "
            f"Expected one of {known}. Hint: add it under waves, or check the --wave value."
        )

    @property
    def instrument_ids(self) -> tuple[str, ...]:
        return tuple(use.id for use in self.instruments)

    def check_instrument(self, instrument: str) -> InstrumentUse:
        for use in self.instruments:
            if use.id == instrument:
                return use
        raise ConfigError(
            f"project.yaml: instrument {instrument!r} is not used by this project. Expected one "
            f"of {', '.join(self.instrument_ids)}. Hint: add it under instruments, or check "
            f"--instrument."
        )

    @cached_property
    def organisation_lookup(self) -> dict[str, str]:
        return {s: o.id for o in self.organisations for s in o.spellings()}

    @cached_property
    def unit_lookup(self) -> dict[str, tuple[str, str]]:
        """Spelling → (organisation id, unit id)."""
        return {s: (o.id, u.id) for o in self.organisations for u in o.units for s in u.spellings()}

    @cached_property
    def staff_group_lookup(self) -> dict[str, str]:
        return {s: g.id for g in self.staff_groups for s in g.spellings()}

    def staff_group_label(self, group_id: str, lang: str) -> str:
        for g in self.staff_groups:
            if g.id == group_id:
                return g.labels.get(lang)
        return group_id

    def organisation_label(self, org_id: str, lang: str) -> str:
        for o in self.organisations:
            if o.id == org_id:
                return o.labels.get(lang)
        return org_id


def load_project(project_dir: Path) -> Project:
    """Read and check ``project_dir/project.yaml``.

    Raises
    ------
    ConfigError
        When the file is missing, not YAML, or does not match the schema; the message names the key.
    """
    path = Path(project_dir) / PROJECT_FILE
    if not path.is_file():
        raise ConfigError(
            f"{path}: no project.yaml here. Hint: run the command inside a project folder, pass "
            f"-p DIR, or create one with `impleval init DIR`."
        )
    return _parse_project(path.read_text(encoding="utf-8"))


@cache
def _parse_project(text: str) -> Project:
    """project.yaml's text → a Project (cached by content: the CLI reads it more than once)."""
    try:
        raw = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"project.yaml{where}: not valid YAML. Hint: check indentation.") from exc
    if not isinstance(raw, dict):
        raise ConfigError("project.yaml: expected a mapping of keys (name:, waves:, ...).")
    try:
        return Project.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_pydantic_error("project.yaml", exc)) from exc
