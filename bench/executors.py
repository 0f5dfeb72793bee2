"""The analyse stage alone under each executor: embedded, then Dask with 1, 2, … workers.

For each scale: write the project (``bench/generate.py``), ingest it once (not measured), then per
executor run ``impleval run --stage analyse --force [--dask E]`` on a fresh copy of the ingested
project, measured like every benchmark row (``bench/measure.py``: wall, CPU of the whole process
tree — the local cluster's workers included —, the largest resident set of any one process), and
compare its results files byte for byte with the embedded run's. The figures of docs/scale.md.
A ``--dask`` run whose planned work is below the cluster's break-even runs in its own process
(``in_process`` in its row); ``local:2+always`` adds ``--dask-always`` (the cluster anyway).

    .venv/bin/python bench/executors.py --scales 1 10 [--executors embedded local:1 local:2]
                                        [--max-rss-gib 6] [--timeout S]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

from measure import become_subreaper, measure
from run import BENCH, base_environment, generate, pipeline_command, same_results

#: What a ``--dask`` run says when it keeps the units in its own process (flows/break_even.py).
BELOW = "is below the cluster's break-even"


def _row(scale: int, executor: str, sample, differing: list[str] | None) -> dict:
    return {
        "scale": scale,
        "executor": executor,
        "ok": sample.ok,
        "wall_s": round(sample.wall_s, 1),
        "cpu_s": round(sample.cpu_s, 1),
        "peak_mib": round(sample.peak_mib),
        "identical": None if differing is None else not differing,
        "differing": differing or [],
        "notes": sample.notes,
    }


def run_scale(scale: int, session: Path, args: argparse.Namespace) -> list[dict]:
    env = base_environment(session) | {"XDG_CONFIG_HOME": str(session / "config")}
    template = session / f"{scale}x"
    generate(scale, template, env, args.seed).check_returncode()
    ingest = measure(
        pipeline_command(template, stage="ingest", force=True),
        env=env,
        log=session / f"{scale}x-ingest.log",
        timeout=args.timeout,
        max_rss_mib=args.max_rss_gib * 1024,
    )
    print(f"{scale}×: ingest (not in the table) {ingest.wall_s:.1f} s", flush=True)
    rows, embedded = [], None
    for executor in args.executors:
        name = executor.replace(":", "").replace("+", "-")
        project = session / f"{scale}x-{name}"
        shutil.copytree(template, project)
        dask = None if executor == "embedded" else executor  # local:2+always: --dask-always
        sample = measure(
            pipeline_command(project, stage="analyse", force=True, dask=dask),
            env=env,
            log=session / f"{scale}x-{name}.log",
            timeout=args.timeout,
            max_rss_mib=args.max_rss_gib * 1024,
        )
        here = BELOW in sample.log.read_text(errors="replace")
        results = project / "output" / "results"
        differing = None
        if executor == "embedded":
            embedded = results
        elif embedded is not None and sample.ok:
            differing = same_results(embedded, results)
        rows.append(_row(scale, executor, sample, differing) | {"in_process": here})
        print(json.dumps(rows[-1]), flush=True)
        if not sample.ok:
            print(sample.log.read_text(errors="replace")[-2000:], flush=True)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| scale | analyse on | wall s | CPU s | peak MiB (one process) | results files |",
        "|---|---|--:|--:|--:|---|",
    ]
    for r in rows:
        same = {None: "(reference)", True: "identical", False: "DIFFER"}[r["identical"]]
        state = "" if r["ok"] else f" (failed: {'; '.join(r['notes'])})"
        where = " (in this process: below the break-even)" if r.get("in_process") else ""
        lines.append(
            f"| {r['scale']}× | {r['executor']}{where}{state} | {r['wall_s']} | {r['cpu_s']} | "
            f"{r['peak_mib']} | {same} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--executors", nargs="+", default=["embedded", "local:1", "local:2"])
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--max-rss-gib", type=float, default=6.0)
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "executors.json")
    args = parser.parse_args(argv)
    become_subreaper()
    session = Path(tempfile.mkdtemp(prefix="impleval-executors-"))
    rows: list[dict] = []
    try:
        for scale in args.scales:
            rows += run_scale(scale, session, args)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(session, ignore_errors=True)
    print(table(rows))
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
