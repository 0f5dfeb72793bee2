"""Committed snapshots of the suites generated from the built-in instrument specs.

A snapshot makes a change to a spec's validation visible in review: the JSON under
``validation/snapshots/<instrument>.json`` must equal what :func:`validation.survey.suite_snapshot`
generates now, or a test fails. After an intended change, refresh them with::

    .venv/bin/python -m validation.snapshots
"""

from __future__ import annotations

import json
from pathlib import Path

from instruments.spec import BUILTIN_DIR, load_instrument
from validation.survey import suite_snapshot

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"


def builtin_instruments() -> list[str]:
    return sorted(p.parent.name for p in BUILTIN_DIR.glob("*/instrument.yaml"))


def render_snapshot(instrument_id: str) -> str:
    """The snapshot text of one built-in instrument's suite."""
    spec = load_instrument(instrument_id)
    document = {
        "instrument": spec.id,
        "version": spec.version,
        "expectations": suite_snapshot(spec),
    }
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def snapshot_path(instrument_id: str) -> Path:
    return SNAPSHOT_DIR / f"{instrument_id}.json"


def write_snapshots() -> list[Path]:
    SNAPSHOT_DIR.mkdir(exist_ok=True)
    written = []
    for instrument_id in builtin_instruments():
        path = snapshot_path(instrument_id)
        path.write_text(render_snapshot(instrument_id), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_snapshots():
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
