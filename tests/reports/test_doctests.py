"""The examples in the report modules' docstrings run (the test paths do not cover reports/)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

REPORTS = Path(__file__).resolve().parents[2] / "reports"
MODULES = sorted(
    ".".join(p.relative_to(REPORTS.parent).with_suffix("").parts)
    for p in REPORTS.rglob("*.py")
    if ">>>" in p.read_text(encoding="utf-8")
)


def test_there_are_examples() -> None:
    assert {"reports.disclosure.numbers", "reports.results", "reports.writer"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, result
