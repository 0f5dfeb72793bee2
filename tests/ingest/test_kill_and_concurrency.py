"""A killed ingest leaves the store as it was, and a re-run completes; two ingests at once take turns.

Each ingest runs in its own process (``python -c``) on the example project and is killed with SIGKILL
at a chosen point — no clean-up code runs, as when a laptop lid closes or the OOM killer strikes.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import textwrap
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
    from store import warehouse

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
    elif point == "mid_transaction":
        after(warehouse, "insert_frame", lambda con, table, frame: table == "responses")
    elif point == "before_commit":
        after(warehouse, "insert_frame", lambda con, table, frame: table == "free_text")
    elif point == "after_commit":
        after(transaction, "write_validation_page")
    elif point.startswith("timer:"):
        threading.Timer(float(point[6:]), die).start()
    elif point.startswith("slow:"):
        real = warehouse.insert_frame
        def slow(con, table, frame):
            if table == "respondents":
                print("in transaction", flush=True)
                time.sleep(float(point[5:]))
            real(con, table, frame)
        warehouse.insert_frame = slow
    name = {"T0": "nomad_T0.xlsx", "T1": "nomad_T1.csv"}[wave]
    report = survey.ingest_survey(project, project / "inbox" / name, instrument="nomad", wave=wave)
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
        "before_commit",
        f"timer:{random.Random().uniform(0.5, 4.0):.2f}",  # a random moment (logged in the id)
    ],
)
def test_a_killed_ingest_leaves_the_store_as_it_was(example_project: Path, point: str) -> None:
    ingest_survey(
        example_project, example_project / "inbox" / "nomad_T0.xlsx", instrument="nomad", wave="T0"
    )
    before = _state(example_project)
    proc = _start(example_project, "T1", point)
    _, err = proc.communicate(timeout=120)
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


def test_two_ingests_at_once_take_turns(example_project: Path) -> None:
    first = _start(example_project, "T0", "slow:3")
    try:
        assert first.stdout.readline().strip() == "in transaction"  # type: ignore[union-attr]
        second = _start(example_project, "T1", "none")
        out2, err2 = second.communicate(timeout=120)
        out1, err1 = first.communicate(timeout=120)
    finally:
        first.kill()
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert re.search(
        r"^waiting for another impleval command \(pid \d+: ingest nomad_T0\.xlsx\) on this "
        r"project to finish …$",
        err2,
        re.MULTILINE,
    ), err2
    assert out1.strip() == "loaded 202" and out2.strip() == "loaded 150"
    assert _state(example_project)[:2] == (2, 352)
