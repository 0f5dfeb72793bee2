"""``project.yaml``: what is evaluated, read into strict models with errors a person can act on."""

from __future__ import annotations

import datetime as dt
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from project.errors import ConfigError, format_pydantic_error
from project.execution import ExecutorSettings
from project.indicators import Activity, Goal, Indicator, Outcome, check_references
from project.interviews import InterviewsConfig
from project.labels import Labels, normalise_label
from project.messages import yaml_error_message
from project.outreach import Outreach, reminder_dates
from project.privacy_settings import Privacy
from project.references import check_wave_references
from project.report_settings import ReportSettings
from project.strict import Strict
from project.yaml_limits import check_aliases

PROJECT_FILE = "project.yaml"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class _DatesAsText(YAML_LOADER):  # type: ignore[misc,valid-type]
    """Reads dates as text, so that an impossible one (2019-13-04) reaches the model, whose error
    names the key and the format, instead of failing inside YAML without a line."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in YAML_LOADER.yaml_implicit_resolvers.items()
}
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class Named(Strict):
    """Something with an id, sv/en labels and further spellings seen in exports."""

    id: str = Field(
        pattern=_ID,
        description="Short stable id (letters, digits, _ . -, starting with a letter or digit); "
        "it ends up in the data.",
    )
    labels: Labels = Field(
        description="The name shown in reports, {sv, en}; an export cell with either is accepted."
    )
    accept: tuple[str, ...] = Field(
        default=(),
        description="Further spellings seen in exports (matched ignoring case and extra spaces).",
    )

    def spellings(self) -> set[str]:
        return {normalise_label(s) for s in (self.id, self.labels.sv, self.labels.en, *self.accept)}


class Unit(Named):
    """A ward, centre or team inside an organisation."""


class Organisation(Named):
    """A participating organisation (hospital, primary-care centre, municipal service, ...)."""

    type: str | None = Field(
        default=None,
        description="The kind of organisation, e.g. hospital or primary_care (free text).",
    )
    units: tuple[Unit, ...] = Field(
        default=(), description="Wards, centres or teams, matched to the export's unit column."
    )


class StaffGroup(Named):
    """A profession or role that survey results are broken down by."""


class InvitedCount(Strict):
    """How many were invited in one organisation × staff group (either may be left out)."""

    organisation: str | None = Field(
        default=None, description="Organisation id (leave out to count every organisation)."
    )
    staff_group: str | None = Field(
        default=None, description="Staff-group id (leave out to count every group)."
    )
    invited: int = Field(ge=0, description="How many were invited.")


class Wave(Strict):
    """One survey occasion of one instrument."""

    id: str = Field(
        pattern=_ID,
        description="Wave id, e.g. T0; inbox/ exports are named <instrument>_<wave>.xlsx, .csv "
        "or .sav.",
    )
    instrument: str = Field(
        description="The instrument answered in this wave (one listed under instruments)."
    )
    opens: dt.date = Field(description="First day answers are accepted (YYYY-MM-DD).")
    closes: dt.date = Field(description="Last day answers are accepted (YYYY-MM-DD).")
    labels: Labels | None = Field(
        default=None, description="How reports name the wave, {sv, en} (default: its id)."
    )
    short: Labels | None = Field(
        default=None,
        description="A short name for contrasts between waves and dense tables, {sv, en} "
        "(default: its id), e.g. {sv: HT2018, en: Autumn 2018}.",
    )
    invited: int | None = Field(
        default=None,
        ge=1,
        description="How many were asked to answer (the response rate's denominator).",
    )
    invited_by: tuple[InvitedCount, ...] = Field(
        default=(), description="Invited per organisation × staff group, for response rates."
    )
    profile: str = Field(
        default="generic",
        description="Export profile of this wave's files: generic, codes-descending, labels-en, "
        "spss, survey-tool, or a project's profiles/<name>.yaml (docs/export-profiles.md).",
    )
    reminders: tuple[int | dt.date, ...] = Field(
        default=(), description="Reminders: days after opening (7) or dates, before closes."
    )
    survey_url: str | None = Field(default=None, description="The link messages point to.")
    parts: tuple[Annotated[str, Field(pattern=_ID)], ...] = Field(
        default=(),
        description="The exports the wave is assembled from (e.g. one per organisation): each is "
        "ingested with --part NAME (inbox/<instrument>_<wave>_<part>.xlsx|csv|sav) and replaced "
        "on its own; the wave's data is every part together (docs/waves.md).",
    )

    @model_validator(mode="after")
    def _dates(self) -> Wave:
        if self.closes < self.opens:
            raise ValueError(
                f"wave {self.id}: closes ({self.closes}) is before opens ({self.opens})"
            )
        if len(set(self.parts)) != len(self.parts):
            raise ValueError(f"wave {self.id}: parts lists a part twice ({', '.join(self.parts)})")
        self.reminder_dates  # noqa: B018 -- checks each reminder falls inside the wave
        return self

    @property
    def reminder_dates(self) -> tuple[dt.date, ...]:
        return reminder_dates(self.opens, self.closes, self.reminders, self.id)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) if self.labels else self.id

    def is_open(self, on: dt.date) -> bool:
        """Whether answers are still accepted on ``on`` (opens ≤ on ≤ closes)."""
        return self.opens <= on <= self.closes

    def short_label(self, lang: str) -> str:
        return self.short.get(lang) if self.short else self.id


class InstrumentUse(Strict):
    """An instrument the project uses, with the project's own scoring decisions.

    In project.yaml either a bare id (``- nomad``) or a mapping
    (``- {id: pcat, variant: swedish-2, reverse: [q8, q10]}``).
    """

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_-]*$",
        description="A built-in instrument (nomad, s-nomad, pcat) or one in the project's "
        "instruments/ folder.",
    )
    variant: str | None = Field(default=None, description="One of the spec's variants.")
    reverse: tuple[str, ...] | None = Field(
        default=None,
        description="Item ids reverse-keyed in this project; replaces the spec's own reverse keys.",
    )


class TrafficLights(Strict):
    """Traffic-light bands for mean scale scores, as shares of the way up the score range.

    Our defaults, not NoMAD's: on a 1–5 mean, green from 4.0 (0.75 of the range) and yellow from
    3.0 (0.5); red below.
    """

    green: float = Field(
        default=0.75, ge=0, le=1, description="Green from this share of the way up the score range."
    )
    yellow: float = Field(
        default=0.5, ge=0, le=1, description="Yellow from this share of the way up; red below."
    )

    @model_validator(mode="after")
    def _order(self) -> TrafficLights:
        if self.yellow > self.green:
            raise ValueError(
                f"traffic_lights: yellow ({self.yellow}) is above green ({self.green})"
            )
        return self


class SurveySettings(Strict):
    """How survey results are flagged."""

    response_rate_threshold: float = Field(
        default=0.5, ge=0, le=1, description="Response rates below this share are flagged."
    )
    traffic_lights: TrafficLights = Field(
        default=TrafficLights(), description="Bands of the traffic light for mean scale scores."
    )
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


class ReleaseSettings(Strict):
    """Dataset releases for reuse (``impleval release``; docs/releases.md)."""

    licence: Literal[
        "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "ODbL-1.0", "PDDL-1.0"
    ] = Field(default="CC-BY-4.0", description="The release's licence (SPDX id).")
    creators: tuple[str, ...] = Field(
        default=(), description="Who to cite (default: report.evaluator, else the project)."
    )
    max_suppressed_share: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="A deposit release is refused when reaching k would drop more of a "
        "table's rows than this share.",
    )
    text: Literal["none", "redacted"] | None = Field(
        default=None,
        description="Coded segments' text: none, or redacted (default: none for deposit, "
        "redacted for internal).",
    )
    language: Literal["sv", "en"] | None = Field(
        default=None, description="Label language of .sav/.dta (default: report.language)."
    )


class Period(Strict):
    start: dt.date = Field(description="First day (YYYY-MM-DD).")
    end: dt.date = Field(description="Last day (YYYY-MM-DD).")


class Project(Strict):
    """The contents of ``project.yaml``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable id; names the key file.")
    name: Labels = Field(description="The project's name, {sv, en}.")
    synthetic: bool = Field(
        default=False,
        description="true for made-up example data: the reports then say so on the title page.",
    )
    funder: str | Labels | None = Field(
        default=None,
        description="Who funds the project: a text, or {sv, en} when it differs by language.",
    )
    case_id: str | None = Field(
        default=None,
        description="The funder's case id (diarienummer), shown on the report's cover.",
    )
    owner: str | Labels | None = Field(
        default=None,
        description="The project owner (projektägare), shown on the report's cover: a text, or "
        "{sv, en} when it differs by language.",
    )
    period: Period | None = Field(
        default=None,
        description="The project period, {start, end}; indicator data must fall in it unless an "
        "indicator's observed says otherwise.",
    )
    languages: tuple[Literal["sv", "en"], ...] = Field(
        default=("sv", "en"), description="The report languages the project uses: sv, en."
    )
    # A project declares any subset of kinds: surveys (instruments and waves, with the
    # organisations and staff groups their answers name), indicators, outcomes, interviews.
    organisations: tuple[Organisation, ...] = Field(
        default=(),
        description="Participating organisations, matched to the export's organisation column.",
    )
    staff_groups: tuple[StaffGroup, ...] = Field(
        default=(),
        description="Professions or roles that survey results are broken down by, matched to the "
        "export's staff-group column.",
    )
    instruments: tuple[InstrumentUse, ...] = Field(
        default=(),
        description="The survey instruments used: a bare id (- nomad) or {id, variant, reverse}.",
    )
    waves: tuple[Wave, ...] = Field(
        default=(), description="Survey occasions: one entry per instrument and wave."
    )
    privacy: Privacy = Field(
        default=Privacy(), description="Disclosure control and the screening of free text."
    )
    survey: SurveySettings = Field(
        default=SurveySettings(), description="How survey results are flagged."
    )
    report: ReportSettings = Field(
        default=ReportSettings(), description="The report's language, formats, evaluator and kind."
    )
    release: ReleaseSettings = Field(
        default=ReleaseSettings(),
        description="Dataset releases: licence, creators, how much suppression a deposit may use "
        "(docs/releases.md).",
    )
    executor: ExecutorSettings = Field(
        default=ExecutorSettings(),
        description="Where the analysis runs: in the run's own process (the default) or on a "
        "Dask cluster (docs/scale.md).",
    )
    interviews: InterviewsConfig | None = Field(
        default=None,
        description="Interview codings (docs/interviews.md); without this section codings cannot "
        "be ingested.",
    )
    indicators: tuple[Indicator, ...] = Field(
        default=(), description="The indicator registry (docs/indicators.md)."
    )
    goals: tuple[Goal, ...] = Field(
        default=(), description="The funder's impact goals and the project's goals and sub-goals."
    )
    activities: tuple[Activity, ...] = Field(
        default=(),
        description="The activities of the project plan, the goals they serve and their "
        "indicators.",
    )
    outcomes: tuple[Outcome, ...] = Field(
        default=(), description="Participant outcomes: counts of persons per category."
    )
    outreach: Outreach = Field(
        default=Outreach(), description="Invitations and reminders: mail server, send time."
    )

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
        check_wave_references(self)  # instrument and invited_by name declared ids
        seen: set[tuple[str, str]] = set()
        for wave in self.waves:
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
            f"of {', '.join(self.instrument_ids) or '(none)'}. Hint: add it under instruments, or "
            f"check --instrument."
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
    return _parse_project(_decoded(path.read_bytes()))


def _decoded(data: bytes) -> str:
    """project.yaml's text (UTF-8, with or without a BOM), or the line naming the first byte that
    is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{PROJECT_FILE}: byte 0x{data[exc.start]:02x} at byte position {exc.start} (line "
            f"{line}) is not UTF-8. Hint: save project.yaml as UTF-8 (the editor's 'Save with "
            f"encoding')."
        ) from exc


@cache
def _parse_project(text: str) -> Project:
    """project.yaml's text → a Project (cached by content: the CLI reads it more than once)."""
    check_aliases(text, YAML_LOADER)
    try:
        try:
            raw = yaml.load(text, Loader=YAML_LOADER)
        except ValueError:  # a date YAML cannot build, e.g. 2019-13-04
            raw = yaml.load(text, Loader=_DatesAsText)
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_error_message(PROJECT_FILE, text, exc)) from exc
    if not isinstance(raw, dict):
        raise ConfigError("project.yaml: expected a mapping of keys (name:, waves:, ...).")
    try:
        return Project.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            format_pydantic_error(PROJECT_FILE, exc, data=raw, model=Project)
        ) from exc
