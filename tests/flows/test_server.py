"""The pipeline on a real Prefect server (``prefect server start`` on 127.0.0.1): the same stage
functions as the embedded run, run as the ``impleval-run`` flow, give byte-identical results; a
server that cannot be reached is one line, not a traceback.

The tests that start a server live in this module (marked slow; `make test-slow` runs them, and CI).
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.flows.conftest import fresh_environ

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
#: How long a cold server may take to migrate its database and answer (a busy 2-core machine).
STARTUP_SECONDS = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
            return bool(json.loads(answer.read()))
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("server-home")
    return fresh_environ(
        base,
        XDG_DATA_HOME=str(base / "data"),
        PREFECT_HOME=str(base / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )


@pytest.fixture(scope="module")
def prefect_server(base_env: dict[str, str]) -> Iterator[str]:
    """A real `prefect server start` on a free port of 127.0.0.1; its API URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=base_env | {"PREFECT_SERVER_UI_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            assert server.poll() is None, "prefect server start exited"
            assert time.monotonic() < deadline, f"no healthy server after {STARTUP_SECONDS} s"
            time.sleep(1)
        yield url
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)


def impleval(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "impleval"), *args], capture_output=True, text=True, env=env, timeout=900
    )


def _copy(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".impleval", "output", "gen*"))
    return target


def test_flows_on_a_real_server_give_the_embedded_results(
    tmp_path: Path, base_env: dict[str, str], prefect_server: str
) -> None:
    embedded, served = _copy(tmp_path / "embedded"), _copy(tmp_path / "served")
    done = impleval("run", "-p", str(embedded), "--format", "html", env=base_env)
    assert done.returncode == 0, done.stderr
    done = impleval(
        "run",
        "-p",
        str(served),
        "--format",
        "html",
        env=base_env | {"PREFECT_API_URL": prefect_server},
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    stages = [line for line in done.stdout.splitlines() if line.endswith(": done")]
    assert stages == ["ingest: done", "analyse: done", "report: done"], done.stdout
    ours = sorted(p.name for p in (embedded / "output" / "results").glob("*.csv"))
    theirs = sorted(p.name for p in (served / "output" / "results").glob("*.csv"))
    assert ours == theirs and len(ours) > 20
    different = [
        name
        for name in ours
        if (embedded / "output/results" / name).read_bytes()
        != (served / "output/results" / name).read_bytes()
    ]
    assert different == []
    # the run is the server's: one completed impleval-run flow run with its three stage tasks
    request = urllib.request.Request(
        f"{prefect_server}/flow_runs/filter",
        data=json.dumps({"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        runs = json.loads(answer.read())
    assert len(runs) == 1
    request = urllib.request.Request(
        f"{prefect_server}/task_runs/filter",
        data=json.dumps({"flow_runs": {"id": {"any_": [runs[0]["id"]]}}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        tasks = json.loads(answer.read())
    assert sorted(t["name"].split("-")[0] for t in tasks) == ["analyse", "ingest", "report"]


def test_a_server_that_is_not_running_is_one_line(tmp_path: Path, base_env: dict[str, str]) -> None:
    project = _copy(tmp_path / "project")
    nobody = f"http://127.0.0.1:{free_port()}/api"
    done = impleval("run", "-p", str(project), env=base_env | {"PREFECT_API_URL": nobody})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: Prefect server {nobody}:")
    assert "impleval server start" in lines[0] and "unset PREFECT_API_URL" in lines[0]
    assert not (project / "output").exists()  # nothing was run
