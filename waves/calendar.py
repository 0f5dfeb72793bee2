"""The wave calendar: each wave's steps (invitations at opening, each reminder, closing) and the
``.ics`` file (RFC 5545, written by hand: all-day events, escaped text, folded lines, CRLF).

The same steps give the scheduled deployments of ``impleval serve`` (:mod:`flows.serve`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from project.config import Project, Wave


@dataclass(frozen=True)
class Step:
    """One dated step of one wave."""

    wave: Wave
    #: ``invitation``, ``reminder-N`` or ``close``.
    kind: str
    day: dt.date

    @property
    def reminder(self) -> int | None:
        return int(self.kind.split("-")[1]) if self.kind.startswith("reminder-") else None

    def title(self, lang: str) -> str:
        wave = self.wave
        if self.kind == "invitation":
            return f"{wave.id} opens: invitations ({wave.instrument})"
        if self.kind == "close":
            return f"{wave.id} closes: ingest, analyse, interim report ({wave.instrument})"
        return f"{wave.id}: reminder {self.reminder} ({wave.instrument})"


def wave_steps(project: Project) -> list[Step]:
    """Every wave's steps, by day (then wave, then step)."""
    steps = []
    for wave in project.waves:
        steps.append(Step(wave, "invitation", wave.opens))
        for number, day in enumerate(wave.reminder_dates, 1):
            steps.append(Step(wave, f"reminder-{number}", day))
        steps.append(Step(wave, "close", wave.closes))
    order = {"invitation": 0, "close": 2}
    return sorted(steps, key=lambda s: (s.day, s.wave.id, order.get(s.kind, 1), s.kind))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (RFC 5545 §3.1)."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def calendar_text(project: Project, *, stamp: dt.datetime, lang: str = "en") -> str:
    """The project's wave calendar as an iCalendar document."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//impleval//wave calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(project.name.get(lang))}",
    ]
    stamped = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for step in wave_steps(project):
        wave = step.wave
        description = f"{wave.label(lang)}; open {wave.opens} – {wave.closes}"
        if wave.survey_url:
            description += f"; {wave.survey_url}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{project.id}-{wave.instrument}-{wave.id}-{step.kind}@impleval",
            f"DTSTAMP:{stamped}",
            f"DTSTART;VALUE=DATE:{step.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{step.day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(step.title(lang))}",
            f"DESCRIPTION:{_escape(description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def write_calendar(project: Project, target: Path, *, stamp: dt.datetime) -> tuple[Path, int]:
    """Write the ``.ics`` file; returns its path and the number of events."""
    target.parent.mkdir(parents=True, exist_ok=True)
    text = calendar_text(project, stamp=stamp, lang=project.report.language)
    target.write_bytes(text.encode("utf-8"))
    return target, text.count("BEGIN:VEVENT")
