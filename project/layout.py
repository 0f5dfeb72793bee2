"""Where things live inside an evaluation project folder (see docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    """The folders and files of one project; nothing is created until asked."""

    root: Path

    @property
    def project_file(self) -> Path:
        return self.root / "project.yaml"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def narrative(self) -> Path:
        return self.root / "narrative"

    @property
    def instruments(self) -> Path:
        return self.root / "instruments"

    @property
    def managed(self) -> Path:
        return self.root / ".impleval"

    @property
    def raw(self) -> Path:
        return self.managed / "raw"

    @property
    def raw_manifest(self) -> Path:
        return self.raw / "manifest.jsonl"

    @property
    def warehouse(self) -> Path:
        return self.managed / "warehouse.duckdb"

    @property
    def state(self) -> Path:
        return self.managed / "state.json"

    @property
    def lock(self) -> Path:
        return self.managed / "lock"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def results(self) -> Path:
        return self.output / "results"

    @property
    def figures(self) -> Path:
        return self.output / "figures"

    @property
    def validation(self) -> Path:
        return self.output / "validation"

    @property
    def reports(self) -> Path:
        return self.output / "reports"
