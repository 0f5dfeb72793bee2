"""Landing: an export is copied unchanged into ``.impleval/raw/`` under its sha256, with a manifest.

Raw files are never edited or deleted by the tool. Landing the same content twice is a no-op that says
so. The manifest (``raw/manifest.jsonl``) has one JSON line per landing: sha256, original name, size,
time, kind, instrument, wave.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from project.errors import ResponseDataError
from project.layout import ProjectPaths
from project.provenance import file_sha256


@dataclass(frozen=True)
class LandedFile:
    sha256: str
    raw_path: Path
    original_name: str
    size: int
    kind: str
    instrument: str | None
    wave: str | None
    landed_at: str
    already_landed: bool


def read_manifest(paths: ProjectPaths) -> list[dict]:
    if not paths.raw_manifest.is_file():
        return []
    lines = paths.raw_manifest.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def land_file(
    source: Path,
    paths: ProjectPaths,
    *,
    kind: str,
    instrument: str | None = None,
    wave: str | None = None,
) -> LandedFile:
    """Copy ``source`` into the raw store (atomically) unless the same content is there already."""
    source = Path(source)
    if not source.is_file():
        raise ResponseDataError(f"{source}: no such file. Hint: check the path and file name.")
    digest = file_sha256(source)
    suffix = "".join(source.suffixes[-1:]).lower()
    target = paths.raw / f"{digest}{suffix}"
    paths.raw.mkdir(parents=True, exist_ok=True)
    for entry in read_manifest(paths):
        if entry["sha256"] == digest:
            return _from_entry(entry, paths)
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=paths.raw, prefix=".landing-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    entry = {
        "sha256": digest,
        "raw_name": target.name,
        "original_name": source.name,
        "size": source.stat().st_size,
        "kind": kind,
        "instrument": instrument,
        "wave": wave,
        "landed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    with open(paths.raw_manifest, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return _from_entry(entry, paths, already=False)


def _from_entry(entry: dict, paths: ProjectPaths, already: bool = True) -> LandedFile:
    return LandedFile(
        sha256=entry["sha256"],
        raw_path=paths.raw / entry["raw_name"],
        original_name=entry["original_name"],
        size=entry["size"],
        kind=entry["kind"],
        instrument=entry.get("instrument"),
        wave=entry.get("wave"),
        landed_at=entry["landed_at"],
        already_landed=already,
    )


def as_record(landed: LandedFile) -> dict:
    record = asdict(landed)
    record["raw_path"] = landed.raw_path.name
    return record
