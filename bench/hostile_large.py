"""The large hostile files, measured (not timed in a test): wall, CPU and peak memory of
``impleval ingest --dry-run`` on each, as a user runs it, in a fresh process.

- ``survey-200mb``: a NoMAD export of about 200 MB (the example's T1 rows repeated with new
  e-mail addresses): read, mapped, pseudonymised and validated in bounded time and memory;
- ``survey-10000-columns``: 200 respondents with 10,000 extra columns beside the items;
- ``qdpx-200mb``: a REFI-QDA project whose ``project.qde`` is about 200 MB (streamed: memory
  stays near the size of one source, not of the file);
- ``xlsx-bomb-3gb``: a real zip bomb named ``.xlsx`` (3 GB of zeros packed to a few MB), refused
  before anything is unpacked.

Usage (from the repository root)::

    .venv/bin/python bench/hostile_large.py [--size-mb 200] [--keep DIR]

Prints one Markdown row per file; the generated files are deleted unless ``--keep`` names a folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from measure import measure

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "discharge-planning"
IMPLEVAL = REPO / ".venv" / "bin" / "impleval"
sys.path.insert(0, str(REPO))


def _t1_lines() -> tuple[str, list[str]]:
    lines = (EXAMPLE / "inbox" / "nomad_T1.csv").read_text(encoding="utf-8-sig").splitlines()
    return lines[0], [line for line in lines[1:] if line.strip()]


def survey_csv(path: Path, size_mb: int) -> int:
    """The example's T1 rows, repeated with distinct e-mail addresses, up to ``size_mb``."""
    header, rows = _t1_lines()
    target, written, n = size_mb * 1024 * 1024, 0, 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(header + "\n")
        while written < target:
            for row in rows:
                fields = row.split(";")
                fields[0] = str(n + 1)
                fields[2] = f"person{n}@example.org"
                line = ";".join(fields) + "\n"
                out.write(line)
                written += len(line.encode())
                n += 1
    return n


def wide_csv(path: Path, columns: int = 10_000, respondents: int = 200) -> int:
    header, rows = _t1_lines()
    extra = ";".join(f"X{i}" for i in range(columns))
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"{header};{extra}\n")
        for n in range(respondents):
            fields = rows[n % len(rows)].split(";")
            fields[2] = f"person{n}@example.org"
            out.write(";".join(fields) + ";" + ";".join(["1"] * columns) + "\n")
    return respondents


def big_qdpx(path: Path, size_mb: int) -> int:
    """Many text sources with one coded selection each, streamed into ``project.qde``."""
    from tests.hostile.files import OMAR, SOURCE_TEXT, qde, selection, source

    one = source("Personal {n}", selection() + selection(user=OMAR), content=SOURCE_TEXT * 200)
    head, _, tail = qde("@@").partition("@@")
    target, n = size_mb * 1024 * 1024, 0
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("project.qde", "w", force_zip64=True) as out,
    ):
        out.write(head.encode())
        written = 0
        while written < target:
            chunk = one.replace("{n}", f"{n:06d}").replace('guid="src-', f'guid="src-{n}-')
            data = chunk.encode()
            out.write(data)
            written += len(data)
            n += 1
        out.write(tail.encode())
    return 2 * n


def bomb_xlsx(path: Path, gigabytes: int = 3) -> int:
    """A valid workbook plus one member of ``gigabytes`` GB of zeros, packed as it is written."""
    from tests.hostile.files import survey_xlsx

    path.write_bytes(survey_xlsx())
    block = bytes(16 * 1024 * 1024)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/media/zeros.bin", "w", force_zip64=True) as out,
    ):
        for _ in range(gigabytes * 64):
            out.write(block)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--only", default=None, help="measure only the file of this label")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="impleval-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".impleval", "output", "inbox"))
    env = dict(os.environ, XDG_CONFIG_HOME=str(work / "config"))
    survey = ("--instrument", "nomad", "--wave", "T1")
    cases = [
        ("survey-200mb", "nomad_T1.csv", lambda p: survey_csv(p, args.size_mb), survey),
        ("survey-10000-columns", "nomad_T1.csv", wide_csv, survey),
        (
            "qdpx-200mb",
            "codings_big.qdpx",
            lambda p: big_qdpx(p, args.size_mb),
            ("--kind", "codings"),
        ),
        ("xlsx-bomb-3gb", "nomad_T1.xlsx", bomb_xlsx, survey),
    ]
    print("| file | size MB | unpacked MB | rows | wall s | CPU s | peak MiB | exit | first line |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|---|")
    for label, name, build, options in cases:
        if args.only not in (None, label):
            continue
        folder = work / label
        folder.mkdir(exist_ok=True)
        path = folder / name
        rows = build(path)
        size = path.stat().st_size / 1024 / 1024
        unpacked = size
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                unpacked = sum(i.file_size for i in zf.infolist()) / 1024 / 1024
        log = work / f"{label}.log"
        command = [str(IMPLEVAL), "ingest", str(path), *options, "--dry-run", "-p", str(project)]
        sample = measure(command, env=env, log=log, timeout=1800)
        lines = [x for x in log.read_text(encoding="utf-8", errors="replace").splitlines() if x]
        last = (lines[0] if lines else "")[:120].replace("|", "/")
        print(
            f"| {label} | {size:.1f} | {unpacked:.1f} | {rows} | {sample.wall_s:.1f} | "
            f"{sample.cpu_s:.1f} | "
            f"{sample.peak_mib:.0f} | {sample.exit_code} | {last} |",
            flush=True,
        )
        if args.keep is None:
            path.unlink()
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
