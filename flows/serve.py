"""``impleval server start`` and ``impleval serve``: a Prefect server on 127.0.0.1 with its UI, and
one deployment per wave step scheduled from the wave calendar (:mod:`waves.calendar`).

Deployments (flows in :mod:`flows.wave_flows`), named ``<project>-<instrument>-<wave>-<step>``:
the invitation at opening, each reminder, the closing (ingest, analyse, interim report) — each
once, at ``outreach.send_time`` on its day — and ``<project>-inbox``, the daily inbox watch.
Serving again after project.yaml changed updates them by name and deletes this project's
deployments whose step is gone, so there are never duplicates. ``prefect.yaml`` in the project
folder is written from the same list.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from project.config import Project, load_project
from project.errors import PipelineError
from project.layout import ProjectPaths

DEFAULT_PORT = 4200
LOOPBACK = ("127.0.0.1", "localhost", "::1")
FLOWS = {
    "invite": ("impleval-wave-invite", "flows.wave_flows.wave_invite"),
    "close": ("impleval-wave-close", "flows.wave_flows.wave_close"),
    "inbox": ("impleval-inbox", "flows.wave_flows.inbox_watch"),
}
INBOX_CRON = "0 6 * * *"


@dataclass(frozen=True)
class StepDeployment:
    """One deployment: its name, flow, parameters and schedule (an RRULE, or a daily cron)."""

    name: str
    flow: str  # a key of FLOWS
    parameters: dict[str, Any]
    rrule: str | None = None
    cron: str | None = None
    description: str = ""


def step_deployments(project: Project, project_dir: Path) -> list[StepDeployment]:
    """Every deployment the calendar asks for, in calendar order, then the inbox watch."""
    from waves.calendar import wave_steps

    root = str(Path(project_dir).resolve())
    at = project.outreach.send_time
    found = []
    for step in wave_steps(project):
        wave = step.wave
        start = dt.datetime.combine(step.day, at)
        rrule = f"DTSTART:{start:%Y%m%dT%H%M%S}\nRRULE:FREQ=DAILY;COUNT=1"
        params: dict[str, Any] = {"project_dir": root, "wave": wave.id}
        if step.kind != "close":
            params["reminder"] = step.reminder
        found.append(
            StepDeployment(
                f"{project.id}-{wave.instrument}-{wave.id}-{step.kind}",
                "close" if step.kind == "close" else "invite",
                params,
                rrule=rrule,
                description=step.title("en"),
            )
        )
    found.append(
        StepDeployment(
            f"{project.id}-inbox",
            "inbox",
            {"project_dir": root},
            cron=INBOX_CRON,
            description="Ingest new exports found in inbox/ (daily)",
        )
    )
    return found


def prefect_yaml(project: Project, steps: list[StepDeployment]) -> str:
    """``prefect.yaml`` for the same deployments (for `prefect deploy` and for reading)."""
    timezone = project.outreach.timezone
    deployments = []
    for step in steps:
        schedule = (
            {"rrule": step.rrule, "timezone": timezone}
            if step.rrule
            else {"cron": step.cron, "timezone": timezone}
        )
        deployments.append(
            {
                "name": step.name,
                "description": step.description,
                "entrypoint": FLOWS[step.flow][1],
                "parameters": step.parameters,
                "schedules": [schedule],
            }
        )
    head = (
        "# Written by `impleval serve` from project.yaml's wave calendar; edit project.yaml, not "
        "this file.\n"
    )
    body = {"name": project.id, "prefect-version": _prefect_version(), "deployments": deployments}
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def _prefect_version() -> str:
    from project.provenance import package_version

    return package_version("prefect") or "3"


def api_url(port: int = DEFAULT_PORT) -> str:
    return os.environ.get("PREFECT_API_URL") or f"http://127.0.0.1:{port}/api"


def check_server(url: str) -> None:
    """One line when the Prefect server does not answer."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=10) as answer:
            healthy = bool(json.loads(answer.read()))
    except (OSError, ValueError):
        healthy = False
    if not healthy:
        raise PipelineError(
            f"Prefect server {url}: not running or not answering. Hint: start it with `impleval "
            f"server start` (in another terminal), or set PREFECT_API_URL to the team's server."
        )


def start_server(host: str, port: int, *, say: Any) -> int:
    """Run ``prefect server start`` in the foreground, UI on, database under the user's data
    directory; returns its exit code."""
    from flows.runtime import configure_prefect, prefect_home

    configure_prefect()
    if host not in LOOPBACK:
        print(
            f"warning: the Prefect server will listen on {host}, reachable from other machines; "
            f"it has no login of its own. Use 127.0.0.1 unless the network is the team's own.",
            file=sys.stderr,
        )
    env = dict(os.environ) | {
        "PREFECT_HOME": str(prefect_home()),
        "PREFECT_SERVER_UI_ENABLED": "true",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
    }
    say(f"Prefect server with its UI at http://{host}:{port} (database in {prefect_home()}).")
    say(f"In another terminal: export PREFECT_API_URL=http://{host}:{port}/api; impleval serve")
    prefect = Path(sys.executable).parent / "prefect"
    command = [str(prefect), "server", "start", "--host", host, "--port", str(port)]
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0


def serve_project(project_dir: Path, *, worker: bool, say: Any) -> list[StepDeployment]:
    """Register the deployments, write prefect.yaml, and (with ``worker``) run them until stopped."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    url = api_url()
    check_server(url)
    os.environ["PREFECT_API_URL"] = url
    # The runs' own lines (stages, counts; never answers or addresses) go to the server's UI.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    steps = step_deployments(project, paths.root)
    (paths.root / "prefect.yaml").write_text(prefect_yaml(project, steps), encoding="utf-8")
    from flows.serve_prefect import register, run_worker

    deployments = register(project, steps, url)
    for step in steps:
        say(f"  {step.name}: {step.description}")
    say(f"{len(steps)} deployments registered with {url}; prefect.yaml written.")
    if worker:
        say("Serving them (runs show in the Prefect UI); stop with Ctrl-C.")
        run_worker(deployments)
    return steps
