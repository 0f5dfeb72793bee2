"""Commands started together take turns and all finish: two `impleval run`, and an ingest with a
report. Real processes on one project; no test depends on which one starts first (the lock
decides). Marked slow: `make test-slow` and CI run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environ.pop("IMPLEVAL_KEY_FILE", None)
    return environ | {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".impleval", "output", "gen*"))
    return target


def _together(*commands: list[str], env: dict[str, str]) -> list[tuple[int, str, str]]:
    started = [
        subprocess.Popen(
            [str(BIN / "impleval"), *c],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in commands
    ]
    outputs = [p.communicate(timeout=900) for p in started]
    return [(p.returncode, out, err) for p, (out, err) in zip(started, outputs, strict=True)]


def test_two_runs_together_take_turns_and_both_finish(project: Path, env: dict[str, str]) -> None:
    run = ["run", "-p", str(project), "--format", "html"]
    results = _together(run, run, env=env)
    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    outs = sorted(out.splitlines()[0] for _, out, _ in results)
    # one did the work; the other waited, said so, and found it done
    assert outs[1] == "up to date", outs
    assert any("waiting for another impleval command" in err for _, _, err in results)
    assert (project / "output" / "reports" / "report_sv.html").is_file()


def test_an_ingest_and_a_report_together_both_finish(project: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(BIN / "impleval"), "run", "-p", str(project), "--format", "html"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    later = project / "late_T1.csv"
    lines = (project / "inbox" / "nomad_T1.csv").read_text(encoding="utf-8-sig").splitlines()
    later.write_text("\n".join(lines[:-5]) + "\n", encoding="utf-8")  # an export with 5 fewer rows
    ingest = ["ingest", str(later), "--instrument", "nomad", "--wave", "T1", "--replace"]
    report = ["report", "-p", str(project), "--format", "html"]
    results = _together([*ingest, "-p", str(project)], report, env=env)
    for code, _, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    assert "147 rows read" in results[0][1]
    rerun = subprocess.run(
        [str(BIN / "impleval"), "run", "-p", str(project), "--format", "html"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert "analyse: done" in rerun.stdout  # the new data were seen
