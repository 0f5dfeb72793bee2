"""Flow ``ingest-surveys``: every survey export in the project's inbox, one transaction each."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.stages import inbox_surveys
from ingest.pipeline import IngestReport, ingest_survey, write_quarantine_report
from project.config import load_project
from project.layout import ProjectPaths


@task(name="ingest-survey-file", cache_policy=NO_CACHE)
def ingest_file(project_dir: Path, file: Path, instrument: str, wave: str) -> IngestReport:
    """Land, read, map, pseudonymise, validate and load one export."""
    return ingest_survey(project_dir, file, instrument=instrument, wave=wave)


@flow(name="ingest-surveys", validate_parameters=False)
def ingest_surveys(project_dir: Path) -> list[IngestReport]:
    """Ingest the inbox's ``<instrument>_<wave>`` exports in file-name order."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    reports = [
        ingest_file(paths.root, file, instrument, wave)
        for file, instrument, wave in inbox_surveys(paths, project)
    ]
    write_quarantine_report(paths)
    return reports
