"""Stage ``report``: figures, the report's Markdown, HTML/PDF/DOCX and the manifest."""

from __future__ import annotations

from pathlib import Path

from flows.settings import RunSettings
from ingest.kinds import get_kind
from instruments.spec import project_instrument
from project.config import load_project
from project.layout import ProjectPaths


def write_report(project_dir: Path, *, settings: RunSettings) -> list[Path]:
    """Render the report in ``settings.lang`` and ``settings.formats`` from the results."""
    from reports.document import build_report

    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    specs = [project_instrument(project, i, paths.root) for i in project.instrument_ids]
    lang = settings.lang
    extra = []
    place = {
        "project": project,
        "results_dir": paths.results,
        "figures_dir": paths.figures,
        "out_dir": paths.reports,
        "lang": lang,
    }
    if get_kind("indicators").analysed(project):
        from reports.sections.indicators import report_sections as indicator_sections

        extra += indicator_sections(**place)
    if project.interviews is not None:
        from reports.sections.codings import report_sections as interview_sections

        extra += interview_sections(**place)
    outputs = build_report(
        project=project,
        specs=specs,
        results_dir=paths.results,
        narrative_dir=paths.narrative,
        out_dir=paths.reports,
        lang=settings.lang,
        formats=settings.formats,
        figures_dir=paths.figures,
        project_dir=paths.root,
        extra=extra,
    )
    return outputs.files
