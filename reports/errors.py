"""Report problems a user can fix (subclasses of :class:`project.errors.PipelineError`)."""

from __future__ import annotations

from project.errors import PipelineError


class ReportError(PipelineError):
    """The report cannot be built from what is in the project folder."""


class ResultsFileError(ReportError):
    """A results file the report reads is missing columns or cannot be read."""


class RenderError(ReportError):
    """pandoc or typst could not turn the report's Markdown into HTML, DOCX or PDF."""
