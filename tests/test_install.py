"""impleval installs like a tool: the wheel carries everything it needs at run time, and the
`impleval` it installs into a fresh venv runs the worked example of every command's help, starting
with `impleval demo` (the same as `pipx install` or `uv tool install` would give).

Built and installed offline: the wheel from this checkout with uv, its dependencies as uv.lock pins
them, from uv's cache (which `make test` has filled); `uv pip check` then confirms the wheel's own
requirements are met. Slow (it runs the whole demo): deselect with
`-m "not slow"`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.main import get_command

from flows import cli

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "discharge-planning"
ORIGINAL_ENV = dict(os.environ)  # before the test-wide fixtures point caches elsewhere
COMMANDS = get_command(cli.app).list_commands(None)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path
    env: dict[str, str]
    work: Path

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=cwd or self.work,
            timeout=1200,
        )


def _uv() -> str:
    found = shutil.which("uv", path=ORIGINAL_ENV.get("PATH")) or REPO / ".tools" / "bin" / "uv"
    assert Path(found).is_file(), "uv builds and installs the wheel: run `make bootstrap` first"
    return str(found)


def _checked(args: list[str], **kwargs) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{' '.join(args[:3])} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("install")
    uv = _uv()
    uv_env = {**ORIGINAL_ENV, "UV_PYTHON_DOWNLOADS": "never"}
    uv_env.pop("VIRTUAL_ENV", None)
    uv_env["UV_CACHE_DIR"] = _checked([uv, "cache", "dir"], env=uv_env).strip()
    _checked([uv, "build", "--offline", "--out-dir", str(base / "dist"), str(REPO)], env=uv_env)
    (wheel,) = (base / "dist").glob("impleval-*.whl")
    # uv.lock's run-time packages with their URLs: uv's cache knows them by URL, offline.
    lock = base / "pylock.toml"
    export = "export --frozen --offline --no-dev --no-emit-project --format pylock.toml"
    _checked([uv, *export.split(), "-o", str(lock)], env=uv_env, cwd=REPO)
    venv = base / "venv"
    _checked([uv, "venv", "--offline", "--python", sys._base_executable, str(venv)], env=uv_env)
    into = ["--offline", "--python", str(venv / "bin" / "python")]
    _checked([uv, "pip", "install", *into, "-r", str(lock)], env=uv_env)
    _checked([uv, "pip", "install", *into, "--no-deps", str(wheel)], env=uv_env)
    _checked([uv, "pip", "check", *into], env=uv_env)  # the wheel's requirements are all met
    env = {k: v for k, v in ORIGINAL_ENV.items() if not k.startswith(("PREFECT_", "IMPLEVAL_"))}
    for key in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"):
        env.pop(key, None)  # bytecode is written on first import: no compile step at install
    env |= {
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "PREFECT_HOME": str(base / "prefect"),
        # Prefect's temporary server migrates its database on a fresh home; on a busy machine
        # that takes longer than its default 20 s.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }
    work = base / "work"
    work.mkdir()
    return Installed(wheel=wheel, bin=venv / "bin", env=env, work=work)


def _data_files(root: Path, package: str) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in (root / package).rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }


def test_the_wheel_carries_what_running_needs(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for package in ("instruments", "ingest", "reports", "validation", "project", "privacy"):
        missing = _data_files(REPO, package) - names
        assert not missing, missing
    assert "instruments/npt-codebook/codebook.yaml" in names
    assert "ingest/profiles/qda/maxqda.yaml" in names
    example = {
        "flows/examples/discharge-planning/" + p.relative_to(EXAMPLE).as_posix()
        for p in EXAMPLE.rglob("*")
        if p.is_file()
        and not p.name.startswith("generate")
        and not {".impleval", "output", "__pycache__"} & set(p.relative_to(EXAMPLE).parts)
    }
    shipped = {n for n in names if n.startswith("flows/examples/")}
    assert shipped == example
    assert not any(n.startswith("tests/") for n in names)


def test_the_installed_tool_is_the_wheel(installed: Installed) -> None:
    done = installed.run("impleval", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "impleval 0.1.0"
    where = installed.run("python", "-c", "import flows, project; print(flows.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(installed.bin.parent)


def _example(command: str, installed: Installed) -> list[str]:
    """The worked example in the installed tool's `impleval <command> --help`."""
    done = installed.run("impleval", command, "--help")
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    # the first worked example (report shows two: an interim report, then one per organisation)
    example = next(line for line in lines if line.startswith(f"impleval {command} "))
    return example.split()


@pytest.fixture(scope="module")
def demo(installed: Installed) -> subprocess.CompletedProcess[str]:
    """`impleval demo`'s own example; the other examples run on the folder it writes."""
    return installed.run(*_example("demo", installed))


def test_demo_runs_from_the_wheel(installed: Installed, demo) -> None:
    assert demo.returncode == 0, demo.stderr
    assert "Traceback" not in demo.stderr
    folder = installed.work / "impleval-demo"
    tail = demo.stdout.strip().splitlines()[-3:]
    assert tail == [f"  {folder}/output/reports/report_sv.{f}" for f in ("html", "pdf", "docx")]
    assert all(Path(line.strip()).stat().st_size > 0 for line in tail)
    assert not list(folder.glob("generate*.py"))


# `server` and `serve` need a Prefect server: tests/flows/test_serve.py runs them against one.
@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("demo", "server", "serve")])
def test_every_help_example_runs_on_the_demo(installed: Installed, demo, command: str) -> None:
    assert demo.returncode == 0, "the demo failed; see test_demo_runs_from_the_wheel"
    done = installed.run(*_example(command, installed))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    folder = installed.work / "impleval-demo"
    if command == "init":
        load = "from project.config import load_project; print(load_project('my-evaluation').id)"
        assert installed.run("python", "-c", load).stdout.strip() == "my-evaluation"
    elif command == "run":
        assert done.stdout.splitlines()[:2] == ["up to date", "Reports:"]
    elif command == "report":
        interim = folder / "output" / "reports" / "interim-2018-06-30"
        assert (interim / "report_sv.docx").stat().st_size > 0
    elif command == "ingest":
        assert "nomad_T1.csv" in done.stdout
