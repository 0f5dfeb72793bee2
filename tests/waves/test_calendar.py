"""The wave calendar: steps from project.yaml, an RFC 5545 .ics file, wave states, and a reminder
outside its wave refused in one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from project.config import load_project
from project.errors import ConfigError
from tests.waves.test_invite import run
from waves.calendar import calendar_text, wave_steps
from waves.status import wave_state


def test_steps_and_ics(example_project: Path) -> None:
    project = load_project(example_project)
    steps = [(s.wave.id, s.kind, s.day.isoformat()) for s in wave_steps(project)]
    assert ("T1", "reminder-1", "2019-02-11") in steps
    assert ("T1", "reminder-2", "2019-02-25") in steps
    assert steps[0] == ("T0", "invitation", "2017-09-04") and steps[-1][1] == "close"
    text = calendar_text(project, stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith(
        "END:VCALENDAR\r\n"
    )
    assert text.count("BEGIN:VEVENT") == len(steps) == 10
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    assert "UID:test-" in text and "DTSTART;VALUE=DATE:20190211" in text
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:T1 closes: ingest\\, analyse\\, interim report (nomad)" in unfolded


def test_states() -> None:
    wave = load_project(Path(__file__).parents[2] / "examples/discharge-planning").waves[1]
    assert [
        wave_state(wave, dt.date(2019, m, d)) for m, d in ((2, 3), (2, 4), (3, 22), (3, 23))
    ] == [
        "planned",
        "open",
        "open",
        "closed",
    ]


def test_a_reminder_after_closing_is_one_line(example_project: Path) -> None:
    path = example_project / "project.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("reminders: [7, 21]", "reminders: [7, 60]"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_project(example_project)
    message = str(info.value)
    assert "\n" not in message
    assert (
        "wave T1: reminder 2 falls on 2019-04-05, after the wave closes (opens 2019-02-04, closes 2019-03-22)"
        in message
    )


def test_waves_and_calendar_commands(example_project: Path, capsys, monkeypatch) -> None:
    code, out, _ = run(
        ["waves", "--on", "2019-02-12", "-p", str(example_project)], capsys, monkeypatch
    )
    assert code == 0
    assert out.splitlines()[1] == (
        "T1       nomad    open     2019-02-04 – 2019-03-22  reminders: 2019-02-11, 2019-02-25; "
        "241 invited (project.yaml), 0 responded"
    )
    code, out, _ = run(["waves", "calendar", "-p", str(example_project)], capsys, monkeypatch)
    assert code == 0 and out.startswith("Wave calendar: 10 events written to ")
    assert (example_project / "output" / "waves.ics").is_file()
