"""One `impleval demo` per pytest-xdist worker, shared by the modules that worker runs.

test_end_to_end.py and test_report_kinds.py used to build the example through the real command
once each. Now a session fixture builds it once per worker and records what the command printed;
every module works on its own copy of the built folder (`shutil.copytree` keeps the timestamps,
so the copy is up to date as the original), so tests that edit or add files stay independent.
The key lives in the worker's config home, so every copy opens the same store. The build is not
shared across workers: a worker waiting for the other's build would sit idle (measured: the two
modules side by side took longer in wall time than with one build each).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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


def fresh_environ(base: Path, **extra: str) -> dict[str, str]:
    """This process's environment without Prefect's settings or a key file, with an empty config
    and cache under ``base`` (a new user's), and ``extra`` variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ |= {"XDG_CONFIG_HOME": str(base / "config"), "XDG_CACHE_HOME": str(base / "cache")}
    environ.pop("IMPLEVAL_KEY_FILE", None)
    return environ | extra


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh, empty config, cache and Prefect home for the real command, for this worker."""
    base = tmp_path_factory.mktemp("e2e-home")
    return fresh_environ(base, PREFECT_HOME=str(base / "prefect"))


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
    """`impleval demo` run once per worker; never edit its folder: copy it (`copy_demo`)."""
    folder = tmp_path_factory.mktemp("shared-demo") / "demo"
    done = impleval("demo", str(folder), env=env)
    prefect_home = Path(env["PREFECT_HOME"])
    empty = not prefect_home.exists() or not any(prefect_home.iterdir())
    return BuiltDemo(folder, done.returncode, done.stdout, done.stderr, empty)


def copy_demo(built: BuiltDemo, target: Path) -> Path:
    """A copy of the built example at ``target`` (timestamps kept), after it built cleanly."""
    assert built.returncode == 0, built.stderr
    shutil.copytree(built.folder, target)
    return target
