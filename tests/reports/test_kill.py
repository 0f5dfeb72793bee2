"""A killed ``impleval report`` never leaves a truncated file under a final name.

Real ``impleval report`` processes are killed with SIGKILL (their whole process group: figure
workers and pandoc too) at several points, each found by watching files appear, never by
sleeping: while figures are drawn, while the PDF is compiled, and between two formats. Every file
under a final name must then be complete (the previous one or the new one), and the next run
repairs what is missing and removes the temporaries the killed run left.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

# SIGKILL trials of real report processes: with the other kill trials in `make test-slow`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "reports"
FORMATS = ("html", "docx", "pdf")
PNG_END = b"IEND\xaeB`\x82"


def _project(root: Path) -> Path:
    """The synthetic report project (results, narrative, project.yaml) in a folder of its own."""
    root.mkdir(parents=True)
    shutil.copy(DATA / "project.yaml", root / "project.yaml")
    shutil.copytree(DATA / "narrative", root / "narrative")
    shutil.copytree(DATA / "results", root / "output" / "results")
    return root


def _report(project: Path) -> subprocess.Popen[bytes]:
    """``impleval report`` on the project, in its own process group."""
    argv = [sys.executable, "-m", "flows.cli", "report", "-p", str(project)]
    argv += ["--lang", "sv", "--format", ",".join(FORMATS)]
    return subprocess.Popen(
        argv,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _kill_when(process: subprocess.Popen[bytes], seen: Callable[[], bool]) -> None:
    """SIGKILL the process group as soon as ``seen()`` is true (polled, no fixed sleep)."""
    deadline = time.monotonic() + 600
    while not seen():
        if process.poll() is not None:
            pytest.fail(f"the report finished before the kill point: {process.stderr.read()!r}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("the kill point was never reached")
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _hidden(folder: Path, suffix: str) -> bool:
    return folder.is_dir() and any(
        p.name.startswith(".") and ".tmp-" in p.name and p.suffix == suffix
        for p in folder.iterdir()
    )


def _complete(path: Path) -> bool:
    data = path.read_bytes()
    kind = path.suffix
    if kind == ".png":
        return data.startswith(b"\x89PNG") and data.endswith(PNG_END)
    if kind == ".pdf":
        return data.rstrip().endswith(b"%%EOF") and len(PdfReader(path).pages) > 0
    if kind == ".docx":
        with zipfile.ZipFile(path) as docx:
            return docx.testzip() is None and "word/document.xml" in docx.namelist()
    if kind == ".html":
        return data.rstrip().endswith(b"</html>")
    if kind == ".md":
        text = data.decode("utf-8")
        return text.startswith("---\n") and "# Statistisk bilaga" in text and text.endswith("\n")
    if kind == ".json":
        return bool(json.loads(data))
    if kind == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return book.testzip() is None and "xl/workbook.xml" in book.namelist()
    if kind == ".svg":
        return data.rstrip().endswith(b"</svg>")
    if kind == ".csv":
        return data.endswith(b"\n") and b"," in data
    raise AssertionError(f"unexpected file {path.name}")


def _final_files(project: Path) -> list[Path]:
    reports = project / "output" / "reports"
    folders = (reports, reports / "exports", project / "output" / "figures")
    return [
        p
        for f in folders
        if f.is_dir()
        for p in sorted(f.iterdir())
        if p.is_file() and not p.name.startswith(".")
    ]


def _assert_no_truncated_file(project: Path, point: str) -> None:
    broken = [p.name for p in _final_files(project) if not _complete(p)]
    assert not broken, f"killed {point}: truncated under a final name: {broken}"


def test_a_killed_report_leaves_no_truncated_file(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    reports, figures = project / "output" / "reports", project / "output" / "figures"

    # 1. Nothing written yet: killed when the first figure is saved, others being drawn.
    _kill_when(_report(project), lambda: figures.is_dir() and any(figures.glob("*.png")))
    _assert_no_truncated_file(project, "with the first figure")

    # A complete run, so that every final name holds a previous complete file.
    complete = _report(project)
    assert complete.wait() == 0, complete.stderr.read()  # type: ignore[union-attr]
    assert {p.suffix for p in _final_files(project)} >= {".png", ".md", ".json", ".html"}

    # 2. While figures are being written: a figure's bytes now come whole from typst and its
    # temporary lives for microseconds, so the point is the first figure of this run renamed
    # into place (a temporary caught on the way counts too), the others still being drawn.
    again = time.time()
    _kill_when(
        _report(project),
        lambda: (
            _hidden(figures, ".png")
            or any(p.stat().st_mtime >= again for p in figures.glob("*.png"))
        ),
    )
    _assert_no_truncated_file(project, "while a figure was written")

    # 3. While typst compiles the PDF.
    _kill_when(_report(project), lambda: _hidden(reports, ".typ"))
    _assert_no_truncated_file(project, "while the PDF was compiled")

    # 4. Between two formats: one is renamed into place, others are still being written.
    started = time.time()
    renamed = [reports / f"report_sv.{fmt}" for fmt in FORMATS]
    _kill_when(
        _report(project),
        lambda: any(p.is_file() and p.stat().st_mtime >= started for p in renamed),
    )
    _assert_no_truncated_file(project, "between formats")

    # The next run repairs everything and removes what the killed runs left behind.
    repair = _report(project)
    assert repair.wait() == 0, repair.stderr.read()  # type: ignore[union-attr]
    _assert_no_truncated_file(project, "never (the repairing run)")
    assert all((reports / f"report_sv.{fmt}").is_file() for fmt in FORMATS)
    leftovers = [p.name for p in (*reports.iterdir(), *figures.iterdir()) if ".tmp-" in p.name]
    assert not leftovers
