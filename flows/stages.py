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

STAGES = ("ingest", "analyse", "report")
SURVEY_SUFFIXES = (".xlsx", ".csv")
PACKAGES = ("flows", "instruments", "analysis", "validation", "reports", "ingest", "store",
            "privacy", "project")
_CODE_SUFFIXES = {".py", ".yaml", ".yml", ".j2", ".css", ".typ"}
_REPO = Path(__file__).resolve().parent.parent


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def code_fingerprint() -> str:
    """A hash over the source of impleval's packages: any code change makes every stage stale."""
    h = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((_REPO / package).rglob("*")):
            if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(_REPO)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


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


def _files(paths: list[Path], root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hash_file(p) for p in paths if p.is_file()}


def stage_inputs(
    stage: str, paths: ProjectPaths, project: Project, *, settings: dict, data_version: str | None
) -> dict[str, str]:
    """Everything a stage's result depends on, as name → content hash."""
    root = paths.root
    common = {"project.yaml": hash_file(paths.project_file), "code": code_fingerprint()}
    local_specs = sorted(paths.instruments.rglob("*.yaml")) if paths.instruments.is_dir() else []
    common |= _files(local_specs, root)
    if stage == "ingest":
        return common | _files([p for p, _, _ in inbox_surveys(paths, project)], root)
    if stage == "analyse":
        return common | {"data_version": data_version or "(no data)"}
    if stage == "report":
        results = sorted(paths.results.glob("*.csv")) if paths.results.is_dir() else []
        narrative = sorted(paths.narrative.glob("*.md")) if paths.narrative.is_dir() else []
        return common | _files(results + narrative, root) | {
            "settings": sha256_bytes(json.dumps(settings, sort_keys=True).encode())
        }
    raise ValueError(f"unknown stage {stage!r}")


def fingerprint(inputs: dict[str, str]) -> str:
    return sha256_bytes(json.dumps(inputs, sort_keys=True).encode())


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
