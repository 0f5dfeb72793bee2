"""`impleval server start` and `impleval serve` against a real Prefect server on 127.0.0.1: one
deployment per wave step from the calendar plus the inbox watch; serving again after an edit
updates them (no duplicates); triggering the closing deployment ingests, analyses and writes the
interim report, and the invitation deployment mails each roster person once (to a recording SMTP
server on 127.0.0.1), with logs that hold no address; no server is one line.

Marked slow (`make test-slow`). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.flows.test_server import (
    BIN,
    STARTUP_SECONDS,
    _copy,
    _healthy,
    base_env,  # noqa: F401 -- a fixture
    free_port,
    impleval,
)
from tests.waves.conftest import Recorder, point_at

pytestmark = pytest.mark.slow
RUN_SECONDS = 900
STEPS = {
    "inbox",
    "nomad-T0-invitation",
    "nomad-T0-close",
    "nomad-T1-invitation",
    "nomad-T1-reminder-1",
    "nomad-T1-reminder-2",
    "nomad-T1-close",
    "pcat-VT2018-invitation",
    "pcat-VT2018-close",
    "pcat-HT2018-invitation",
    "pcat-HT2018-close",
}


@pytest.fixture(scope="module")
def impleval_server(base_env: dict[str, str]) -> Iterator[str]:  # noqa: F811
    """`impleval server start` on a free port of 127.0.0.1 (UI on); its API URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [str(BIN / "impleval"), "server", "start", "--port", str(port)],
        env=base_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            assert server.poll() is None, "impleval server start exited"
            assert time.monotonic() < deadline, f"no healthy server after {STARTUP_SECONDS} s"
            time.sleep(1)
        yield url
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)


def _api(url: str, path: str, body: dict | None = None) -> object:
    request = urllib.request.Request(
        f"{url}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    for attempt in range(10):  # a busy server answers 503 while its database is locked
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == 9:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def _deployments(url: str) -> dict[str, str]:
    found = _api(url, "/deployments/filter", {})
    assert isinstance(found, list)
    return {d["name"]: d["id"] for d in found}


def _trigger(url: str, deployment: str, worker: subprocess.Popen[str]) -> str:
    """Run a deployment now and wait (bounded) for its end; the flow run's id."""
    run = _api(url, f"/deployments/{deployment}/create_flow_run", {})
    assert isinstance(run, dict)
    deadline = time.monotonic() + RUN_SECONDS
    state: dict = {"type": "SCHEDULED", "message": None}
    while state["type"] not in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
        assert worker.poll() is None, "impleval serve exited"
        assert time.monotonic() < deadline, f"the run did not finish in {RUN_SECONDS} s"
        time.sleep(2)
        current = _api(url, f"/flow_runs/{run['id']}")
        assert isinstance(current, dict)
        state = current["state"]
    assert state["type"] == "COMPLETED", state["message"]
    return str(run["id"])


def _logged(url: str, run: str, start: str) -> bool:
    """Whether the run's logs hold a line starting with ``start`` (and none an address)."""
    for _ in range(60):  # the run's last log lines reach the server in a batch, a little later
        logs = _api(url, "/logs/filter", {"logs": {"flow_run_id": {"any_": [run]}}})
        assert isinstance(logs, list)
        messages = [entry["message"] for entry in logs]
        assert not any("@" in m for m in messages), "an address in the logs"
        if any(m.startswith(start) for m in messages):
            return True
        time.sleep(1)
    return False


def test_the_ui_is_on_and_the_database_is_the_users(
    impleval_server: str,
    base_env: dict[str, str],  # noqa: F811
) -> None:
    with urllib.request.urlopen(impleval_server.removesuffix("/api") + "/", timeout=30) as page:
        assert page.status == 200 and b"<html" in page.read().lower()
    assert (Path(base_env["PREFECT_HOME"]) / "prefect.db").is_file()


def test_serve_registers_updates_and_runs_the_closing(
    tmp_path: Path,
    impleval_server: str,
    base_env: dict[str, str],  # noqa: F811
) -> None:
    project = _copy(tmp_path / "project")
    env = base_env | {"PREFECT_API_URL": impleval_server}
    prefix = "discharge-planning-demo-"
    for _ in range(2):  # serving again updates, never duplicates
        done = impleval("serve", "-p", str(project), "--no-worker", env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == (
            f"11 deployments registered with {impleval_server}; prefect.yaml written."
        )
        found = _deployments(impleval_server)
        assert {n.removeprefix(prefix) for n in found} == STEPS
    assert (project / "prefect.yaml").read_text(encoding="utf-8").count("- name: ") == 11
    yaml_file = project / "project.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8").replace("reminders: [7, 21]", "reminders: [7]"),
        encoding="utf-8",
    )
    done = impleval("serve", "-p", str(project), "--no-worker", env=env)
    assert done.returncode == 0, done.stderr
    after = _deployments(impleval_server)
    assert {n.removeprefix(prefix) for n in after} == STEPS - {"nomad-T1-reminder-2"}
    assert after[prefix + "nomad-T1-close"] == found[prefix + "nomad-T1-close"]  # updated

    recorder = Recorder()
    mail = Controller(recorder, hostname="127.0.0.1", port=free_port())
    mail.start()
    point_at(project, mail.port)
    worker = subprocess.Popen(
        [str(BIN / "impleval"), "serve", "-p", str(project)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        run = _trigger(impleval_server, after[prefix + "nomad-T1-close"], worker)
        invitation = _trigger(impleval_server, after[prefix + "nomad-T1-invitation"], worker)
        # the runs' last log lines reach the server in a batch after the run ends: read them
        # while the worker still runs, not after it is stopped
        interim_logged = _logged(impleval_server, run, "interim report of T1:")
        invitation_logged = _logged(
            impleval_server, invitation, "T1 invitation: 241 to send of 241 on the roster"
        )
    finally:
        os.killpg(worker.pid, 15)
        output, _ = worker.communicate(timeout=60)
        mail.stop()
    interim = project / "output" / "reports" / "interim" / "T1"
    assert (interim / "report_sv.html").is_file() and (interim / "manifest.json").is_file()
    assert (project / "output" / "results" / "response_rates.csv").is_file()
    assert interim_logged
    # the closing ingested inbox/, the roster among it; the invitation reached each person once
    assert len(recorder.messages) == len(set(recorder.recipients())) == 241
    assert invitation_logged
    assert "@" not in output


def test_serve_without_a_server_is_one_line(
    tmp_path: Path,
    base_env: dict[str, str],  # noqa: F811
) -> None:
    project = _copy(tmp_path / "project")
    nobody = f"http://127.0.0.1:{free_port()}/api"
    done = impleval("serve", "-p", str(project), env=base_env | {"PREFECT_API_URL": nobody})
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1
    assert lines[0] == (
        f"error: Prefect server {nobody}: not running or not answering. Hint: start it with "
        f"`impleval server start` (in another terminal), or set PREFECT_API_URL to the team's "
        f"server."
    )
    assert not (project / "prefect.yaml").exists()
