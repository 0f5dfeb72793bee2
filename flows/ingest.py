"""Stage ``ingest``: every export in the project's inbox, one transaction each.

Survey waves, indicator series and interview codings go through the same ingest transaction
(:func:`ingest.transaction.ingest_file`); :func:`ingest.kinds.inbox_files` says which file is which
kind, from the kind registry. Then the quarantine file is written for people to read.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.kinds import inbox_files
from ingest.report import IngestReport, write_quarantine_report
from ingest.transaction import ingest_file
from project.config import Project
from project.layout import ProjectPaths

Progress = Callable[[str, int, int], None]


def ingest_inbox(
    paths: ProjectPaths, project: Project, *, progress: Progress | None = None
) -> list[IngestReport]:
    """Land, read, map, pseudonymise, validate and load each inbox export, in registry order."""
    found = inbox_files(paths, project)
    reports = []
    for done, file in enumerate(found):
        if progress:
            progress(f"ingest {file.path.name}", done, len(found))
        reports.append(ingest_file(paths.root, file.kind, file.path, file.options))
    if progress:
        progress("ingest", len(found), len(found))
    write_quarantine_report(paths)
    return reports
