"""Flow ``ingest-inbox``: every export in the project's inbox, one transaction each.

Survey waves, indicator series and interview codings go through the same ingest transaction
(:func:`ingest.transaction.ingest_file`); :func:`ingest.kinds.inbox_files` says which file is
which kind, from the kind registry.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from ingest.kinds import InboxFile, inbox_files
from ingest.report import IngestReport, write_quarantine_report
from ingest.transaction import ingest_file
from project.config import load_project
from project.layout import ProjectPaths


@task(name="ingest-file", cache_policy=NO_CACHE)
def ingest_one(project_dir: Path, found: InboxFile) -> IngestReport:
    """Land, read, map, pseudonymise, validate and load one export."""
    return ingest_file(project_dir, found.kind, found.path, found.options)


@flow(name="ingest-inbox", validate_parameters=False)
def ingest_inbox(project_dir: Path) -> list[IngestReport]:
    """Ingest the inbox: survey waves, then indicator files, then interview codings."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    reports = [ingest_one(paths.root, found) for found in inbox_files(paths, project)]
    write_quarantine_report(paths)
    return reports
