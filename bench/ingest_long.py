"""Benchmark: ingest a 1 M-row long CSV (respondent × item lines) into a fresh copy of the example.

Run with ``make bench`` (or ``.venv/bin/python bench/ingest_long.py [--rows N]``). Prints the rows per
second of the whole ingest (land → read → pivot → map → pseudonymise → validate → load) and the
process's peak resident memory (``resource.getrusage``). Nothing is asserted: speed is measured here,
never in a timed unit test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EXAMPLE = REPO / "examples" / "discharge-planning"
PROFILE = """id: long
identifier: [E-post]
timestamp: [Inskickad]
staff_group: [Yrkesgrupp]
layout: long
item_column: [Fråga]
value_column: [Svar]
"""
LABELS = ["Instämmer inte alls", "Instämmer inte", "Varken eller", "Instämmer", "Instämmer helt"]


def write_long_csv(path: Path, rows: int, spec) -> int:
    """A long export of about ``rows`` lines; returns the number of respondents."""
    items = [(i.source_code, i.response_set) for i in spec.items]
    respondents = -(-rows // len(items))
    groups = ["Sjuksköterska", "Läkare", "Undersköterska", "Arbetsterapeut"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("E-post;Inskickad;Yrkesgrupp;Fråga;Svar\n")
        written = 0
        for r in range(respondents):
            stamp = f"2019-02-{4 + r % 18:02d} {8 + r % 9:02d}:{r % 60:02d}"
            head = f"person{r}@bench.example;{stamp};{groups[r % 4]};"
            for k, (code, rset) in enumerate(items):
                if written == rows:
                    break
                answer = str((r + k) % 11) if rset == "scale_0_10" else LABELS[(r * 7 + k) % 5]
                fh.write(f"{head}{code};{answer}\n")
                written += 1
    return respondents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="impleval-bench-") as tmp:
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        os.environ.pop("IMPLEVAL_KEY_FILE", None)
        project = Path(tmp) / "project"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".impleval", "output"))
        (project / "profiles").mkdir()
        (project / "profiles" / "long.yaml").write_text(PROFILE, encoding="utf-8")
        from instruments.spec import load_instrument

        export = project / "nomad_T1_long.csv"
        started = time.perf_counter()
        respondents = write_long_csv(export, args.rows, load_instrument("nomad"))
        generated = time.perf_counter() - started
        from ingest.survey import ingest_survey

        started = time.perf_counter()
        report = ingest_survey(project, export, instrument="nomad", wave="T1", profile="long")
        elapsed = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        size_mib = export.stat().st_size / 2**20
        print(f"file: {args.rows:,} lines ({respondents:,} respondents), {size_mib:.0f} MiB, "
              f"generated in {generated:.1f} s")  # fmt: skip
        print("\n".join(report.lines()))
        print(f"ingest: {elapsed:.1f} s = {args.rows / elapsed:,.0f} lines/s "
              f"({respondents / elapsed:,.0f} respondents/s)")  # fmt: skip
        print(f"peak memory (max RSS of the process): {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
