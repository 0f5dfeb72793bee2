"""The provenance manifest written beside a report: what went in, what came out, what made it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any

from project import provenance
from reports.writer import write_manifest_file

MANIFEST_FILE = "manifest.json"
SCHEMA_VERSION = 1


def _portable(value: Any, *, project_dir: Path | None) -> Any:
    """Settings as JSON values, with paths made portable (never absolute)."""
    if isinstance(value, PurePath):
        return provenance.portable_path(Path(value), project_dir=project_dir)
    if isinstance(value, Mapping):
        return {str(k): _portable(v, project_dir=project_dir) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [_portable(v, project_dir=project_dir) for v in items]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def build_manifest(
    *,
    inputs: Mapping[str, Path],
    settings: Mapping[str, Any],
    outputs: Iterable[Path],
    project_dir: Path | None,
    generated_at: dt.datetime | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The manifest as a dict (see :func:`write_manifest`)."""
    missing = [name for name, path in inputs.items() if not Path(path).is_file()]
    if missing:
        raise FileNotFoundError(f"manifest: input files not found: {', '.join(missing)}")
    outputs = list(outputs)
    when = generated_at or dt.datetime.now(dt.UTC)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": when.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "impleval_version": provenance.impleval_version(),
        "code_sha256": provenance.code_fingerprint(),
        "packages": {
            **provenance.package_versions(),
            "pandoc": provenance.pandoc_version(),
        },
        "settings": _portable(dict(settings), project_dir=project_dir),
        "inputs": provenance.hash_files(dict(inputs), project_dir=project_dir),
        "outputs": [
            {
                "path": provenance.portable_path(path, project_dir=project_dir),
                "sha256": provenance.file_sha256(path),
                "bytes": Path(path).stat().st_size,
            }
            for path in outputs
        ],
        "provenance": _portable(list(sources), project_dir=project_dir),
    }


def write_manifest(
    out_dir: Path,
    *,
    inputs: Mapping[str, Path],
    settings: Mapping[str, Any],
    outputs: Iterable[Path],
    project_dir: Path | None = None,
    entry: str | None = None,
    generated_at: dt.datetime | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Write ``out_dir/manifest.json``: hashes of inputs and outputs, versions and settings.

    Parameters
    ----------
    out_dir
        Where the report files are; the manifest is written beside them.
    inputs
        Named input files (results CSVs, narrative files, project.yaml, …), hashed with SHA-256.
    settings
        What the outputs were made with (language, formats, min_cell_size, …). Paths in it are
        recorded relative to ``project_dir``.
    outputs
        The files written (report, figures), hashed with SHA-256.
    project_dir
        The project folder that paths are recorded relative to. Defaults to ``out_dir``'s
        grandparent when that holds a ``project.yaml`` (``<project>/output/reports``), else
        ``out_dir``. Files outside it and outside the code are recorded by name only.
    entry
        When given (e.g. the report language), the manifest is stored under
        ``{"reports": {entry: ...}}`` and other entries already in the file are kept, so one
        ``manifest.json`` describes the Swedish and the English report side by side.
    sources
        Where each table and figure comes from (:func:`reports.provenance.provenance_entries`):
        its number and caption, the results files with their hashes, the rows, and the
        ingested files they derive from.

    Returns
    -------
    pathlib.Path
        The manifest written.
    """
    out_dir = Path(out_dir)
    if project_dir is None:
        guess = out_dir.resolve().parent.parent
        project_dir = guess if (guess / "project.yaml").is_file() else out_dir
    manifest = build_manifest(
        inputs=inputs,
        settings=settings,
        outputs=outputs,
        project_dir=project_dir,
        generated_at=generated_at,
        sources=sources,
    )
    return write_manifest_file(out_dir / MANIFEST_FILE, manifest, entry=entry)
