"""The analysis on a real Dask cluster (``impleval run --dask``): a ``LocalCluster`` of two worker
processes (``local:2 --dask-always``) and a ``dask scheduler`` with two ``dask worker`` processes
started from the command line give results files byte-identical to the embedded run; a wrong or
unreachable address is one line with a hint, never a traceback. Below the cluster's break-even
(the example's analysis), ``--dask local:2`` starts no cluster — the command never even imports
``distributed`` — says so in one line and writes the embedded run's results files.

Everything listens on 127.0.0.1. The runs take minutes on a 2-core machine: marked slow.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.executors import UNIT_MODULES, DaskExecutor, DaskTarget, parse_dask
from project.errors import ConfigError
from tests.conftest import EXAMPLE
from tests.flows.conftest import fresh_environ

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("dask-home")
    return fresh_environ(base, DASK_TEMPORARY_DIRECTORY=str(base / "dask"))


def impleval(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "impleval"), *args], capture_output=True, text=True, env=env, timeout=1800
    )


#: The command as ``impleval`` runs it, then one line on stderr: whether it imported ``distributed``
#: (no client, no LocalCluster, no worker without it).
WATCHED = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('watch: distributed imported:', 'distributed' in sys.modules,"
    " file=sys.stderr))\n"
    "sys.argv = ['impleval', *sys.argv[1:]]\n"
    "from flows.quick import main\n"
    "main()\n"
)


def watched(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``impleval *args``, saying at its exit whether it imported ``distributed``."""
    return subprocess.run(
        [sys.executable, "-c", WATCHED, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )


def _results(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project / "output/results").glob("*.csv"))}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """The example with its inbox ingested (the store is what every run below analyses)."""
    project = tmp_path_factory.mktemp("dask") / "ingested"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".impleval", "output", "gen*"))
    done = impleval("run", "-p", str(project), "--stage", "ingest", env=env)
    assert done.returncode == 0, done.stderr
    return project


@pytest.fixture(scope="module")
def analysed(ingested: Path, env: dict[str, str]) -> Path:
    """The example, ingested and analysed in this process (embedded)."""
    project = ingested.parent / "embedded"
    shutil.copytree(ingested, project)
    done = impleval("run", "-p", str(project), "--stage", "analyse", "--force", env=env)
    assert done.returncode == 0, done.stderr
    return project


@pytest.fixture(scope="module")
def embedded(analysed: Path) -> dict[str, bytes]:
    """The embedded run's results files."""
    results = _results(analysed)
    assert len(results) > 20
    return results


def _differing(ours: dict[str, bytes], theirs: dict[str, bytes]) -> list[str]:
    assert sorted(ours) == sorted(theirs)
    return [name for name in ours if ours[name] != theirs[name]]


@pytest.mark.slow
def test_local_cluster_gives_the_embedded_results(
    ingested: Path, embedded: dict[str, bytes], env: dict[str, str]
) -> None:
    project = ingested.parent / "local2"
    shutil.copytree(ingested, project)
    args = ("run", "-p", str(project), "--stage", "analyse", "--force", "--dask", "local:2")
    done = watched(*args, "--dask-always", env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "watch: distributed imported: True" in done.stderr
    assert "break-even" not in done.stdout
    assert _differing(embedded, _results(project)) == []


@pytest.mark.slow
def test_below_the_break_even_local2_runs_here_and_starts_no_cluster(
    ingested: Path, embedded: dict[str, bytes], env: dict[str, str]
) -> None:
    project = ingested.parent / "below"
    shutil.copytree(ingested, project)
    args = ("run", "-p", str(project), "--stage", "analyse", "--force", "--dask", "local:2")
    done = watched(*args, env=env)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines() if line.startswith("dask:")]
    assert len(said) == 1, done.stdout
    assert "is below the cluster's break-even" in said[0] and "--dask-always" in said[0]
    assert "watch: distributed imported: False" in done.stderr
    assert _differing(embedded, _results(project)) == []


@pytest.mark.slow
def test_a_local_clusters_workers_import_the_units_modules_and_allocate_as_embedded() -> None:
    """The workers start without Dask's fixed glibc trim threshold (it made them spend as much
    CPU in the kernel as in Python) and import the units' modules as soon as they connect."""
    executor = DaskExecutor(DaskTarget(workers=1))
    try:
        client = executor._connect()
        seen: dict[str, Any] = {}
        for _ in range(600):  # bounded: the import runs apart from the tasks
            seen = client.run(_worker_state)
            if all(state[1] for state in seen.values()):
                break
            time.sleep(0.1)
        assert [state for state in seen.values()] == [(None, True)]
    finally:
        executor.close()


def _worker_state() -> tuple[str | None, bool]:
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), all(m in sys.modules for m in UNIT_MODULES)


def _comparable(path: Path) -> bytes | str:
    """A report file as two renderings of it must agree: its bytes; a PDF's text (typst's bytes
    differ from run to run); a manifest without its clock and the PDFs' hashes."""
    from pypdf import PdfReader

    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.name != "manifest.json":
        return path.read_bytes()
    manifest = json.loads(path.read_bytes())
    for entry in manifest["reports"].values():
        assert entry.pop("generated_at")
        for output in entry["outputs"]:
            if output["path"].endswith(".pdf"):
                output.pop("sha256"), output.pop("bytes")
    return json.dumps(manifest, sort_keys=True)


def _reports(project: Path) -> dict[str, bytes | str]:
    """Every file ``report --for all`` wrote, by its path under the organisations' folder."""
    folder = project / "output/reports/organisations"
    return {
        p.relative_to(folder).as_posix(): _comparable(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_reports_per_organisation_on_a_local_cluster_are_the_embedded_ones(
    analysed: Path, env: dict[str, str]
) -> None:
    """``report --for all`` renders one unit per organisation (its analysis, figures, pandoc and
    typst on the worker): the same files, with the same bytes, as rendered in this process."""
    written = {}
    forced = ("--dask", "local:2", "--dask-always")  # the analyses of the cuts too
    for name, extra in (("report-embedded", ()), ("report-local2", forced)):
        project = analysed.parent / name
        shutil.copytree(analysed, project)
        args = ("report", "-p", str(project), "--for", "all", "--format", "html,docx,pdf")
        done = impleval(*args, *extra, env=env)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        written[name] = (_reports(project), done.stdout.replace(str(project), "PROJECT"))
    (ours, our_lines), (theirs, their_lines) = written.values()
    assert sorted(ours) == sorted(theirs)
    assert len([n for n in ours if n.endswith("report_sv.pdf")]) == 13
    assert [n for n in ours if ours[n] != theirs[n]] == []
    assert our_lines == their_lines  # the same report paths, in the same (plan) order


@pytest.fixture
def dask_cluster(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and two ``dask worker`` processes (one thread each) on 127.0.0.1."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port)]
    worker = [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--host", "127.0.0.1"]
    processes = [
        subprocess.Popen([*scheduler, "--dashboard-address", ":0"], **common),  # type: ignore[call-overload]
        *(
            subprocess.Popen([*worker, "--local-directory", str(tmp_path / f"w{i}")], **common)  # type: ignore[call-overload]
            for i in range(2)
        ),
    ]
    try:
        _wait_for_workers(address, 2)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _wait_for_workers(address: str, n: int) -> None:
    from distributed import Client

    deadline = time.monotonic() + 180
    with Client(address, timeout=120) as client:
        while len(client.scheduler_info()["workers"]) < n:
            assert time.monotonic() < deadline, f"fewer than {n} Dask workers after 180 s"
            time.sleep(0.5)


@pytest.mark.slow
def test_a_scheduler_and_workers_from_the_command_line_give_the_embedded_results(
    ingested: Path, embedded: dict[str, bytes], env: dict[str, str], dask_cluster: str
) -> None:
    project = ingested.parent / "cluster"
    shutil.copytree(ingested, project)
    args = ("run", "-p", str(project), "--stage", "analyse", "--force", "--dask", dask_cluster)
    done = impleval(*args, env=env)
    assert done.returncode == 0, done.stderr
    assert _differing(embedded, _results(project)) == []


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("local:2", DaskTarget(workers=2)),
        ("tcp://127.0.0.1:8786", DaskTarget(address="tcp://127.0.0.1:8786")),
        (" tcp://scheduler.example.org:8786 ", DaskTarget("tcp://scheduler.example.org:8786")),
    ],
)
def test_dask_addresses(text: str, target: DaskTarget) -> None:
    assert parse_dask(text) == target


@pytest.mark.parametrize("text", ["local:0", "local", "8786", "http://127.0.0.1:8786", "tcp://x"])
def test_a_wrong_address_is_refused_with_both_spellings(text: str) -> None:
    with pytest.raises(ConfigError, match=r"Expected tcp://HOST:PORT .* or local:N"):
        parse_dask(text)


def test_a_wrong_address_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "impleval"), "run", "-p", str(tmp_path), "--dask", "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: --dask: '127.0.0.1' is not a Dask scheduler address")
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".impleval", "output", "gen*"))
    nobody = f"tcp://127.0.0.1:{free_port()}"
    args = ("run", "-p", str(project), "--stage", "analyse", "--force", "--dask", nobody)
    done = impleval(*args, env=env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --dask {nobody}: no Dask scheduler")
    assert "dask scheduler" in lines[0]
