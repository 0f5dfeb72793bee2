"""The Prefect side of ``impleval serve``: deployments applied (updated by name), stale ones of the
project deleted, and the runner that executes their scheduled and triggered runs."""

from __future__ import annotations

from typing import Any

from flows.runtime import configure_prefect, prefect_failure

configure_prefect()

from prefect.client.orchestration import get_client  # noqa: E402
from prefect.client.schemas.schedules import CronSchedule, RRuleSchedule  # noqa: E402
from prefect.client.schemas.sorting import DeploymentSort  # noqa: E402
from prefect.deployments.runner import EntrypointType, RunnerDeployment  # noqa: E402

from flows import wave_flows  # noqa: E402
from flows.serve import StepDeployment  # noqa: E402
from project.config import Project  # noqa: E402
from project.errors import PipelineError  # noqa: E402

_FLOWS: dict[str, Any] = {
    "invite": wave_flows.wave_invite,
    "close": wave_flows.wave_close,
    "inbox": wave_flows.inbox_watch,
}


def _deployment(project: Project, step: StepDeployment) -> RunnerDeployment:
    timezone = project.outreach.timezone
    schedule: Any = (
        RRuleSchedule(rrule=step.rrule, timezone=timezone)
        if step.rrule
        else CronSchedule(cron=step.cron or "", timezone=timezone)
    )
    deployment: RunnerDeployment = _FLOWS[step.flow].to_deployment(
        name=step.name,
        schedules=[schedule],
        parameters=step.parameters,
        description=step.description,
        tags=["impleval", project.id],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return deployment


def _delete_stale(project: Project, keep: set[str]) -> int:
    """Delete this project's deployments that are no longer in the calendar."""
    deleted = 0
    with get_client(sync_client=True) as client:
        # limit and sort given: this client's defaults (None) are refused by the server (422)
        for deployment in client.read_deployments(limit=200, sort=DeploymentSort.NAME_ASC):
            if deployment.name.startswith(f"{project.id}-") and deployment.name not in keep:
                client.delete_deployment(deployment.id)
                deleted += 1
    return deleted


def register(project: Project, steps: list[StepDeployment], url: str) -> list[RunnerDeployment]:
    """Apply every deployment (created, or updated by name) and delete the stale ones."""
    deployments = [_deployment(project, step) for step in steps]
    try:
        for deployment in deployments:
            deployment.apply()
        _delete_stale(project, {s.name for s in steps})
    except Exception as exc:
        if not prefect_failure(exc):
            raise
        raise PipelineError(
            f"Prefect server {url}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}. "
            f"Hint: check that `impleval server start` is running."
        ) from exc
    return deployments


def run_worker(deployments: list[RunnerDeployment]) -> None:
    """Run the deployments' scheduled and triggered runs in this process until stopped."""
    from prefect import serve

    serve(*deployments, print_starting_message=False)
