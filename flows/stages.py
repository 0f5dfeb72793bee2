"""Which stages are stale: content hashes of what each stage reads, kept in ``.impleval/state.json``.

A stage is stale only when something it reads changed:

- **ingest** reads the inbox files of the declared kinds, the parts of project.yaml that decide how
  an export is read, mapped, pseudonymised and validated (ids, organisations, staff groups,
  instruments, waves without their labels and invited counts, indicators, outcomes, interviews,
  the free-text rule and the roster files), project-local instrument specs and the ingest code;
- **analyse** reads the store's active data (its data version), the parts of project.yaml the
  statistics use (and not report settings, evaluator, funder or labels), local specs and the
  analysis code;
- **report** reads the results files, the narrative, all of project.yaml, the run's settings
  (language, formats) and the report code.

A stage's outputs are fingerprinted by content, not existence: a truncated or edited report makes
the report stage stale. The module is free of Prefect, pandas and DuckDB (it opens the store only
when the store changed since the last run), so ``impleval run`` answers "up to date" at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ingest.kinds import inbox_files
from project.config import Project
from project.layout import ProjectPaths
from project.provenance import code_fingerprint, file_sha256

STAGES = ("ingest", "analyse", "report")

#: project.yaml as each stage reads it (pydantic include/exclude of the parsed model).
_INGEST = "id period organisations staff_groups instruments waves indicators outcomes interviews"
_INGEST_CONFIG: dict[str, Any] = {
    "include": dict.fromkeys(_INGEST.split(), True) | {"privacy": {"free_text", "roster"}},
    "exclude": {
        "waves": {
            "__all__": {"labels", "short", "invited", "invited_by", "reminders", "survey_url"}
        },
        "organisations": {"__all__": {"type"}},
    },
}
_ANALYSE = "period organisations staff_groups instruments waves survey indicators goals activities"
_ANALYSE_CONFIG: dict[str, Any] = {
    "include": dict.fromkeys([*_ANALYSE.split(), "outcomes", "interviews"], True)
    | {"privacy": {"min_cell_size"}},
    "exclude": {"waves": {"__all__": {"labels", "short", "reminders", "survey_url"}}},
}
#: The code each stage runs (flows/ is everybody's wiring).
_CODE = {
    "ingest": ("flows", "project", "instruments", "privacy", "store", "validation", "ingest"),
    "analyse": ("flows", "project", "instruments", "store", "analysis"),
    "report": ("flows", "project", "instruments", "analysis", "reports"),
}


def _files(paths: Iterable[Path], root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): file_sha256(p) for p in paths if p.is_file()}


def _config(project: Project, part: Mapping[str, Any]) -> str:
    data = project.model_dump(mode="json", include=part["include"], exclude=part["exclude"])
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _rosters(project: Project, root: Path) -> list[Path]:
    named = [project.privacy.roster, project.interviews.roster if project.interviews else None]
    return [root / name for name in named if name]


def stage_inputs(
    stage: str,
    paths: ProjectPaths,
    project: Project,
    *,
    settings: Mapping[str, str],
    data_version: str | None,
) -> dict[str, str]:
    """Everything a stage's result depends on, as name → content hash."""
    root = paths.root
    local_specs = sorted(paths.instruments.rglob("*.yaml")) if paths.instruments.is_dir() else []
    common = {"code": code_fingerprint(packages=_CODE[stage])} | _files(local_specs, root)
    if stage == "ingest":
        inbox = [f.path for f in inbox_files(paths, project)]
        return (
            common
            | {"project.yaml": _config(project, _INGEST_CONFIG)}
            | _files([*inbox, *_rosters(project, root)], root)
        )
    if stage == "analyse":
        return common | {
            "project.yaml": _config(project, _ANALYSE_CONFIG),
            "data_version": data_version or "(no data)",
        }
    if stage == "report":
        results = sorted(paths.results.glob("*.csv")) if paths.results.is_dir() else []
        narrative = sorted(paths.narrative.glob("*.md")) if paths.narrative.is_dir() else []
        return (
            common
            | {"project.yaml": file_sha256(paths.project_file)}
            | _files([*results, *narrative], root)
            | {f"settings.{k}": v for k, v in sorted(settings.items())}
        )
    raise ValueError(f"unknown stage {stage!r}")


def fingerprint(inputs: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(inputs), sort_keys=True).encode()).hexdigest()


def read_state(paths: ProjectPaths) -> dict[str, Any]:
    try:
        state = json.loads(paths.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"stages": {}}
    return state if isinstance(state, dict) else {"stages": {}}


def _write_state(paths: ProjectPaths, state: Mapping[str, Any]) -> None:
    paths.managed.mkdir(parents=True, exist_ok=True)
    tmp = paths.state.with_name(f"{paths.state.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, paths.state)


def record_stage(paths: ProjectPaths, stage: str, fp: str, outputs: Iterable[Path]) -> None:
    """Remember that ``stage`` ran on inputs ``fp`` and produced ``outputs``, each with the hash
    of its content (the state file is replaced atomically)."""
    state = read_state(paths)
    state.setdefault("stages", {})[stage] = {
        "fingerprint": fp,
        "outputs": _files(sorted(set(outputs)), paths.root),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _write_state(paths, state)


def is_current(paths: ProjectPaths, stage: str, fp: str) -> bool:
    """Whether ``stage`` last ran on inputs ``fp`` and its outputs are still what it wrote."""
    entry = read_state(paths).get("stages", {}).get(stage)
    if not entry or entry.get("fingerprint") != fp:
        return False
    outputs = entry.get("outputs", {})
    if not isinstance(outputs, dict):  # a state file of an earlier version: redo the stage
        return False
    return all(
        (paths.root / name).is_file() and file_sha256(paths.root / name) == digest
        for name, digest in outputs.items()
    )


def _store_stamp(paths: ProjectPaths) -> list[int]:
    """Size and modification time of the store and its write-ahead log (changed by any write)."""
    stamp: list[int] = []
    for file in (paths.warehouse, paths.warehouse.with_name(paths.warehouse.name + ".wal")):
        info = file.stat() if file.exists() else None
        stamp += [info.st_size, info.st_mtime_ns] if info else [-1, -1]
    return stamp


def current_data_version(paths: ProjectPaths) -> str | None:
    """The store's data version, or None when there is no store yet.

    The store is opened only when its files changed since the version was last read; otherwise the
    version kept in the state file is returned (opening DuckDB costs more than the whole check).
    """
    if not paths.warehouse.is_file():
        return None
    state = read_state(paths)
    stamp = _store_stamp(paths)
    cached = state.get("store", {})
    if cached.get("stamp") == stamp and cached.get("data_version"):
        return str(cached["data_version"])
    from store import warehouse

    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        version = warehouse.data_version(con)
    state["store"] = {"stamp": _store_stamp(paths), "data_version": version}
    _write_state(paths, state)
    return version
