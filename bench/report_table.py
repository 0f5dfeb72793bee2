"""The benchmark's table: medians over the repeats, CPU as a multiple of the floor's, written as
Markdown and JSON (``bench/results/<scale>x-<commit>.{md,json}``)."""

from __future__ import annotations

import json
import signal
import statistics
from pathlib import Path

from measure import Sample

COLUMNS = ("scale", "stage", "wall s", "CPU s", "peak MiB", "CPU / floor", "note")
PIPELINE_STAGES = ("ingest", "analyse", "report")
FLOOR_OF = {
    "ingest": "floor ingest",
    "analyse": "floor analyse",
    "report": "floor report",
    "pipeline: 3 stages": "floor: 3 stages",
    "run --force": "floor (one process)",
}


def _sums(repeats: list[dict], names: list[str]) -> list[Sample]:
    """Per repeat, the three stages as one (sums of wall and CPU, the largest peak)."""
    out = []
    for repeat in repeats:
        samples = [repeat["samples"].get(n) for n in names]
        if all(s is not None and s.ok for s in samples):
            out.append(
                Sample(
                    sum(s.wall_s for s in samples),
                    sum(s.cpu_s for s in samples),
                    max(s.peak_mib for s in samples),
                    0,
                    samples[0].log,
                )
            )
    return out


def _median_row(scale: int, name: str, samples: list[Sample]) -> dict:
    return {
        "scale": scale,
        "stage": name,
        "wall_s": statistics.median(s.wall_s for s in samples),
        "cpu_s": statistics.median(s.cpu_s for s in samples),
        "peak_mib": statistics.median(s.peak_mib for s in samples),
        "n": len(samples),
        "note": "",
    }


def rows_for_scale(outcome: dict) -> list[dict]:
    """The table's rows for one scale (medians of the successful samples)."""
    repeats = outcome["repeats"]
    measured: dict[str, list[Sample]] = {}
    failed: dict[str, list[Sample]] = {}
    for repeat in repeats:
        for name, sample in repeat["samples"].items():
            (measured if sample.ok else failed).setdefault(name, []).append(sample)
    measured["pipeline: 3 stages"] = _sums(repeats, list(PIPELINE_STAGES))
    measured["floor: 3 stages"] = _sums(repeats, [f"floor {s}" for s in PIPELINE_STAGES])
    on_dask = sorted({n for r in repeats for n in r["samples"] if n.startswith("analyse (dask")})
    order = [
        *PIPELINE_STAGES[:2],
        *on_dask,
        *PIPELINE_STAGES[2:],
        "ingest (long export)",
        "pipeline: 3 stages",
        "up to date",
        "run --force",
        "floor ingest",
        "floor analyse",
        "floor report",
        "floor: 3 stages",
        "floor (one process)",
    ]
    rows = {}
    for name in order:
        if measured.get(name):
            rows[name] = _median_row(outcome["scale"], name, measured[name])
        elif failed.get(name):  # never succeeded: show how far it got
            sample = failed[name][0]
            rows[name] = _median_row(outcome["scale"], name, [sample])
            rows[name]["note"] = "; ".join([f"failed (exit {sample.exit_code})", *sample.notes])
            rows[name]["failed"] = True
    for name, floor in FLOOR_OF.items():
        ok = (
            name in rows
            and floor in rows
            and not (rows[name].get("failed") or rows[floor].get("failed"))
        )
        if ok and rows[floor]["cpu_s"] > 0:
            rows[name]["cpu_ratio"] = rows[name]["cpu_s"] / rows[floor]["cpu_s"]
    if "up to date" in rows:
        fractions = []
        for repeat in repeats:
            s = repeat["samples"]
            full = s.get("run --force") or (_sums([repeat], list(PIPELINE_STAGES)) or [None])[0]
            if full is not None and "up to date" in s and s["up to date"].ok:
                fractions.append(s["up to date"].wall_s / full.wall_s)
        if fractions:
            rows["up to date"]["wall_fraction_of_full_run"] = statistics.median(fractions)
            rows["up to date"]["note"] = f"wall = {statistics.median(fractions):.3f} × the full run"
    if "ingest (long export)" in rows:
        row = rows["ingest (long export)"]
        row["note"] = f"{outcome['lines'] / row['wall_s']:,.0f} lines/s (wall)"
    for name in on_dask:
        if name in rows and not rows[name].get("failed"):
            differing = {d for r in repeats for d in r.get("identity", {}).get(name, [])}
            rows[name]["note"] = (
                f"results files differ from embedded: {', '.join(sorted(differing))}"
                if differing
                else "results files byte-identical to the embedded run"
            )
            if rows.get("analyse") and rows[name]["wall_s"] > 0:
                speed = rows["analyse"]["wall_s"] / rows[name]["wall_s"]
                rows[name]["note"] += f"; wall {speed:.2f}× the embedded run's speed"
    for name in ("pipeline: 3 stages", "floor: 3 stages"):
        if name in rows:
            rows[name]["note"] = "sum of the stages (each its own process); peak = largest"
    return list(rows.values())


def _cell(row: dict, column: str) -> str:
    value = {
        "scale": f"{row['scale']}×" if isinstance(row["scale"], int) else str(row["scale"]),
        "stage": row["stage"],
        "wall s": f"{row['wall_s']:.1f}",
        "CPU s": f"{row['cpu_s']:.1f}",
        "peak MiB": f"{row['peak_mib']:.0f}",
        "CPU / floor": f"{row['cpu_ratio']:.1f}×" if "cpu_ratio" in row else "",
        "note": row["note"],
    }[column]
    return value


def markdown_table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---|--:|--:|--:|--:|---|"]
    lines += ["| " + " | ".join(_cell(r, c) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def _sample_json(sample: Sample) -> dict:
    return {
        "wall_s": sample.wall_s,
        "cpu_s": sample.cpu_s,
        "peak_mib": sample.peak_mib,
        "exit_code": sample.exit_code,
        "notes": sample.notes,
    }


def write_results(outcome: dict, rows: list[dict], results: Path) -> dict:
    """Write ``<scale>x-<commit>.md`` and ``.json``; returns the table and the files written."""
    scale, ctx = outcome["scale"], outcome["context"]
    results.mkdir(parents=True, exist_ok=True)
    stem = results / f"{outcome['name']}-{ctx['commit']}"
    what = f"{scale}× the example" if isinstance(scale, int) else "a long export"
    table = markdown_table(rows)
    repeats = outcome["repeats"]
    counts = repeats[0]["counts"] if repeats else {}
    lines = [
        f"# Benchmark: {what}, commit {ctx['commit']}"
        + (" (with uncommitted changes)" if ctx["uncommitted_changes"] else ""),
        "",
        f"- command: `{ctx['command']}`; repeats: {len(repeats)} (medians below)",
        f"- started {ctx['started']} on {ctx['cores']} cores, load average at start "
        f"{', '.join(map(str, ctx['load_average_at_start']))}; Python {ctx['python']}",
        "- project: " + ", ".join(f"{k} {v}" for k, v in outcome.get("sizes", {}).items()),
        *(
            ["- figures drawn: " + ", ".join(f"{k} {v}" for k, v in counts.items())]
            if counts
            else []
        ),
        "",
        table,
        "",
    ]
    lines += [f"- floor check: {line}" for line in outcome.get("floor_check", [])]
    if outcome.get("error"):
        lines.append(f"- error: {outcome['error']}")
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {
        "scale": scale,
        "context": ctx,
        "sizes": outcome.get("sizes", {}),
        "rows": rows,
        "floor_check": outcome.get("floor_check", []),
        "error": outcome.get("error"),
        "repeats": [
            {
                "samples": {n: _sample_json(s) for n, s in r["samples"].items()},
                "error": r["error"],
                "counts": r["counts"],
            }
            for r in repeats
        ],
    }
    stem.with_suffix(".json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {"table": table, "files": [stem.with_suffix(".md"), stem.with_suffix(".json")]}


def render_again(path: Path) -> list[Path]:
    """Rewrite a results file's Markdown (and its rows) from its JSON with today's table code."""
    data = json.loads(path.read_text(encoding="utf-8"))
    repeats = [
        {
            "samples": {
                n: Sample(v["wall_s"], v["cpu_s"], v["peak_mib"], v["exit_code"], path, v["notes"])
                for n, v in r["samples"].items()
            },
            "error": r["error"],
            "counts": r["counts"],
        }
        for r in data["repeats"]
    ]
    for repeat in repeats:  # files written before exits by a signal were named in the notes
        for stage, sample in repeat["samples"].items():
            signalled = (
                f"ended by {signal.Signals(-sample.exit_code).name}" if sample.exit_code < 0 else ""
            )
            if signalled and signalled not in sample.notes:
                sample.notes.insert(0, signalled)
            if signalled and repeat["error"]:
                repeat["error"] = data["error"] = (
                    f"{stage} failed (exit {sample.exit_code}; {'; '.join(sample.notes)})"
                )
    name = path.stem.rsplit("-", 1)[0]
    outcome = {**data, "name": name, "repeats": repeats}
    if name.startswith("long-"):
        outcome["lines"] = int(name.removeprefix("long-"))
    return write_results(outcome, rows_for_scale(outcome), path.parent)["files"]


if __name__ == "__main__":
    import sys

    for argument in sys.argv[1:]:
        print("\n".join(str(p) for p in render_again(Path(argument))))
