"""Everything a release reads from the project's store, in one place.

The store's reads are in ``store/reads.py``; this module is the only one in ``releases/`` that
calls them. It opens the warehouse read
only and returns plain frames; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.scoring import score_scales
from instruments.spec import InstrumentSpec, project_instrument
from project.config import Project, load_project
from project.layout import ProjectPaths
from store import reads, warehouse


@dataclass(frozen=True)
class SurveyData:
    """One instrument's active answers: wide codes, the long statuses and the scale scores."""

    spec: InstrumentSpec
    wide: pd.DataFrame
    long: pd.DataFrame
    scores: pd.DataFrame


@dataclass(frozen=True)
class StoreContents:
    """What a release is built from."""

    project: Project
    surveys: dict[str, SurveyData]
    indicators: pd.DataFrame
    outcomes: pd.DataFrame
    codings: pd.DataFrame
    documents: pd.DataFrame
    data_version: str
    ingests: list[dict[str, object]] = field(default_factory=list)


def read_store(project_dir: Path) -> StoreContents:
    """Read the project and the active data of its store (read only).

    Raises
    ------
    StoreError
        When the project has no store yet.
    """
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    specs = {i: project_instrument(project, i, paths.root) for i in project.instrument_ids}
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        surveys = {}
        for instrument, spec in specs.items():
            wide, long = reads.read_survey_frames(con, spec)
            surveys[instrument] = SurveyData(spec, wide, long, score_scales(wide, spec))
        codings, documents = reads.read_active_codings(con)
        ingests = con.execute(
            "SELECT kind, instrument, wave, sha256, rows_loaded FROM ingests "
            "WHERE superseded_by IS NULL ORDER BY ingest_id"
        ).fetchall()
        return StoreContents(
            project=project,
            surveys=surveys,
            indicators=reads.read_indicator_values(con),
            outcomes=reads.read_outcome_values(con),
            codings=codings,
            documents=documents,
            data_version=warehouse.data_version(con),
            ingests=[
                dict(zip(("kind", "instrument", "wave", "sha256", "rows"), row, strict=True))
                for row in ingests
            ],
        )


def store_pseudonyms(project_dir: Path) -> set[str]:
    """Every pseudonym the store holds (respondents, documents, speakers, segments)."""
    paths = ProjectPaths(Path(project_dir))
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        return reads.store_pseudonyms(con)
