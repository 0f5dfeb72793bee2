"""Where the analyse stage's CPU goes: the seconds of each kind of work unit, of the imports, and of
the rest (reading the store, assembling and writing the results tables), in one process.

The stage is run in this process on an ingested project (``impleval run --stage ingest`` first)
with the embedded executor, each unit timed by its process CPU (``time.process_time``; linear
algebra on one thread, as the embedded run has it). The results are written to a folder of their
own, so the project's ``output/results/`` stays as it is. Repeats run in the same process: the
first run pays what the units import when first called (as the command does), the later ones
not; both are printed, as a Markdown table. The floor's analyse stage (``bench/floor.py --stage
analyse``) does its statistics in about 0.2 CPU s at 1×, the rest of its CPU is imports: this
table shows which of the pipeline's statistics account for the ratio.

    .venv/bin/python bench/unit_costs.py DIR [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

START = time.process_time()

from flows.analyse import analyse_project  # noqa: E402 - the imports are measured
from flows.executors import Call, InProcess  # noqa: E402
from project.config import load_project  # noqa: E402
from project.layout import ProjectPaths  # noqa: E402

IMPORTS = time.process_time() - START


def unit_kind(name: str) -> str:
    """A unit's kind from its name (``reliability: nomad T0 …`` → ``reliability``)."""
    return name.split(":")[0].split(" ")[0]


class TimedInProcess(InProcess):
    """The embedded executor, adding each call's process CPU to its kind in ``seconds``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    def _timed(self, call: Call) -> Call:
        kind = unit_kind(call.name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return call.function(*args, **kwargs)
            finally:
                self.seconds[kind] += time.process_time() - began
                self.counts[kind] += 1

        return replace(call, function=timed)

    def run(self, calls: Sequence[Call], *, progress: Any = None) -> list[Any]:
        return super().run([self._timed(call) for call in calls], progress=progress)


def one_run(project_dir: Path) -> tuple[float, TimedInProcess]:
    """The stage once: its CPU seconds and the executor's per-kind seconds."""
    paths = ProjectPaths(project_dir)
    executor = TimedInProcess()
    began = time.process_time()
    with tempfile.TemporaryDirectory(prefix="impleval-unit-costs-") as out:
        analyse_project(paths, load_project(paths.root), executor=executor, results_dir=Path(out))
    return time.process_time() - began, executor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="an ingested project folder")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    runs = [one_run(args.project.resolve()) for _ in range(max(2, args.repeats))]
    first, again = runs[0], runs[1:]
    kinds = sorted(first[1].seconds, key=lambda k: -first[1].seconds[k])
    print(
        f"| part | units | CPU s, first run | CPU s, median of {len(again)} more |\n"
        f"|---|--:|--:|--:|\n| imports (once) | | {IMPORTS:.2f} | |"
    )
    for kind in kinds:
        later = statistics.median(ex.seconds[kind] for _, ex in again)
        print(
            f"| units: {kind} | {first[1].counts[kind]} | {first[1].seconds[kind]:.2f} | {later:.2f} |"
        )
    rest = [t - sum(ex.seconds.values()) for t, ex in runs]
    print(
        f"| the rest: store reads, assembling, writing | | {rest[0]:.2f} | "
        f"{statistics.median(rest[1:]):.2f} |"
    )
    later_total = statistics.median(t for t, _ in again)
    print(f"| **the stage, imports excluded** | | **{first[0]:.2f}** | **{later_total:.2f}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
