"""Flow ``render-report``: figures, the report's Markdown, HTML/PDF/DOCX and the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from project.config import load_project

if TYPE_CHECKING:
    from reports.content import Progress


def write_report(
    project_dir: Path, *, settings: dict, progress: Progress | None = None
) -> list[Path]:
    """Render the report in ``settings['lang']`` and ``settings['formats']`` from the results.

    ``progress(step, done, total)`` is told about the long steps (sections, figures, formats).
    """
    from reports.build import ReportRequest, build_report

    request = ReportRequest(
        project=load_project(Path(project_dir)),
        project_dir=Path(project_dir),
        lang=settings["lang"],
        formats=settings["formats"],
    )
    return build_report(request, progress=progress).files


@task(name="write-report", cache_policy=NO_CACHE)
def write_report_task(project_dir: Path, settings: dict) -> list[Path]:
    return write_report(project_dir, settings=settings)


@flow(name="render-report", validate_parameters=False)
def render_report(project_dir: Path, *, settings: dict) -> list[Path]:
    """Render the funder-template report from ``output/results``."""
    return write_report_task(project_dir, settings)
