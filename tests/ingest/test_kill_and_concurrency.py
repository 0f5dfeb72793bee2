"""A killed ingest leaves the store as it was, and a re-run completes; commands started together
take turns on the store and all finish.

Each ingest runs in its own process (``python -c``) on the example project and is killed with SIGKILL
at a chosen point — no clean-up code runs, as when a laptop lid closes or the OOM killer strikes.
Processes that must overlap are synchronised with files, never with sleeps that assume timing: a
holder writes ``ready`` inside its transaction (or read) and waits for ``release``; the other
process's "waiting for …" line on stderr shows that it is blocked on the project lock.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingest.survey import ingest_survey

REPO = Path(__file__).resolve().parents[2]

_HARNESS = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from pathlib import Path
    from ingest import survey, transaction
    from store import staging, warehouse

    project, wave, point = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def after(module, name, when=lambda *a, **k: True):
        real = getattr(module, name)
        def hooked(*a, **k):
            out = real(*a, **k)
            if when(*a, **k):
                die()
            return out
        setattr(module, name, hooked)

    if point == "after_landing":
        after(transaction, "land_file")
    elif point == "after_validation":
        after(survey, "judge")
    elif point.startswith("mid_transaction"):  # "_staged": the responses via staging files
        staging.STAGING_ROWS = 0 if point.endswith("_staged") else staging.STAGING_ROWS
        after(staging, "insert_frames", lambda con, table, frames, rows: table == "responses")
    elif point == "before_commit":
        after(warehouse, "insert_frame", lambda con, table, frame: table == "free_text")
    elif point == "after_commit":
        after(transaction, "write_validation_page")
    elif point.startswith("timer:"):
        threading.Timer(float(point[6:]), die).start()
    elif point.startswith("hold:"):  # inside the transaction: say so, wait to be released
        real = warehouse.insert_frame
        def held(con, table, frame):
            if table == "respondents":
                Path(point[5:], "ready").write_text(str(os.getpid()))
                while not Path(point[5:], "release").exists():
                    time.sleep(0.01)
            real(con, table, frame)
        warehouse.insert_frame = held
    name = {"T0": "nomad_T0.xlsx", "T1": "nomad_T1.csv"}[wave]
    report = survey.ingest_survey(project, project / "inbox" / name, instrument="nomad", wave=wave)
    from ingest.report import write_quarantine_report  # then read the store, as the command does
    from project.layout import ProjectPaths
    write_quarantine_report(ProjectPaths(project))
    print(report.status, report.rows_loaded, flush=True)
    """
)


def _start(project: Path, wave: str, point: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", _HARNESS, str(project), wave, point],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _state(project: Path) -> tuple:
    con = duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        tables = ("ingests", "respondents", "responses", "quarantine")
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in tables
        )
    finally:
        con.close()


def _t1(project: Path):
    return ingest_survey(project, project / "inbox" / "nomad_T1.csv", instrument="nomad", wave="T1")


@pytest.mark.parametrize(
    "point",
    [
        "after_landing",
        "after_validation",
        "mid_transaction",
        "mid_transaction_staged",
        "before_commit",
        "timer:random",  # a random moment, drawn at run time and named in a failure's message
    ],
)
def test_a_killed_ingest_leaves_the_store_as_it_was(example_project: Path, point: str) -> None:
    if point == "timer:random":  # the id stays fixed so that parallel workers collect alike
        point = f"timer:{random.Random().uniform(0.5, 4.0):.2f}"
    ingest_survey(
        example_project, example_project / "inbox" / "nomad_T0.xlsx", instrument="nomad", wave="T0"
    )
    before = _state(example_project)
    proc = _start(example_project, "T1", point)
    _, err = proc.communicate(timeout=120)
    err = f"[{point}] {err}"
    after = _state(example_project)
    if after != before:  # only a random moment may fall after the commit: then all of it is in
        assert point.startswith("timer:"), err
        assert after[:2] == (before[0] + 1, before[1] + 150)
        assert _t1(example_project).status == "already_loaded"
        return
    assert proc.returncode == -9, err  # killed, and nothing of the killed ingest is in the store
    report = _t1(example_project)  # and a re-run completes
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded", 150, 2)
    assert _state(example_project)[0] == before[0] + 1


def test_killed_after_commit_the_load_stands(example_project: Path) -> None:
    proc = _start(example_project, "T1", "after_commit")
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    assert _state(example_project)[:2] == (1, 150)
    assert _t1(example_project).status == "already_loaded"


_READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from store import reads, warehouse

    project, hold = Path(sys.argv[1]), sys.argv[2]
    with warehouse.open_warehouse(project / ".impleval" / "warehouse.duckdb", read_only=True) as con:
        if hold != "-":  # holding the store open: say so, wait to be released
            Path(hold, "ready").write_text("reader")
            while not Path(hold, "release").exists():
                time.sleep(0.01)
        summary = reads.ingest_summary(con)
    print(" ".join(f"{w}:{n}" for w, n in zip(summary["wave"], summary["rows_loaded"])), flush=True)
    """
)
WAITING = (
    r"^waiting for another impleval command \(pid {pid}: {purpose}\) on this project to "
    r"finish …$"
)


def _reader(project: Path, hold: str = "-") -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", _READER, str(project), hold],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ready(signals: Path, proc: subprocess.Popen) -> None:
    """Wait until ``proc`` holds the store (it wrote ``ready``)."""
    while not (signals / "ready").exists():
        if proc.poll() is not None:
            raise AssertionError(f"the holder ended before holding: {proc.communicate()}")
        time.sleep(0.01)


def _blocked(proc: subprocess.Popen, pattern: str) -> None:
    """Read ``proc``'s stderr until it says it waits (it only says so when blocked)."""
    assert proc.stderr is not None
    lines = []
    for line in iter(proc.stderr.readline, ""):
        lines.append(line)
        if re.match(pattern, line.rstrip("\n")):
            return
    raise AssertionError(f"never waited: {''.join(lines)}")


def _take_turns(
    signals: Path,
    holder: Callable[[], subprocess.Popen],
    other: Callable[[], subprocess.Popen],
    purpose: str,
) -> list[tuple[int, str, str]]:
    """Start ``holder`` (it holds the store until released), then ``other``, which must wait for
    it; release the holder; (exit code, stdout, stderr) of both once they finished."""
    procs = [holder()]
    try:
        _ready(signals, procs[0])
        procs.append(other())
        _blocked(procs[1], WAITING.format(pid=procs[0].pid, purpose=purpose))
        (signals / "release").write_text("go")
        outputs = [p.communicate(timeout=120) for p in procs]
        return [(p.returncode, *out) for p, out in zip(procs, outputs, strict=True)]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


@pytest.fixture
def signals(tmp_path: Path) -> Path:
    folder = tmp_path / "signals"
    folder.mkdir()
    return folder


def test_two_ingests_of_different_files_started_together_both_land_and_load(
    example_project: Path, signals: Path
) -> None:
    first, second = _take_turns(
        signals,
        lambda: _start(example_project, "T0", f"hold:{signals}"),
        lambda: _start(example_project, "T1", "none"),
        r"ingest nomad_T0\.xlsx",
    )
    assert first[0] == second[0] == 0, first[2] + second[2]
    assert first[1].strip() == "loaded 202" and second[1].strip() == "loaded 150"
    assert _state(example_project)[:2] == (2, 352)
    raw = example_project / ".impleval" / "raw"
    assert len(list(raw.glob("*.xlsx"))) == len(list(raw.glob("*.csv"))) == 1


def _t0(project: Path) -> None:
    ingest_survey(project, project / "inbox" / "nomad_T0.xlsx", instrument="nomad", wave="T0")


def test_a_reader_waits_for_an_ingest_and_reads_what_it_loaded(
    example_project: Path, signals: Path
) -> None:
    _t0(example_project)
    ingest, reader = _take_turns(
        signals,
        lambda: _start(example_project, "T1", f"hold:{signals}"),
        lambda: _reader(example_project),
        r"ingest nomad_T1\.csv",
    )
    assert ingest[0] == reader[0] == 0, ingest[2] + reader[2]
    assert ingest[1].strip() == "loaded 150"
    assert reader[1].strip() == "T0:202 T1:150"  # the reader saw the committed load


def test_an_ingest_waits_for_a_reader_then_loads(example_project: Path, signals: Path) -> None:
    _t0(example_project)
    reader, ingest = _take_turns(
        signals,
        lambda: _reader(example_project, hold=str(signals)),
        lambda: _start(example_project, "T1", "none"),
        "read the store",
    )
    assert reader[0] == ingest[0] == 0, reader[2] + ingest[2]
    assert reader[1].strip() == "T0:202" and ingest[1].strip() == "loaded 150"
    assert _state(example_project)[:2] == (2, 352)
