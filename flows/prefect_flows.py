"""The pipeline as Prefect flows, for a team's Prefect server (``PREFECT_API_URL``).

The flow ``impleval-run`` runs the same loop over the same stage functions as the embedded run
(:func:`flows.run.run_stages`), each stage a Prefect task, so a run shows in Prefect's UI with its
stages and timings. Flow parameters are the project folder, the report settings and the stages —
never answers, names or addresses; the stages log nothing of the data.

Imported only in server mode: an embedded run never imports Prefect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from flows.runtime import configure_prefect, prefect_failure

configure_prefect()  # before Prefect is imported: quiet logs, no telemetry, the user's API URL

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows.executors import Executor as UnitExecutor  # noqa: E402
from flows.progress import Display  # noqa: E402
from flows.run import StageContext, StageFunction, StageOutcome, run_stages  # noqa: E402
from flows.settings import RunSettings  # noqa: E402
from project.config import Project, load_project  # noqa: E402
from project.errors import PipelineError  # noqa: E402
from project.layout import ProjectPaths  # noqa: E402

_DISPLAY: ContextVar[Display] = ContextVar("impleval_display")
#: Where the stages' work units run (a Dask cluster with ``--dask``); never a flow parameter.
_UNITS: ContextVar[UnitExecutor | None] = ContextVar("impleval_units", default=None)


@task(name="stage", cache_policy=NO_CACHE)
def _stage(stage: str, function: StageFunction, context: StageContext) -> list[Path]:
    return function(context)


def _as_task(stage: str, function: StageFunction, context: StageContext) -> list[Path]:
    outputs: list[Path] = _stage.with_options(name=stage)(stage, function, context)
    return outputs


@flow(name="impleval-run", validate_parameters=False)
def impleval_run(
    project_dir: str, lang: str, formats: list[str], stages: list[str], force: bool
) -> list[str]:
    """Run the stale stages of the project at ``project_dir`` (every one with ``force``)."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    settings = RunSettings.model_validate({"lang": lang, "formats": formats})
    display = _DISPLAY.get(Display(live=False))
    outcomes = run_stages(
        paths,
        project,
        settings,
        stages=stages,
        force=force,
        display=display,
        execute=_as_task,
        units=_UNITS.get(),
    )
    return [f"{o.stage}: {o.status}" for o in outcomes]


@contextmanager
def _server_errors(url: str) -> Iterator[None]:
    """A Prefect server that cannot be reached, or fails, becomes one line with a hint."""
    try:
        yield
    except PipelineError:
        raise
    except Exception as exc:
        if not prefect_failure(exc):
            raise
        raise PipelineError(
            f"Prefect server {url}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}. "
            f"Hint: start it with `impleval server start` (or check PREFECT_API_URL), or unset "
            f"PREFECT_API_URL to run embedded, without a server."
        ) from exc


def run_on_server(
    paths: ProjectPaths,
    project: Project,
    settings: RunSettings,
    *,
    stages: Sequence[str],
    force: bool,
    display: Display,
    units: UnitExecutor | None = None,
) -> list[StageOutcome]:
    """Run the stages as the ``impleval-run`` flow on the configured Prefect server (their work
    units where ``units`` runs them)."""
    import os

    token, units_token = _DISPLAY.set(display), _UNITS.set(units)
    try:
        with _server_errors(os.environ.get("PREFECT_API_URL", "")):
            lines = impleval_run(
                str(paths.root), settings.lang, list(settings.formats), list(stages), force
            )
    finally:
        _DISPLAY.reset(token)
        _UNITS.reset(units_token)
    return [StageOutcome(stage, status) for stage, status in (s.split(": ", 1) for s in lines)]
