"""A hostile-corpus case and how it is run: the command line, in this process, as a user runs it.

A case ends in exactly one of three declared outcomes:

- **refused**: exit code 2 and one line on stderr, equal to ``refused`` (no traceback; a YAML
  syntax error adds the offending line and a caret below it);
- **quarantined**: exit code 0; the summary says ``read`` rows were read, ``quarantined`` of them
  kept out, with exactly the ``reasons`` (rule → rows) given;
- **loaded**: exit code 0; every row read loads (``read``, nothing quarantined).

``warnings`` are lines the command must also print (e.g. for an inbox file no kind takes).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flows import cli
from tests.hostile.files import Build

_ACCOUNTING = re.compile(r"(\d+) rows read = (\d+) (?:would load|loaded) \+ (\d+) quarantined")
_REASON = re.compile(r"^\s+quarantined (\d+) row\(s\): (\w+) \(")


@dataclass(frozen=True)
class Case:
    """One hostile file (or project.yaml) and its declared outcome."""

    name: str
    build: Build
    args: tuple[str, ...] = ()
    refused: str | None = None
    read: int | None = None
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        if self.refused is not None:
            return "refused"
        return "quarantined" if self.quarantined else "loaded"

    def __post_init__(self) -> None:
        if (self.refused is None) == (self.read is None) and not self.warnings:
            raise ValueError(f"{self.name}: declare either refused or read")


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch) -> tuple:
    """``impleval *argv`` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["impleval", *argv])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def check_outcome(case: Case, code: int, out: str, err: str, project: Path) -> None:
    """Assert that the command ended exactly as the case declares."""
    assert "Traceback" not in out + err, out + err
    for line in case.warnings:
        assert line.replace("{project}", str(project)) in out.splitlines(), out
    if case.refused is not None:
        expected = "error: " + case.refused.replace("{project}", str(project))
        assert (code, err.strip()) == (2, expected), out
        return
    assert code == 0, err
    found = _ACCOUNTING.search(out)
    if case.read is None:  # a run that ingests nothing: only its warnings count
        return
    assert found, out
    read, loaded, quarantined = (int(g) for g in found.groups())
    reasons = {
        m.group(2): int(m.group(1)) for line in out.splitlines() if (m := _REASON.match(line))
    }
    assert (read, loaded, quarantined, reasons) == (
        case.read,
        case.read - case.quarantined,
        case.quarantined,
        case.reasons,
    ), out
