"""``impleval run``: the stale stages of ingest → analyse → report, in order.

Staleness is decided by :mod:`flows.stages` (content hashes of what each stage reads), never by
Prefect's cache. The stages are plain functions (:mod:`flows.ingest`, :mod:`flows.analyse`,
:mod:`flows.report`). The embedded default calls them in this process and starts no server; when
a Prefect server is configured (``PREFECT_API_URL``), the same loop runs as the ``impleval-run``
flow of :mod:`flows.prefect_flows`, each stage a task, and shows in Prefect's UI.

The whole run holds the project lock: two runs started together take turns (the second finds
the first's work done), and a run never reads a store an ingest is writing.

The analyse stage's work units (:mod:`flows.analyse`) run in this process, or with ``dask``
(``--dask`` or project.yaml's ``executor.dask``) on a Dask cluster (:mod:`flows.executors`),
with the same results files. The cluster is connected to only when a stage has units to run,
and started only when their planned work is worth it (:func:`flows.executors.break_even`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flows import quick
from flows.executors import Executor as UnitExecutor
from flows.executors import InProcess, open_executor
from flows.progress import Display, Progress
from flows.settings import RunSettings
from flows.stages import (
    STAGES,
    current_data_version,
    fingerprint,
    is_current,
    record_stage,
    stage_inputs,
)
from ingest.kinds import KINDS, declared_kinds, unmatched_inbox_files
from project.config import Project, load_project
from project.errors import ConfigError, PipelineError
from project.layout import ProjectPaths
from store.lock import project_lock


@dataclass(frozen=True)
class StageContext:
    """What a stage works on and reports to."""

    paths: ProjectPaths
    project: Project
    settings: RunSettings
    progress: Progress
    say: Callable[[str], None]
    units: UnitExecutor = field(default_factory=InProcess)


#: One stage: its context → the files it wrote.
StageFunction = Callable[[StageContext], list[Path]]
#: How a stage is executed: in this process, or as a Prefect task.
Executor = Callable[[str, StageFunction, StageContext], list[Path]]


@dataclass(frozen=True)
class StageOutcome:
    """What one stage did in a run."""

    stage: str
    status: str  # done | up to date
    outputs: tuple[Path, ...] = ()


def _ingest(context: StageContext) -> list[Path]:
    from flows.ingest import ingest_inbox

    for report in ingest_inbox(context.paths, context.project, progress=context.progress):
        for line in report.lines():
            context.say(f"  {line}")
    return []  # the store is the output; its data version is part of the stage's fingerprint


def _analyse(context: StageContext) -> list[Path]:
    from flows.analyse import analyse_project

    return analyse_project(
        context.paths, context.project, progress=context.progress, executor=context.units
    )


def _report(context: StageContext) -> list[Path]:
    from flows.report import write_report

    return write_report(
        context.paths.root,
        settings=context.settings,
        progress=context.progress,
        say=context.say,
        executor=context.units,
    )


STAGE_FUNCTIONS: dict[str, StageFunction] = {
    "ingest": _ingest,
    "analyse": _analyse,
    "report": _report,
}


def server_mode() -> bool:
    """Whether runs go through a Prefect server (``PREFECT_API_URL`` is set)."""
    return bool(os.environ.get("PREFECT_API_URL"))


def _fingerprint(stage: str, paths: ProjectPaths, project: Project, settings: RunSettings) -> str:
    inputs = stage_inputs(
        stage,
        paths,
        project,
        settings=settings.fingerprint_items(),
        data_version=current_data_version(paths),
    )
    if stage == "ingest":  # a store emptied or changed by hand makes the inbox worth a look
        inputs["data_version"] = current_data_version(paths) or "(no data)"
    return fingerprint(inputs)


def stale_stages(
    paths: ProjectPaths, project: Project, settings: RunSettings, stages: Sequence[str]
) -> list[str]:
    """The stages of ``stages`` whose inputs or outputs changed since they last ran."""
    return [
        s for s in stages if not is_current(paths, s, _fingerprint(s, paths, project, settings))
    ]


def _in_process(stage: str, function: StageFunction, context: StageContext) -> list[Path]:
    return function(context)


def run_stages(
    paths: ProjectPaths,
    project: Project,
    settings: RunSettings,
    *,
    stages: Sequence[str],
    force: bool,
    display: Display,
    execute: Executor = _in_process,
    units: UnitExecutor | None = None,
) -> list[StageOutcome]:
    """Run each stale stage of ``stages`` (every one with ``force``) and record what it wrote.

    The same loop serves the embedded run and the Prefect flow; ``execute`` decides where a
    stage's function runs, ``units`` where its work units run (default: in this process).
    """
    outcomes = []
    for stage in stages:
        if not force and is_current(paths, stage, _fingerprint(stage, paths, project, settings)):
            display.say(f"{stage}: up to date")
            outcomes.append(StageOutcome(stage, "up to date"))
            continue
        with display.stage(stage) as progress:
            context = StageContext(
                paths, project, settings, progress, display.say, units or InProcess()
            )
            outputs = execute(stage, STAGE_FUNCTIONS[stage], context)
        # Hashed after the stage: its own outputs must not make it look stale next time.
        record_stage(paths, stage, _fingerprint(stage, paths, project, settings), outputs)
        display.say(f"{stage}: done")
        outcomes.append(StageOutcome(stage, "done", tuple(outputs)))
    return outcomes


def run_project(
    project_dir: Path,
    settings: RunSettings | None = None,
    *,
    force: bool = False,
    only: str | None = None,
    display: Display | None = None,
    dask: str | None = None,
    dask_always: bool = False,
    remember: bool = False,
) -> list[StageOutcome]:
    """Run the project's stale stages (or, with ``only``, one stage); see the module docstring.

    ``remember``: a plain ``impleval run`` (no option): an up-to-date answer is recorded for
    :mod:`flows.quick`, which gives it again at once while nothing changes.

    ``dask`` (``tcp://HOST:PORT`` or ``local:N``; default project.yaml's ``executor.dask``) runs
    the work units on a Dask cluster — or in this process when a stage's planned work is below
    the cluster's break-even, unless ``dask_always`` (or ``executor.dask_always``).

    Raises
    ------
    PipelineError
        For anything the user can fix, e.g. a project that declares nothing to work on.
    """
    paths = ProjectPaths(Path(project_dir))
    display = display or Display()
    with project_lock(paths.lock, purpose="run"):
        seen = quick.snapshot(paths.root) if remember else None  # before the verdict
        project = load_project(paths.root)
        target, always = _dask(project, dask, dask_always)
        if not any(kind.analysed(project) for kind in KINDS):
            declared_kinds(project, required=True)  # one line: what to put where
        said = _inbox_warnings(paths, project)
        for line in said:  # never silently "up to date"
            display.say(line)
        settings = settings or RunSettings.for_project(project)
        stages = [s for s in STAGES if only in (None, s)]
        if not force and not stale_stages(paths, project, settings, stages):
            display.say("up to date")
            if seen is not None:
                _record_answer(paths, seen, said, settings)
            return [StageOutcome(s, "up to date") for s in stages]
        quick.forget(paths.root)
        runner: Callable[..., list[StageOutcome]] = run_stages
        if server_mode():
            from flows.prefect_flows import run_on_server

            runner = run_on_server
        with open_executor(target, always=always, say=display.say) as units:
            outcomes = runner(
                paths, project, settings, stages=stages, force=force, display=display, units=units
            )
        _remember_if_current(paths)
        return outcomes


def _dask(project: Project, dask: str | None, always: bool) -> tuple[str | None, bool]:
    """The cluster the units may run on (the option, else project.yaml's) and whether always."""
    target = dask or project.executor.dask
    if always and not target:
        raise ConfigError(
            "--dask-always: there is no Dask cluster to use. Hint: give --dask local:N or "
            "--dask tcp://HOST:PORT (or executor.dask in project.yaml) with it."
        )
    return target, always or project.executor.dask_always


def _inbox_warnings(paths: ProjectPaths, project: Project) -> list[str]:
    """The lines a run says about inbox files it cannot place (never silently "up to date")."""
    return [f"warning: {line}" for line in unmatched_inbox_files(paths, project)]


def _record_answer(
    paths: ProjectPaths, seen: dict[str, object], said: Sequence[str], settings: RunSettings
) -> None:
    reports = [f"output/reports/report_{settings.lang}.{f}" for f in settings.formats]
    quick.record(paths.root, seen, [*said, "up to date"], reports)


def _remember_if_current(paths: ProjectPaths) -> None:
    """After a run that did work (any options, still under the lock): the check a plain
    ``impleval run`` makes, done now, so that the next plain run is answered at once when this
    one left every stage up to date (:mod:`flows.quick`). The snapshot is taken before the
    verdict, as for an up-to-date answer; a project that no longer loads, or any stage stale for
    the plain run's settings, records nothing."""
    seen = quick.snapshot(paths.root)
    try:
        project = load_project(paths.root)
        settings = RunSettings.for_project(project)
        if stale_stages(paths, project, settings, STAGES):
            return
        said = _inbox_warnings(paths, project)
    except PipelineError:
        return
    _record_answer(paths, seen, said, settings)
