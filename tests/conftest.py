"""Test-wide isolation: keys, caches and Prefect's home live in a temporary folder, never in ~."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "discharge-planning"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("PREFECT_HOME", str(base / "prefect"))
    monkeypatch.delenv("IMPLEVAL_KEY_FILE", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """A fresh copy of the bundled example project (no store, no key yet)."""
    target = tmp_path / "project"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".impleval", "output"))
    # Every test copy is its own project: its own key.
    text = (target / "project.yaml").read_text(encoding="utf-8")
    (target / "project.yaml").write_text(
        text.replace("id: discharge-planning-demo", f"id: test-{_slug(tmp_path.name)}"),
        encoding="utf-8",
    )
    return target


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[-40:] or "x"
