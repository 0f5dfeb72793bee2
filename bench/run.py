"""``make bench``: the pipeline at 1×, 10× and 100× the example, stage by stage, against a floor.

For each scale: write the project with ``bench/generate.py`` (seeded), then per repeat, in a fresh
copy of it, run the pipeline's stages as separate processes through the CLI (ingest, analyse,
report, each with ``--force``), an up-to-date ``impleval run`` after them, and the plain-script
floor's three stages (``bench/floor.py``). Each process is measured by ``bench/measure.py`` (wall,
CPU of the whole process tree, peak memory); the table gives medians over the repeats and each
stage's CPU as a multiple of the floor's. Nothing is asserted; a failing stage prints its error and
the benchmark goes on with the next scale.

    .venv/bin/python bench/run.py [--scales 1 10 100 1000] [--repeats N] [--full-run-at 1]
                                  [--executors embedded local:1 local:2]
                                  [--long-rows 1000000] [--timeout S] [--keep]

Results: ``bench/results/<scale>x-<git short sha>.md`` and ``.json`` (see docs/benchmark.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from compare import compare_results
from long_export import write_long_export
from measure import Sample, become_subreaper, measure
from report_table import rows_for_scale, write_results

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = sys.executable
IMPLEVAL = str(Path(sys.executable).parent / "impleval")
STAGES = ("ingest", "analyse", "report")
DEFAULT_SCALES = (1, 10, 100)
#: ``--executors local:2+always``: ``--dask local:2 --dask-always``.
ALWAYS = "+always"


def pipeline_command(
    project: Path, *, stage: str | None = None, force: bool = False, dask: str | None = None
) -> list[str]:
    """How the pipeline is started: the one place to change when the CLI changes. ``dask``
    ending in ``+always`` (``local:2+always``) adds ``--dask-always``: the cluster even below
    its break-even (flows/break_even.py)."""
    command = [IMPLEVAL, "run", "-p", str(project)]
    if stage:
        command += ["--stage", stage]
    if force:
        command.append("--force")
    if dask:
        command += ["--dask", dask.removesuffix(ALWAYS)]
        command += ["--dask-always"] if dask.endswith(ALWAYS) else []
    return command


def dask_row(executor: str) -> str:
    """The row of the analyse stage run on a Dask cluster (``--executors local:2``)."""
    return f"analyse (dask {executor})"


def same_results(ours: Path, theirs: Path) -> list[str]:
    """The results files that differ between two folders (byte for byte), or are in one only."""
    names = sorted({p.name for p in ours.glob("*.csv")} | {p.name for p in theirs.glob("*.csv")})
    return [
        n
        for n in names
        if not (ours / n).is_file()
        or not (theirs / n).is_file()
        or (ours / n).read_bytes() != (theirs / n).read_bytes()
    ]


def long_ingest_command(project: Path, export: Path) -> list[str]:
    """The long-export case: one file through ``impleval ingest`` with its export profile."""
    options = ["--kind", "survey", "--instrument", "nomad", "--wave", "T1", "--profile", "long"]
    return [IMPLEVAL, "ingest", str(export), *options, "-p", str(project)]


def floor_command(project: Path, stage: str) -> list[str]:
    return [PYTHON, str(BENCH / "floor.py"), str(project), "--stage", stage]


def base_environment(session: Path) -> dict[str, str]:
    """The user's environment, with Prefect and the caches in the session's folder.

    A team server (``PREFECT_API_URL``) is left out: the benchmark measures local, embedded runs,
    which start no Prefect server (the timeout setting only matters for the "before" figures of
    commits that still did).
    """
    env = dict(os.environ)
    for name in ("PREFECT_API_URL", "IMPLEVAL_KEY_FILE", "IMPLEVAL_DEBUG"):
        env.pop(name, None)
    env |= {
        "PREFECT_HOME": str(session / "prefect-home"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "XDG_CACHE_HOME": str(session / "cache"),
        "MPLCONFIGDIR": str(session / "matplotlib"),
    }
    return env


def _limit(args: argparse.Namespace) -> float | None:
    """The memory guard in MiB: the machine is shared, a runaway stage must not take it all."""
    return args.max_rss_gib * 1024 if args.max_rss_gib else None


def _say(text: str) -> None:
    print(text, flush=True)


def _describe(sample: Sample) -> str:
    state = "ok" if sample.ok else f"FAILED (exit {sample.exit_code})"
    extra = f"; {'; '.join(sample.notes)}" if sample.notes else ""
    return f"{sample.wall_s:7.1f} s wall {sample.cpu_s:7.1f} s CPU {sample.peak_mib:6.0f} MiB  {state}{extra}"


def _failure(what: str, sample: Sample) -> str:
    tail = sample.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
    _say(f"    {what} failed; the last lines it printed:")
    for line in tail:
        _say(f"      {line}")
    if sample.exit_code < 0:  # a signal: the log's last line is not the cause
        return f"{what} failed (exit {sample.exit_code}; {'; '.join(sample.notes)})"
    return f"{what} failed (exit {sample.exit_code}): {tail[-1] if tail else 'no output'}"


def run_repeat(
    project: Path, env: dict[str, str], logs: Path, args: argparse.Namespace, *, full_run: bool
) -> dict:
    """One repeat on a fresh copy: the pipeline's stages, up to date, (full run), the floor."""
    samples: dict[str, Sample] = {}
    plan = [(stage, pipeline_command(project, stage=stage, force=True)) for stage in STAGES]
    dask = [
        (dask_row(e), pipeline_command(project, stage="analyse", force=True, dask=e))
        for e in args.executors
        if e != "embedded"
    ]
    plan[2:2] = dask  # after the embedded analyse, before the report
    plan.append(("up to date", pipeline_command(project)))
    if full_run:
        plan.append(("run --force", pipeline_command(project, force=True)))
    plan += [(f"floor {stage}", floor_command(project, stage)) for stage in STAGES]
    if full_run:
        plan.append(("floor (one process)", floor_command(project, "all")))
    error = None
    identity: dict[str, list[str]] = {}
    for name, command in plan:
        if error and not name.startswith("floor"):
            continue  # a later pipeline stage needs the earlier ones
        sample = measure(
            command,
            env=env,
            log=logs / f"{name.replace(' ', '_')}.log",
            timeout=args.timeout,
            max_rss_mib=_limit(args),
        )
        samples[name] = sample
        _say(f"    {name:<20} {_describe(sample)}")
        if not sample.ok:
            error = error or _failure(name, sample)
        results = project / "output" / "results"
        if name == "analyse" and sample.ok:
            shutil.copytree(results, logs / "results-embedded", dirs_exist_ok=True)
        elif name.startswith("analyse (dask") and sample.ok:
            differing = same_results(logs / "results-embedded", results)
            identity[name] = differing
            _say(
                f"    {'':<20} results files {'identical' if not differing else 'DIFFER: '}"
                f"{', '.join(differing)}"
            )
    figures = project / "output" / "figures"
    counts = {
        "pipeline figures": len(list(figures.glob("*.png"))) if figures.is_dir() else 0,
        "floor figures": len(list((project / "floor" / "report" / "figures").glob("*.png"))),
    }
    return {"samples": samples, "error": error, "counts": counts, "identity": identity}


def run_scale(scale: int, repeats: int, session: Path, args: argparse.Namespace) -> dict:
    """Write the project at ``scale``, then measure ``repeats`` fresh copies of it."""
    env = base_environment(session)
    template = session / f"{scale}x" / "template"
    outcome: dict = {"scale": scale, "name": f"{scale}x", "sizes": {}, "repeats": [], "error": None}
    _say(f"{scale}×: writing the project (bench/generate.py, seed {args.seed})")
    made = generate(scale, template, env, args.seed)
    if made.returncode != 0:
        _say(made.stderr)
        outcome["error"] = f"generate.py failed: {made.stderr.strip()[-300:]}"
        return outcome
    outcome["sizes"] = dict(line.split(": ", 1) for line in made.stdout.strip().splitlines())
    for r in range(1, repeats + 1):
        _say(f"  {scale}× repeat {r}/{repeats}")
        work = session / f"{scale}x" / f"run{r}"
        project = work / "project"
        shutil.copytree(template, project)
        env_r = env | {"XDG_CONFIG_HOME": str(work / "config")}
        full_run = scale in args.full_run_at
        repeat = run_repeat(project, env_r, work / "logs", args, full_run=full_run)
        outcome["repeats"].append(repeat)
        if r == 1 and not repeat["error"]:
            outcome["floor_check"] = compare_results(project)
            for line in outcome["floor_check"]:
                _say(f"    check: {line}")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if repeat["error"]:
            outcome["error"] = repeat["error"]
            break
    return outcome


def generate(scale: int, out: Path, env: dict[str, str], seed: int) -> subprocess.CompletedProcess:
    """Write the project at ``scale`` with bench/generate.py (not measured)."""
    command = [PYTHON, str(BENCH / "generate.py"), "--scale", str(scale), "--out", str(out)]
    return subprocess.run([*command, "--seed", str(seed)], capture_output=True, text=True, env=env)


def warm_up(session: Path, args: argparse.Namespace) -> None:
    """One unmeasured ingest of the 1× project: Prefect's home is created and migrated once, and
    the interpreter's files are in the page cache, before anything is timed."""
    project = session / "warm-up" / "project"
    env = base_environment(session) | {"XDG_CONFIG_HOME": str(session / "warm-up" / "config")}
    generate(1, project, env, args.seed).check_returncode()
    _say("warm-up (not measured): one ingest of the 1× project")
    sample = measure(
        pipeline_command(project, stage="ingest", force=True),
        env=env,
        log=session / "warm-up" / "ingest.log",
        timeout=args.timeout,
        max_rss_mib=_limit(args),
    )
    _say(f"    warm-up ingest      {_describe(sample)}")


def run_long_export(session: Path, args: argparse.Namespace) -> dict:
    """Ingest one long export of ``args.long_rows`` lines (per repeat: a fresh 1× project)."""
    env = base_environment(session)
    outcome: dict = {
        "scale": "long",
        "name": f"long-{args.long_rows}",
        "lines": args.long_rows,
        "repeats": [],
        "error": None,
    }
    _say(f"long export: {args.long_rows:,} lines through `impleval ingest`")
    for r in range(1, (args.repeats or 1) + 1):
        work = session / "long" / f"run{r}"
        project = work / "project"
        generate(1, project, env, args.seed).check_returncode()
        export, respondents = write_long_export(project, args.long_rows)
        outcome["sizes"] = {"lines": f"{args.long_rows:,}", "respondents": f"{respondents:,}"}
        sample = measure(
            long_ingest_command(project, export),
            log=work / "ingest.log",
            env=env | {"XDG_CONFIG_HOME": str(work / "config")},
            timeout=args.timeout,
            max_rss_mib=_limit(args),
        )
        _say(f"    long export ingest  {_describe(sample)}")
        outcome["repeats"].append(
            {"samples": {"ingest (long export)": sample}, "error": None, "counts": {}}
        )
        if not sample.ok:
            outcome["error"] = _failure("ingest (long export)", sample)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if outcome["error"]:
            break
    return outcome


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not become_subreaper():
        _say(
            "note: not a child subreaper (not Linux?): CPU of orphaned subprocesses is not counted"
        )
    code = _code_version(argv)
    session = Path(tempfile.mkdtemp(prefix="impleval-bench-"))
    _say(f"work folder: {session}{' (kept)' if args.keep else ''}")
    try:
        if args.warm_up:
            warm_up(session, args)
        for scale in args.scales:
            repeats = args.repeats or (3 if scale == 1 else 1)
            context = code | _machine_now()
            _finish(run_scale(scale, repeats, session, args), context, args)
        if args.long_rows:
            context = code | _machine_now()
            _finish(run_long_export(session, args), context, args)
    finally:
        if not args.keep:
            shutil.rmtree(session, ignore_errors=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--scales", type=int, nargs="+", default=list(DEFAULT_SCALES), help="default 1 10 100")
    add("--repeats", type=int, default=None, help="repeats per scale (default 3 at 1×, 1 above)")
    add("--seed", type=int, default=2019, help="the generator's seed")
    add(
        "--full-run-at",
        type=int,
        nargs="*",
        default=[1],
        metavar="SCALE",
        help="scales at which `impleval run --force` and the floor in one process are measured "
        "too (default 1)",
    )
    add(
        "--executors",
        nargs="+",
        default=["embedded"],
        metavar="EXECUTOR",
        help="where the analyse stage runs: embedded (always measured) and any of local:N or "
        "tcp://HOST:PORT (+always: with --dask-always, the cluster even below its break-even), each an extra row `analyse (dask ...)` whose results files are "
        "compared byte for byte with the embedded run's (default: embedded)",
    )
    add("--long-rows", type=int, default=0, help="also ingest a long export of this many lines")
    add("--timeout", type=float, default=None, help="stop a command after this many seconds")
    add(
        "--max-rss-gib",
        type=float,
        default=8.0,
        help="stop a command whose processes together hold more memory (default 8; 0 = no limit)",
    )
    add("--keep", action="store_true", help="keep the work folder (projects and logs)")
    add("--no-warm-up", dest="warm_up", action="store_false", help="skip the unmeasured warm-up")
    add("--results", type=Path, default=BENCH / "results", help="default bench/results")
    return parser


def _finish(outcome: dict, context: dict, args: argparse.Namespace) -> None:
    outcome["context"] = context
    paths = write_results(outcome, rows_for_scale(outcome), args.results)
    _say(paths["table"])
    shown = [str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in paths["files"]]
    _say(f"written: {', '.join(shown)}")


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def _code_version(argv: list[str] | None) -> dict:
    """The commit measured (and whether files other than results differ from it)."""
    changes = _git(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results"
    )
    return {
        "commit": _git("rev-parse", "--short", "HEAD") or "unknown",
        "uncommitted_changes": bool(changes),
        "command": "bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
    }


def _machine_now() -> dict:
    return {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    raise SystemExit(main())
