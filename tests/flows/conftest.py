"""One `impleval demo` for the whole test run, shared by every pytest-xdist worker.

Building the example (ingest, analyse, three report formats) through the real command is the
most expensive step of the fast suite; test_end_to_end.py and test_report_kinds.py used to build it
once each. Now the first worker to ask builds it under a file lock in the run's shared temporary
folder and records what the command printed; every module then works on its own copy of the
built folder (`shutil.copytree` keeps the timestamps, so the copy is up to date as the original),
so tests that edit or add files stay independent. The key lives in the shared config home, so
every copy opens the same store.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

BIN = Path(sys.executable).parent


def impleval(*args: str, env: dict[str, str], cwd: Path | None = None):
    """The installed `impleval` command, run as a user runs it."""
    return subprocess.run(
        [str(BIN / "impleval"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every xdist worker of this run sees (the base temp itself without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh, empty config, cache and Prefect home for the real command, shared by the run."""
    base = _shared_root(tmp_path_factory) / "e2e-home"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ |= {
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "PREFECT_HOME": str(base / "prefect"),
    }
    environ.pop("IMPLEVAL_KEY_FILE", None)
    return environ


@dataclass(frozen=True)
class BuiltDemo:
    """Where `impleval demo` built the example, and what it printed and left behind."""

    folder: Path
    returncode: int
    stdout: str
    stderr: str
    prefect_home_empty: bool


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> BuiltDemo:
    """`impleval demo` run once per test run (not per worker); never edit its folder: copy it."""
    root = _shared_root(tmp_path_factory)
    folder, record = root / "shared-demo" / "demo", root / "shared-demo.json"
    with FileLock(str(root / "shared-demo.lock")):
        if not record.exists():
            done = impleval("demo", str(folder), env=env)
            prefect_home = Path(env["PREFECT_HOME"])
            empty = not prefect_home.exists() or not any(prefect_home.iterdir())
            outcome = {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
            record.write_text(json.dumps(outcome | {"prefect_home_empty": empty}), "utf-8")
    return BuiltDemo(folder=folder, **json.loads(record.read_text(encoding="utf-8")))


def copy_demo(built: BuiltDemo, target: Path) -> Path:
    """A copy of the built example at ``target`` (timestamps kept), after it built cleanly."""
    assert built.returncode == 0, built.stderr
    shutil.copytree(built.folder, target)
    return target
