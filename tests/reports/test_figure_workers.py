"""reports.build.figure_workers: how many processes draw a report's figures."""

from __future__ import annotations

import multiprocessing
import os

from reports.build import FIGURES_FOR_TWO, figure_workers


def _usable() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def test_a_requested_number_is_kept() -> None:
    assert figure_workers(3, 1) == 3
    assert figure_workers(1, 500) == 1


def test_few_figures_are_drawn_in_the_reports_own_process() -> None:
    assert figure_workers(0, FIGURES_FOR_TWO - 1) == 1
    assert figure_workers(0, 0) == 1


def test_many_figures_get_two_processes_where_two_cores_are_usable() -> None:
    assert figure_workers(0, FIGURES_FOR_TWO) == min(2, _usable())
    assert figure_workers(0, 10 * FIGURES_FOR_TWO) == min(2, _usable())


def _in_daemon(out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    out.put(figure_workers(0, 10 * FIGURES_FOR_TWO))


def test_a_daemon_process_never_starts_a_pool() -> None:
    """A Dask worker is a daemon process, which may not start children."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_in_daemon, args=(out,), daemon=True)
    child.start()
    try:
        assert out.get(timeout=120) == 1
    finally:
        child.join(timeout=60)
