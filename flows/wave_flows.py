"""The wave steps as Prefect flows, for ``impleval serve`` on a team server (docs/waves.md).

- ``impleval-wave-invite``: a wave's invitation or reminder N (:func:`waves.invite.invite`);
- ``impleval-wave-close``: at closing, ingest what is in ``inbox/``, analyse, and write the interim
  report of the wave to ``output/reports/interim/<wave>/``;
- ``impleval-inbox``: the daily inbox watch (the ingest stage: new exports only).

Parameters are the project folder, the wave and the reminder number; the logs hold counts and
stage names only, never answers or addresses. Imported only in server mode.
"""

from __future__ import annotations

from pathlib import Path

from flows.runtime import configure_prefect

configure_prefect()  # before Prefect is imported

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows.prefect_flows import _as_task  # noqa: E402
from flows.progress import Display  # noqa: E402
from flows.run import run_stages  # noqa: E402
from flows.settings import RunSettings  # noqa: E402
from project.config import Project, load_project  # noqa: E402
from project.errors import PipelineError  # noqa: E402
from project.layout import ProjectPaths  # noqa: E402
from store.lock import project_lock  # noqa: E402


@flow(name="impleval-wave-invite", validate_parameters=False)
def wave_invite(project_dir: str, wave: str, reminder: int | None = None) -> str:
    """Send the wave's invitation (or reminder N) to whoever should get it and has not."""
    from waves.invite import invite

    result = invite(Path(project_dir), wave, reminder=reminder)
    counts = ", ".join(f"{n} {what}" for what, n in sorted(result.counts.items()))
    line = (
        f"{wave} {result.plan.message}: {len(result.plan.recipients)} to send of "
        f"{result.plan.on_roster} on the roster; {counts or 'nothing sent'}"
    )
    get_run_logger().info(line)
    if result.stopped:
        raise PipelineError(f"{result.stopped}; {line}. The next run sends the rest.")
    return line


def take_new_exports(paths: ProjectPaths, project: Project, waves: set[str]) -> list[str]:
    """Ingest the inbox's survey exports of ``waves`` (still open, or closing now): a new export
    of such a wave replaces the earlier one (kept in history), as the survey tool's later export
    holds every answer the earlier one did."""
    import dataclasses

    from ingest.kinds import inbox_files
    from ingest.transaction import ingest_file

    lines = []
    for found in inbox_files(paths, project):
        if found.kind == "survey" and found.options.wave in waves:
            options = dataclasses.replace(found.options, replace=True)
            report = ingest_file(paths.root, found.kind, found.path, options)
            lines.append(f"{found.path.name}: {report.status}")
    return lines


def interim_project(project: Project) -> Project:
    """The project as an interim report names it."""
    return project.model_copy(
        update={"report": project.report.model_copy(update={"kind": "interim"})}
    )


@task(name="interim-report", cache_policy=NO_CACHE)
def interim_report(project_dir: str, wave: str, lang: str, formats: list[str]) -> list[str]:
    """The interim report of a wave, in its own folder (the final report stays as it is)."""
    from reports.build import ReportRequest, build_report

    paths = ProjectPaths(Path(project_dir))
    out = paths.reports / "interim" / wave
    request = ReportRequest(
        project=interim_project(load_project(paths.root)),
        project_dir=paths.root,
        lang=lang,
        formats=tuple(formats),
        out_dir=out,
        figures_dir=out / "figures",
    )
    return [str(p) for p in build_report(request).files]


@flow(name="impleval-wave-close", validate_parameters=False)
def wave_close(project_dir: str, wave: str) -> list[str]:
    """At a wave's closing: ingest the inbox, analyse, and write the wave's interim report."""
    paths = ProjectPaths(Path(project_dir))
    logger = get_run_logger()
    with project_lock(paths.lock, purpose=f"close {wave}"):
        project = load_project(paths.root)
        settings = RunSettings.for_project(project)
        for line in take_new_exports(paths, project, {wave}):
            logger.info(line)
        outcomes = run_stages(
            paths,
            project,
            settings,
            stages=["ingest", "analyse"],
            force=False,
            display=Display(live=False),
            execute=_as_task,
        )
        for outcome in outcomes:
            logger.info(f"{outcome.stage}: {outcome.status}")
        files = interim_report(str(paths.root), wave, settings.lang, list(settings.formats))
    logger.info(f"interim report of {wave}: {len(files)} files")
    return files


@flow(name="impleval-inbox", validate_parameters=False)
def inbox_watch(project_dir: str) -> list[str]:
    """Ingest new exports found in ``inbox/`` (nothing to do when none is new)."""
    import datetime as dt

    paths = ProjectPaths(Path(project_dir))
    with project_lock(paths.lock, purpose="inbox watch"):
        project = load_project(paths.root)
        today = dt.date.today()
        open_waves = {w.id for w in project.waves if w.opens <= today <= w.closes}
        taken = take_new_exports(paths, project, open_waves)
        outcomes = run_stages(
            paths,
            project,
            RunSettings.for_project(project),
            stages=["ingest"],
            force=False,
            display=Display(live=False),
            execute=_as_task,
        )
    lines = taken + [f"{o.stage}: {o.status}" for o in outcomes]
    get_run_logger().info("; ".join(lines))
    return lines
