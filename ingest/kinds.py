"""One entry point for every kind of export: survey waves, indicator series, interview codings."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.pipeline import ingest_survey

KINDS = ("survey", "indicators", "codings")


def ingest_any(project_dir: Path, kind: str, file: Path, **options: object) -> object:
    """Ingest one file of any kind; returns its report (with ``.lines()``)."""
    if kind == "survey":
        match = re.fullmatch(r"(.+?)_([^_]+)", Path(file).stem)
        instrument = options.pop("instrument", None) or (match.group(1) if match else None)
        wave = options.pop("wave", None) or (match.group(2) if match else None)
        return ingest_survey(project_dir, file, instrument=instrument, wave=wave, **options)
    if kind == "indicators":
        from ingest.indicators import ingest_indicators

        options.pop("profile", None)
        return ingest_indicators(project_dir, file, **options)
    if kind == "codings":
        from ingest.codings import ingest_codings

        return ingest_codings(project_dir, file, **options)
    raise ValueError(f"unknown kind {kind!r}")
