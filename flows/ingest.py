"""Flow ``ingest-inbox``: every export in the project's inbox, one transaction each.

Surveys, indicator series and interview codings are each landed, validated, quarantined and loaded
by their own ingest function; see :func:`flows.stages.inbox_files` for how files are recognised.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.stages import inbox_files
from ingest.kinds import ingest_any
from ingest.pipeline import write_quarantine_report
from project.config import load_project
from project.layout import ProjectPaths


@task(name="ingest-file", cache_policy=NO_CACHE)
def ingest_file(project_dir: Path, kind: str, file: Path) -> object:
    """Land, read, map, pseudonymise, validate and load one export."""
    return ingest_any(project_dir, kind, file)


@flow(name="ingest-inbox", validate_parameters=False)
def ingest_inbox(project_dir: Path) -> list[object]:
    """Ingest the inbox: survey waves, then indicator files, then interview codings."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    reports = [ingest_file(paths.root, kind, file) for kind, file in inbox_files(paths, project)]
    write_quarantine_report(paths)
    return reports
