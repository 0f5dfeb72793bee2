"""Benchmark: ingest the whole inbox of the example project at N times its size (default 10×).

    .venv/bin/python bench/ingest_scale.py [--scale 10] [--repeat 3] [--validator pandas|gx]

The scaled project is written by ``bench/scale_example.py`` (seeded). Each run ingests every inbox
file (surveys, indicators, codings) into a fresh copy in a fresh process, as ``impleval run``'s
ingest stage does without Prefect, and the CPU seconds of that process (user + system) are
measured; the median of the runs is printed with the wall time and the peak memory. Nothing is
asserted: speed is measured here, never in a timed unit test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHILD = """
import sys
from pathlib import Path
from ingest.kinds import inbox_files
from ingest.transaction import ingest_file
from project.config import load_project
from project.layout import ProjectPaths

project = Path(sys.argv[1])
for found in inbox_files(ProjectPaths(project), load_project(project)):
    report = ingest_file(project, found.kind, found.path, found.options)
    print(f"{found.path.name}: {report.rows_read} read = {report.rows_loaded} loaded + "
          f"{report.rows_quarantined} quarantined")
"""


def run_once(source: Path, work: Path, env: dict[str, str]) -> tuple[float, float, float, str]:
    """One ingest of the whole inbox in a fresh process: (CPU s, wall s, peak MiB, its output)."""
    project = work / "project"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(source, project)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(project)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss / 1024, done.stdout


def main() -> None:
    from bench.scale_example import write_scaled_project

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--validator", choices=("pandas", "gx"), default="pandas")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="impleval-bench-") as tmp:
        work = Path(tmp)
        source = write_scaled_project(work / "source", scale=args.scale)
        env = dict(os.environ, PYTHONPATH=str(REPO), IMPLEVAL_VALIDATOR=args.validator)
        env["IMPLEVAL_KEY_FILE"] = str(work / "bench.key")
        (work / "bench.key").write_text("ab" * 32 + "\n", encoding="ascii")
        (work / "bench.key").chmod(0o600)
        runs = [run_once(source, work, env) for _ in range(args.repeat)]
    print(runs[0][3], end="")
    cpu = [r[0] for r in runs]
    print(
        f"ingest of the inbox at {args.scale}x ({args.validator}): CPU "
        f"{statistics.median(cpu):.1f} s median of {len(cpu)} "
        f"({', '.join(f'{c:.1f}' for c in cpu)}); wall {statistics.median(r[1] for r in runs):.1f} "
        f"s; peak memory {max(r[2] for r in runs):,.0f} MiB"
    )


if __name__ == "__main__":
    main()
