"""What a person sees while a run works: one line per stage on stdout, and on a terminal a live
progress bar per stage on stderr (rich) that names the step in hand — a file, an instrument, a
kind, a figure, a format. Quiet when stderr is not a terminal (CI, a pipe, Prefect workers).

The stages report through a plain callable ``progress(step, done, total)`` and know nothing of
rich; only this module draws.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

Progress = Callable[[str, int, int], None]
Say = Callable[[str], None]


class Display:
    """Stage lines and, on a terminal, progress bars.

    Parameters
    ----------
    out
        Where the stage lines go (stdout).
    live
        Draw progress bars (default: when stderr is a terminal).
    """

    def __init__(self, out: TextIO | None = None, *, live: bool | None = None) -> None:
        self._out = out or sys.stdout
        self._live = sys.stderr.isatty() if live is None else live
        self._bars: RichProgress | None = None
        self._task: TaskID | None = None
        self._started = 0.0

    def say(self, line: str) -> None:
        """A line for the person at the terminal (above the bars, which stay at the bottom)."""
        if self._bars is not None:
            self._bars.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=self._out, flush=True)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[Progress]:
        """Show the stage's progress while it runs; yields the callable the stage reports to."""
        self._started = time.perf_counter()
        if not self._live:
            yield _quiet
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=sys.stderr)
        with RichProgress(
            TextColumn("[bold]{task.fields[stage]}[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bars:
            self._bars = bars
            self._task = bars.add_task("", total=None, stage=name)
            try:
                yield self._advance
            finally:
                self._bars = None
                self._task = None

    def elapsed(self) -> float:
        """Seconds since the current stage started."""
        return time.perf_counter() - self._started

    def _advance(self, step: str, done: int, total: int) -> None:
        if self._bars is not None and self._task is not None:
            self._bars.update(self._task, description=step, completed=done, total=total or None)


def _quiet(step: str, done: int, total: int) -> None:
    """Progress nobody watches."""
