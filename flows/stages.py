"""Which stages are stale: content hashes of each stage's inputs and settings, kept in
``.impleval/state.json``. Deliberately free of Prefect and pandas so that ``impleval run`` can answer
"up to date" at once; Prefect's own cache is not relied on for this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from ingest.kinds import inbox_files
from project.config import Project
from project.layout import ProjectPaths
from project.provenance import code_fingerprint, file_sha256

STAGES = ("ingest", "analyse", "report")


def _files(paths: list[Path], root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): file_sha256(p) for p in paths if p.is_file()}


def stage_inputs(
    stage: str, paths: ProjectPaths, project: Project, *, settings: dict, data_version: str | None
) -> dict[str, str]:
    """Everything a stage's result depends on, as name → content hash."""
    root = paths.root
    common = {"project.yaml": file_sha256(paths.project_file), "code": code_fingerprint()}
    local_specs = sorted(paths.instruments.rglob("*.yaml")) if paths.instruments.is_dir() else []
    common |= _files(local_specs, root)
    if stage == "ingest":
        return common | _files([f.path for f in inbox_files(paths, project)], root)
    if stage == "analyse":
        return common | {"data_version": data_version or "(no data)"}
    if stage == "report":
        results = sorted(paths.results.glob("*.csv")) if paths.results.is_dir() else []
        narrative = sorted(paths.narrative.glob("*.md")) if paths.narrative.is_dir() else []
        return (
            common
            | _files(results + narrative, root)
            | {
                "settings": hashlib.sha256(
                    json.dumps(settings, sort_keys=True).encode()
                ).hexdigest()
            }
        )
    raise ValueError(f"unknown stage {stage!r}")


def fingerprint(inputs: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def read_state(paths: ProjectPaths) -> dict:
    try:
        return json.loads(paths.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"stages": {}}


def record_stage(paths: ProjectPaths, stage: str, fp: str, outputs: list[Path]) -> None:
    """Remember that ``stage`` ran on inputs ``fp`` and produced ``outputs`` (atomic write)."""
    state = read_state(paths)
    state.setdefault("stages", {})[stage] = {
        "fingerprint": fp,
        "outputs": sorted(str(p.relative_to(paths.root)) for p in outputs),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    paths.managed.mkdir(parents=True, exist_ok=True)
    tmp = paths.state.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(tmp, paths.state)


def is_current(paths: ProjectPaths, stage: str, fp: str) -> bool:
    entry = read_state(paths).get("stages", {}).get(stage)
    if not entry or entry.get("fingerprint") != fp:
        return False
    return all((paths.root / p).exists() for p in entry.get("outputs", []))


def current_data_version(paths: ProjectPaths) -> str | None:
    """The store's data version, or None when there is no store yet."""
    if not paths.warehouse.is_file():
        return None
    from store import warehouse

    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        return warehouse.data_version(con)
