"""Which stages are stale: content hashes of each stage's inputs and settings, kept in
``.impleval/state.json``. Deliberately free of Prefect and pandas so that ``impleval run`` can answer
"up to date" at once; Prefect's own cache is not relied on for this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path

from project.config import Project
from project.layout import ProjectPaths
from project.provenance import code_fingerprint, file_sha256

STAGES = ("ingest", "analyse", "report")
SURVEY_SUFFIXES = (".xlsx", ".csv")


def inbox_surveys(paths: ProjectPaths, project: Project) -> list[tuple[Path, str, str]]:
    """Survey exports in ``inbox/`` named ``<instrument>_<wave>.<xlsx|csv>`` for declared waves."""
    if not paths.inbox.is_dir():
        return []
    declared = {(w.instrument.casefold(), w.id.casefold()): w for w in project.waves}
    found = []
    for path in sorted(paths.inbox.iterdir()):
        m = re.fullmatch(r"(.+?)_([^_]+)", path.stem)
        if not (path.is_file() and path.suffix.lower() in SURVEY_SUFFIXES and m):
            continue
        wave = declared.get((m.group(1).casefold(), m.group(2).casefold()))
        if wave:
            found.append((path, wave.instrument, wave.id))
    return found


def inbox_files(paths: ProjectPaths, project: Project) -> list[tuple[str, Path]]:
    """Every export ``impleval run`` ingests, as (kind, path), in the order they are ingested.

    - ``survey``: ``<instrument>_<wave>.xlsx|csv`` for a declared wave;
    - ``indicators``: ``indicators_*.csv|xlsx`` when project.yaml declares indicators;
    - ``codings``: ``codings_*.csv|xlsx|qdpx`` when project.yaml has an ``interviews`` section.
    """
    found: list[tuple[str, Path]] = [("survey", p) for p, _, _ in inbox_surveys(paths, project)]
    if not paths.inbox.is_dir():
        return found
    files = sorted(p for p in paths.inbox.iterdir() if p.is_file())
    if project.indicators:
        found += [
            ("indicators", p)
            for p in files
            if p.name.startswith("indicators_") and p.suffix.lower() in (".csv", ".xlsx")
        ]
    if project.interviews is not None:
        found += [
            ("codings", p)
            for p in files
            if p.name.startswith("codings_") and p.suffix.lower() in (".csv", ".xlsx", ".qdpx")
        ]
    return found


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
        return common | _files([p for _, p in inbox_files(paths, project)], root)
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
