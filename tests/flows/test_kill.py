"""SIGKILL at random points of `impleval run` and `impleval report`: no file under a final name is
ever truncated or half-written, and the next `impleval run` repairs what is missing.

24 trials, each killing a real process group at a random moment (seeded) between its start and
the length of an uninterrupted run; the invariant holds whatever the moment, so nothing here
depends on timing. Marked slow: `make test-slow` and CI run it.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import EXAMPLE

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
TRIALS = 24
FORMATS = "html,pdf,docx"


def _env(base: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ.pop("IMPLEVAL_KEY_FILE", None)
    return environ | {
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "PREFECT_HOME": str(base / "prefect"),
    }


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "impleval"), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _outputs(project: Path) -> dict[str, bytes]:
    """Every file under a final name in output/ (temporary names end in .tmp or start with .)."""
    out = project / "output"
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and ".tmp" not in p.name
    }


def _complete(name: str, data: bytes, reference: dict[str, bytes]) -> bool:
    """Whether a file is whole: the reference's bytes, or (for formats that carry a time) a file
    its own reader opens with the reference's structure."""
    if data == reference.get(name):
        return True
    if name.endswith(".pdf"):
        from io import BytesIO

        return len(PdfReader(BytesIO(data)).pages) == len(PdfReader(BytesIO(reference[name])).pages)
    if name.endswith(".docx"):
        from io import BytesIO

        with zipfile.ZipFile(BytesIO(data)) as z:
            return z.testzip() is None and "word/document.xml" in z.namelist()
    if name.endswith(".json"):
        return isinstance(json.loads(data), dict)
    if name.endswith(".html"):
        return data.rstrip().endswith(b"</html>")
    return False


def test_a_killed_run_or_report_never_leaves_a_truncated_file(tmp_path: Path) -> None:
    env = _env(tmp_path)
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".impleval", "output", "gen*"))
    started = time.monotonic()
    first = subprocess.run(
        [str(BIN / "impleval"), "run", "-p", str(project), "--format", FORMATS],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert first.returncode == 0, first.stderr
    length = time.monotonic() - started
    reference = _outputs(project)
    rng = random.Random(20261202)
    for trial in range(TRIALS):
        command = ["run", "--force"] if trial % 2 == 0 else ["report"]
        process = _start([*command, "-p", str(project), "--format", FORMATS], env)
        time.sleep(rng.uniform(0.0, length))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        broken = [
            name for name, data in _outputs(project).items() if not _complete(name, data, reference)
        ]
        assert broken == [], f"trial {trial} ({' '.join(command)}): {broken}"
    repaired = subprocess.run(
        [str(BIN / "impleval"), "run", "-p", str(project), "--format", FORMATS],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert repaired.returncode == 0, repaired.stderr
    final = _outputs(project)
    assert set(final) == set(reference)
    assert [n for n, d in final.items() if not _complete(n, d, reference)] == []
    again = subprocess.run(
        [str(BIN / "impleval"), "run", "-p", str(project), "--format", FORMATS],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.stdout.splitlines()[0] == "up to date"
