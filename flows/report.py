"""Stage ``report``: figures, the report's Markdown, HTML/PDF/DOCX and the manifest, from the
results files (:mod:`reports.build`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from project.config import load_project

if TYPE_CHECKING:
    from flows.settings import RunSettings
    from reports.content import Progress


def write_report(
    project_dir: Path, *, settings: RunSettings, progress: Progress | None = None
) -> list[Path]:
    """Render the report in ``settings.lang`` and ``settings.formats`` from the results.

    ``progress(step, done, total)`` is told about the long steps (sections, figures, formats).
    """
    from reports.build import ReportRequest, build_report

    request = ReportRequest(
        project=load_project(Path(project_dir)),
        project_dir=Path(project_dir),
        lang=settings.lang,
        formats=settings.formats,
    )
    return build_report(request, progress=progress).files
