"""``manifest.json`` (inputs, code version, settings, what anonymisation did, files) and
``SHA256SUMS`` (one line per file, as ``sha256sum -c`` reads it)."""

from __future__ import annotations

import json
from pathlib import Path

from project.provenance import (
    PACKAGES,
    code_fingerprint,
    file_sha256,
    impleval_version,
    package_versions,
    portable_path,
)
from releases.anonymity import Outcome
from releases.keys import ReleaseKey
from releases.model import Table
from releases.options import ReleaseOptions
from releases.reads import StoreContents

CHECKSUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
DEPENDENCIES = (
    "pandas",
    "pyarrow",
    "pyreadstat",
    "frictionless",
    "xmlschema",
    "pypandoc-binary",
    "typst",
)


def release_files(folder: Path) -> list[str]:
    """Every file of a release folder (relative, sorted), checksums file left out."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != CHECKSUMS
    )


def manifest(
    store: StoreContents,
    options: ReleaseOptions,
    key: ReleaseKey,
    tables: list[Table],
    outcomes: list[Outcome],
    *,
    project_dir: Path,
    spec_files: list[Path],
) -> dict[str, object]:
    """What the release was made from and with (no absolute paths, no key)."""
    return {
        "release": {
            "project": store.project.id,
            "version": options.version,
            "date": options.date.isoformat(),
            "profile": options.profile,
        },
        "key": {"fingerprint": key.fingerprint, "linked_to": key.linked_to},
        "code": {
            "impleval": impleval_version(),
            "fingerprint": code_fingerprint(packages=(*PACKAGES, "releases")),
            "dependencies": package_versions(DEPENDENCIES),
        },
        "inputs": {
            "project.yaml": file_sha256(project_dir / "project.yaml"),
            "instrument_specs": {
                portable_path(p, project_dir=project_dir): file_sha256(p) for p in spec_files
            },
            "data_version": store.data_version,
            "ingests": store.ingests,
        },
        "settings": options.settings(),
        "anonymity": [o.record() for o in outcomes],
        "tables": [
            {
                "name": t.name,
                "rows": len(t.frame),
                "person_key": t.person_key,
                "quasi_identifiers": [q for q in options.quasi_identifiers if q in t.frame.columns]
                if t.person_key
                else [],
                "files": [
                    f"data/{t.name}.{ext}"
                    for ext in ("csv", "parquet", *(("sav", "dta") if t.labelled else ()))
                ],
            }
            for t in tables
        ],
    }


def write_manifest(folder: Path, content: dict[str, object]) -> Path:
    content = dict(content)
    content["files"] = {
        name: {"bytes": (folder / name).stat().st_size, "sha256": file_sha256(folder / name)}
        for name in release_files(folder)
        if name != MANIFEST
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_checksums(folder: Path) -> Path:
    lines = [f"{file_sha256(folder / name)}  {name}" for name in release_files(folder)]
    path = folder / CHECKSUMS
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
