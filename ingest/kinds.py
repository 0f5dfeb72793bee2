"""The kinds of export the pipeline takes — the one place that lists them.

Every stage that treats kinds one by one iterates over :data:`KINDS` (or :func:`declared_kinds`):
the inbox pick-up (:func:`inbox_files`), the CLI's ``--kind`` choices and help, the ingest
transaction (:mod:`ingest.transaction`), staleness, and the analysis and report stages. Per kind:
its name, what project.yaml must declare for it, the inbox file names it takes, the options it
takes, its store tables, and the module that reads, maps, validates and loads it (imported only
when a file of the kind is ingested; this module stays free of pandas so that ``impleval run`` can
answer "up to date" at once).
"""

from __future__ import annotations

import fnmatch
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from project.errors import ConfigError, PipelineError
from project.layout import ProjectPaths

if TYPE_CHECKING:
    from ingest.transaction import KindIngest
    from project.config import Project

#: The options of ``impleval ingest`` a kind may take, as the command line spells them.
OPTION_FLAGS = {
    "instrument": "--instrument",
    "wave": "--wave",
    "profile": "--profile",
    "sheet": "--sheet",
    "part": "--part",
}


@dataclass(frozen=True)
class IngestOptions:
    """What the user chose for one file (``None``: the kind's default, or not given)."""

    instrument: str | None = None
    wave: str | None = None
    profile: str | None = None
    sheet: str | None = None
    #: The part of a wave assembled from several exports (surveys; ``None``: the wave's one export).
    part: str | None = None
    replace: bool = False
    dry_run: bool = False
    #: Picked up from ``inbox/`` by ``impleval run`` (not named by the user): a file whose load
    #: was replaced since by another is left as it is, not refused.
    from_inbox: bool = False


@dataclass(frozen=True)
class Kind:
    """One kind of export."""

    name: str
    #: What project.yaml declares for it, for messages: ``survey waves``, ``interviews``.
    declares: tuple[str, ...]
    #: Whether project.yaml declares it (files of an undeclared kind are refused, not ingested).
    is_declared: Callable[[Project], bool]
    #: The one-line error for an ingest of this kind when project.yaml does not declare it.
    undeclared: str
    #: Inbox file names taken as this kind (``fnmatch`` patterns, case-insensitive).
    inbox: tuple[str, ...]
    #: The options besides ``--replace`` and ``--dry-run`` (see :data:`OPTION_FLAGS`).
    options: tuple[str, ...]
    #: The store tables its rows go to (besides ``ingests`` and ``quarantine``).
    tables: tuple[str, ...]
    #: The kind's part of the ingest, ``module:Class``; the class is called with (project, paths,
    #: file name, options) and checks the options against project.yaml (a :class:`KindIngest`).
    ingest: str
    #: Options a file in the inbox gets from its name (``None``: not this kind's file).
    inbox_options: Callable[[Path, Project], IngestOptions | None] = lambda path, project: (
        IngestOptions()
    )
    #: Options the kind cannot do without, with an example, for the error when one is missing.
    required: tuple[tuple[str, str], ...] = ()
    #: Whether the analysis and report stages treat the kind (default: when it is declared); the
    #: indicators kind also covers goals and the project logic, which need no data.
    is_analysed: Callable[[Project], bool] | None = None

    def analysed(self, project: Project) -> bool:
        """Whether the analysis and report stages have work for this kind in ``project``."""
        return (self.is_analysed or self.is_declared)(project)

    def check(self, project: Project, options: IngestOptions) -> None:
        """Raise the one-line error when project.yaml does not declare this kind, or the options
        do not fit it."""
        if not self.is_declared(project):
            raise ConfigError(self.undeclared)
        given = [o for o in OPTION_FLAGS if getattr(options, o) is not None]
        foreign = [OPTION_FLAGS[o] for o in given if o not in self.options]
        if foreign:
            takes = [OPTION_FLAGS[o] for o in self.options] + ["--replace", "--dry-run"]
            raise PipelineError(
                f"ingest: {' and '.join(foreign)} {'does' if len(foreign) == 1 else 'do'} not "
                f"apply to --kind {self.name}. Expected only {', '.join(takes[:-1])} or "
                f"{takes[-1]}; found {', '.join(foreign)}. Hint: leave "
                f"{'it' if len(foreign) == 1 else 'them'} out, or check --kind."
            )
        missing = [o for o, _ in self.required if getattr(options, o) is None]
        if missing:
            example = " ".join(f"{OPTION_FLAGS[o]} {e}" for o, e in self.required)
            flags = " and ".join(OPTION_FLAGS[o] for o, _ in self.required)
            raise PipelineError(f"ingest: {flags} are required for a {self.name}, e.g. {example}.")

    def start(
        self, project: Project, paths: ProjectPaths, file_name: str, options: IngestOptions
    ) -> KindIngest:
        """The kind's own part of one file's ingest (checks its options against project.yaml)."""
        module, _, name = self.ingest.partition(":")
        work: KindIngest = getattr(importlib.import_module(module), name)(
            project, paths, file_name, options
        )
        return work

    def matches(self, path: Path) -> bool:
        name = path.name.casefold()
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.inbox)


def _survey_from_name(path: Path, project: Project) -> IngestOptions | None:
    """``<instrument>_<wave>.<ext>`` of a declared wave → its instrument and wave;
    ``<instrument>_<wave>_<part>.<ext>`` of a part the wave declares → also that part."""
    stem = path.stem.casefold()
    for wave in project.waves:
        for part in wave.parts:
            if stem == f"{wave.instrument}_{wave.id}_{part}".casefold():
                return IngestOptions(instrument=wave.instrument, wave=wave.id, part=part)
    m = re.fullmatch(r"(.+?)_([^_]+)", path.stem)
    if not m:
        return None
    for wave in project.waves:
        if (wave.instrument.casefold(), wave.id.casefold()) == (
            m.group(1).casefold(),
            m.group(2).casefold(),
        ):
            return IngestOptions(instrument=wave.instrument, wave=wave.id)
    return None


def _roster_from_name(path: Path, project: Project) -> IngestOptions | None:
    """``roster_<wave>[_<anything>].<ext>`` of a declared wave → that wave."""
    m = re.fullmatch(r"roster_([^_]+)(?:_.*)?", path.stem, flags=re.IGNORECASE)
    waves = [w for w in project.waves if m and w.id.casefold() == m.group(1).casefold()]
    if len(waves) != 1:
        return None
    return IngestOptions(instrument=waves[0].instrument, wave=waves[0].id)


KINDS: tuple[Kind, ...] = (
    Kind(
        name="survey",
        declares=("survey waves",),
        is_declared=lambda project: bool(project.waves),
        undeclared=(
            "project.yaml: no survey waves are declared, so survey answers cannot be ingested. "
            "Hint: add the instrument under instruments: and its waves under waves: (see "
            "docs/project-yaml.md)."
        ),
        inbox=("*_*.xlsx", "*_*.csv", "*_*.sav"),
        options=("instrument", "wave", "profile", "sheet", "part"),
        tables=("respondents", "responses", "free_text"),
        ingest="ingest.survey:SurveyIngest",
        inbox_options=_survey_from_name,
        required=(("instrument", "nomad"), ("wave", "T0")),
    ),
    Kind(
        name="indicators",
        declares=("indicators", "outcomes"),
        is_declared=lambda project: bool(project.indicators or project.outcomes),
        undeclared=(
            "project.yaml: no indicators are declared. Hint: add an indicators: section (the "
            "indicator registry) or an outcomes: section before ingesting indicator data."
        ),
        inbox=("indicators_*.csv", "indicators_*.xlsx"),
        options=(),
        tables=("indicator_values", "outcome_values"),
        ingest="ingest.indicators:IndicatorsIngest",
        is_analysed=lambda project: bool(
            project.indicators or project.outcomes or project.goals or project.activities
        ),
    ),
    Kind(
        name="codings",
        declares=("interviews",),
        is_declared=lambda project: project.interviews is not None,
        undeclared=(
            "project.yaml: no interviews: section, so codings cannot be ingested. Hint: declare "
            "stakeholder_groups, rounds, documents and coders under interviews: (see "
            "docs/interviews.md)."
        ),
        inbox=("codings_*.csv", "codings_*.xlsx", "codings_*.qdpx"),
        options=("profile",),
        tables=("coding_documents", "codings"),
        ingest="ingest.codings:CodingsIngest",
    ),
    Kind(
        name="roster",
        declares=("survey waves",),
        is_declared=lambda project: bool(project.waves),
        undeclared=(
            "project.yaml: no survey waves are declared, so a roster has no wave to belong to. "
            "Hint: add the instrument under instruments: and its waves under waves: (see "
            "docs/waves.md)."
        ),
        inbox=("roster_*.csv", "roster_*.xlsx"),
        options=("instrument", "wave", "sheet"),
        tables=("roster",),
        ingest="ingest.roster:RosterIngest",
        inbox_options=_roster_from_name,
        required=(("wave", "T1"),),
        is_analysed=lambda project: False,
    ),
)

KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)


def get_kind(name: str) -> Kind:
    """The kind called ``name``.

    Raises
    ------
    PipelineError
        For a name that is not a kind (the message lists the kinds).
    """
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise PipelineError(f"--kind {name}: expected {_either(KIND_NAMES)}.")


def _either(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def declared_kinds(project: Project, *, required: bool = False) -> tuple[Kind, ...]:
    """The kinds project.yaml declares, in ingest order.

    Raises
    ------
    ConfigError
        With ``required=True``, when it declares none: there is nothing to ingest (the message says
        what to put where).
    """
    found = tuple(k for k in KINDS if k.is_declared(project))
    if required and not found:
        raise ConfigError(
            f"project.yaml declares no {_either(tuple(dict.fromkeys(d for k in KINDS for d in k.declares)))}: "
            f"nothing to "
            f"ingest. Hint: add survey instruments and waves (instruments:, waves:), an indicator "
            f"registry (indicators:) or participant outcomes (outcomes:), or an interviews: "
            f"section, then put the exports in inbox/ (see docs/project-yaml.md)."
        )
    return found


@dataclass(frozen=True)
class InboxFile:
    """A file in ``inbox/`` and how it is ingested."""

    kind: str
    path: Path
    options: IngestOptions


def inbox_files(paths: ProjectPaths, project: Project) -> list[InboxFile]:
    """Every export ``impleval run`` ingests from ``inbox/``, in the order they are ingested: the
    declared kinds in registry order, files by name within a kind.

    - ``survey``: ``<instrument>_<wave>.xlsx|csv|sav`` of a declared wave, or
      ``<instrument>_<wave>_<part>.xlsx|csv|sav`` of a part it declares;
    - ``indicators``: ``indicators_*.csv|xlsx`` when project.yaml declares indicators or outcomes;
    - ``codings``: ``codings_*.csv|xlsx|qdpx`` when project.yaml has an ``interviews`` section.
    """
    if not paths.inbox.is_dir():
        return []
    files = sorted(p for p in paths.inbox.iterdir() if p.is_file())
    found = []
    for kind in declared_kinds(project):
        for path in files:
            options = kind.inbox_options(path, project) if kind.matches(path) else None
            if options is not None:
                found.append(InboxFile(kind.name, path, replace(options, from_inbox=True)))
    return found


def _expected_names(project: Project) -> list[str]:
    """The inbox names ``impleval run`` takes for this project, as a person would write them."""
    names = []
    for kind in declared_kinds(project):
        if kind.name == "survey":
            names += [
                f"{w.instrument}_{w.id}{'_' + part if part else ''}.xlsx|csv"
                for w in project.waves
                for part in (w.parts or ("",))
            ]
        else:
            stems = dict.fromkeys(p.rsplit(".", 1)[0] for p in kind.inbox)
            for stem in stems:
                exts = [p.rsplit(".", 1)[1] for p in kind.inbox if p.startswith(stem + ".")]
                names.append(f"{stem}.{'|'.join(exts)}")
    return names


def unmatched_inbox_files(paths: ProjectPaths, project: Project) -> list[str]:
    """One line per file in ``inbox/`` that ``impleval run`` does not ingest: the file, why, and
    the names it could have had (hidden files, such as ``.DS_Store``, are passed over)."""
    if not paths.inbox.is_dir():
        return []
    taken = {f.path.name for f in inbox_files(paths, project)}
    expected = ", ".join(_expected_names(project)) or "(none: project.yaml declares no kind)"
    lines = []
    for path in sorted(p for p in paths.inbox.iterdir() if p.is_file()):
        if path.name in taken or path.name.startswith("."):
            continue
        undeclared = [k for k in KINDS if k.matches(path) and not k.is_declared(project)]
        if undeclared and not any(k.matches(path) for k in declared_kinds(project)):
            why = (
                f"named like a {undeclared[0].name} file, but project.yaml declares no "
                f"{' or '.join(undeclared[0].declares)}"
            )
        elif any(k.name == "survey" and k.matches(path) for k in declared_kinds(project)):
            why = "named like a survey export, but no declared wave has that instrument and id"
        else:
            why = "its name matches no pattern of a declared kind"
        lines.append(
            f"inbox/{path.name}: not ingested: {why}. Expected one of {expected}. Hint: rename "
            f"it, declare what it holds in project.yaml, or move it out of inbox/."
        )
    return lines
