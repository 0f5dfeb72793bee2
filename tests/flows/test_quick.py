"""The up-to-date answer of a plain ``impleval run`` given again from its record (flows/quick.py):
the same folder, code and settings give the recorded lines; any change — a file touched, added,
removed or rewritten within the same clock tick, another setting, another option, a damaged
record — leaves the answer to the full check (``None``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows import quick

LINES = ["warning: inbox/notes.txt: not an export", "up to date"]
REPORTS = ["output/reports/report_sv.html", "output/reports/report_sv.pdf"]


def _project(root: Path) -> Path:
    (root / "inbox").mkdir(parents=True)
    (root / "output" / "reports").mkdir(parents=True)
    (root / ".impleval").mkdir()
    (root / "project.yaml").write_text("id: demo\n", encoding="utf-8")
    (root / "inbox" / "nomad_T0.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (root / "output" / "reports" / "report_sv.html").write_text("<p>r</p>", encoding="utf-8")
    (root / ".impleval" / "lock").write_text("", encoding="utf-8")
    return root


def _age(root: Path, seconds: int = 60) -> None:
    """Every file as if written a minute ago (not within the racy window of a snapshot)."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    root = _project(tmp_path / "demo")
    _age(root)
    quick.record(root, quick.snapshot(root), LINES, REPORTS)
    return root


def test_the_same_folder_gives_the_recorded_answer(recorded: Path) -> None:
    for argv in (["run", "-p", str(recorded)], ["run", "--project", str(recorded)]):
        assert quick.recorded_answer(argv) == [
            *LINES,
            "Reports:",
            f"  {recorded / 'output/reports/report_sv.html'}",  # the PDF does not exist
        ]
    # the lock and its holder change with every command; they are not the project's content
    (recorded / ".impleval" / "lock").write_text("123", encoding="utf-8")
    (recorded / ".impleval" / "lock.holder").write_text('{"pid": 1}', encoding="utf-8")
    assert quick.recorded_answer(["run", f"--project={recorded}"]) is not None


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--force"],
        ["run", "--lang", "en"],
        ["run", "--stage", "report"],
        ["run", "--dask", "local:2"],
        ["run", "--dask-always"],
        ["ingest", "x.csv"],
        ["run", "-p"],
        [],
    ],
)
def test_any_option_goes_to_the_full_check(recorded: Path, argv: list[str]) -> None:
    argv = [*argv, "-p", str(recorded)] if argv[:1] == ["run"] and len(argv) > 1 else argv
    assert quick.recorded_answer(argv) is None


def _touched(root: Path) -> None:
    path = root / "project.yaml"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def _added(root: Path) -> None:
    (root / "inbox" / "nomad_T1.csv").write_text("a;b\n", encoding="utf-8")


def _removed(root: Path) -> None:
    (root / "output" / "reports" / "report_sv.html").unlink()


def _replaced(root: Path) -> None:
    """Rewritten through a new file and a rename: same size and time, another inode."""
    path = root / "inbox" / "nomad_T0.csv"
    st = path.stat()
    new = path.with_suffix(".new")
    new.write_text("a;b\n1;3\n", encoding="utf-8")
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, path)


@pytest.mark.parametrize("change", [_touched, _added, _removed, _replaced])
def test_a_changed_file_goes_to_the_full_check(recorded: Path, change) -> None:
    change(recorded)
    assert quick.recorded_answer(["run", "-p", str(recorded)]) is None


def test_a_file_rewritten_in_the_same_clock_tick_is_seen_by_its_content(tmp_path: Path) -> None:
    """A file written just before the snapshot is recorded by content: a rewrite in place with the
    same size and (restored) time is still a change."""
    root = _project(tmp_path / "demo")
    _age(root)
    path = root / "project.yaml"
    path.write_text("id: demo\n", encoding="utf-8")  # fresh: within the racy window
    quick.record(root, quick.snapshot(root), LINES, REPORTS)
    assert quick.recorded_answer(["run", "-p", str(root)]) is not None
    st = path.stat()
    with path.open("r+", encoding="utf-8") as handle:  # same inode, same size
        handle.write("id: dema\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_ino == st.st_ino and path.stat().st_size == st.st_size
    assert quick.recorded_answer(["run", "-p", str(root)]) is None


def test_another_setting_or_a_damaged_record_goes_to_the_full_check(
    recorded: Path, monkeypatch
) -> None:
    monkeypatch.setenv("IMPLEVAL_VALIDATOR", "gx")
    assert quick.recorded_answer(["run", "-p", str(recorded)]) is None
    monkeypatch.delenv("IMPLEVAL_VALIDATOR")
    assert quick.recorded_answer(["run", "-p", str(recorded)]) is not None
    (recorded / quick.RECORD).write_text("{not json", encoding="utf-8")
    assert quick.recorded_answer(["run", "-p", str(recorded)]) is None
    quick.forget(recorded)
    assert quick.recorded_answer(["run", "-p", str(recorded)]) is None
