"""``--dask`` below the cluster's break-even (:func:`flows.executors.break_even`): the planned work
runs in this process, no cluster is started, one line says so (once a command), and the values
the plan shared reach the units as themselves; forced (``--dask-always``), the units run in the
cluster's worker processes; ``--dask-always`` without a cluster is one line. The command-line
runs on the example (results files, ``distributed`` never imported) are in test_dask.py."""

from __future__ import annotations

import math
import os
from pathlib import Path

import psutil
import pytest

from flows.break_even import LOCAL_BREAK_EVEN_ROWS, below_break_even, break_even
from flows.executors import Call, DaskExecutor, DaskTarget
from flows.progress import Display
from flows.run import run_project
from project.errors import ConfigError
from project.execution import ExecutorSettings


def _pid_and(value: object) -> tuple[int, object]:
    return os.getpid(), value


def test_below_the_break_even_the_units_run_here_and_no_cluster_starts() -> None:
    said: list[str] = []
    executor = DaskExecutor(DaskTarget(workers=2), say=said.append)
    work = LOCAL_BREAK_EVEN_ROWS / 2
    for _ in range(2):  # a second stage below it: nothing more said
        shared = executor.share({"a": 1})
        calls = [Call(f"u{i}", _pid_and, (i,)) for i in range(3)]
        calls.append(Call("shared", _pid_and, (shared,), cost=work))
        results = executor.run(calls, work=work)
        assert results == [
            (os.getpid(), 0),
            (os.getpid(), 1),
            (os.getpid(), 2),
            (os.getpid(), {"a": 1}),
        ]
        assert not executor.started
    executor.close()
    assert said == [below_break_even(DaskTarget(workers=2), work)]
    assert said[0].startswith(f"dask: the planned work ({work:,.0f} respondent rows) is below")
    assert "--dask-always" in said[0] and "local:2" in said[0]


def test_one_local_worker_is_never_worth_starting_and_a_running_cluster_has_its_own() -> None:
    assert math.isinf(break_even(DaskTarget(workers=1)))
    assert "one local worker is never faster" in below_break_even(DaskTarget(workers=1), 10)
    assert 0 < break_even(DaskTarget(workers=2)) == break_even(DaskTarget(workers=8))
    assert break_even(DaskTarget(address="tcp://127.0.0.1:8786")) == 0  # always used


def _trackers() -> set[int]:
    """This process's multiprocessing resource trackers (a local cluster's spawn starts one)."""
    return {
        child.pid
        for child in psutil.Process().children(recursive=True)
        if "resource_tracker" in " ".join(child.cmdline())
    }


@pytest.mark.slow
def test_forced_the_units_run_in_the_clusters_workers_and_nothing_outlives_it() -> None:
    said: list[str] = []
    executor = DaskExecutor(DaskTarget(workers=2), always=True, say=said.append)
    try:
        shared = executor.share("value")
        results = executor.run([Call(f"u{i}", _pid_and, (shared,)) for i in range(4)], work=1.0)
        assert executor.started
        assert _trackers()  # the workers were spawned from here: a tracker runs
    finally:
        executor.close()
    assert said == []
    assert {value for _, value in results} == {"value"}
    assert os.getpid() not in {pid for pid, _ in results}
    assert not _trackers()  # stopped, not left to outlive the command


def test_dask_always_without_a_cluster_is_one_line(example_project: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--dask-always: there is no Dask cluster to use"):
        run_project(example_project, dask_always=True, display=Display(live=False))
    with pytest.raises(ValueError, match="dask_always: true needs dask:"):
        ExecutorSettings(dask_always=True)
    assert ExecutorSettings(dask="local:2", dask_always=True).dask_always
