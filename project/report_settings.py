"""The ``report:`` section of ``project.yaml`` (docs/reports.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from project.labels import Labels
from project.strict import Strict

__all__ = ["OmittedQuestion", "ReportSettings"]


class OmittedQuestion(Strict):
    """A question of the funder's template that the report does not answer, and why."""

    question: str | Labels = Field(
        description="The question (or the template's section) left out: a text, or {sv, en}."
    )
    reason: str | Labels = Field(description="Why it is left out: a text, or {sv, en}.")


class ReportSettings(Strict):
    """The report: language, formats, evaluator, kind, Word template, questions left out."""

    language: Literal["sv", "en"] = Field(
        default="sv", description="The report's language: sv or en."
    )
    formats: tuple[Literal["html", "pdf", "docx"], ...] = Field(
        default=("html", "pdf", "docx"), description="The formats written: html, pdf, docx."
    )
    evaluator: str | Labels | None = Field(
        default=None,
        description="The evaluator (a person or a firm), among the basic facts of section 1: a "
        "text, or {sv, en} when it differs by language.",
    )
    kind: Literal["interim", "final", "followup"] = Field(
        default="final",
        description="interim, final or followup: the report's kind (impleval report --kind "
        "overrides it; interim and followup need --cutoff).",
    )
    docx_template: str | None = Field(
        default=None,
        description="A Word file (.docx) whose styles, page size, margins, headers and footers "
        "the DOCX report takes (the funder's or the evaluator's template; a path relative to the "
        "project folder). Default: A4 with page numbers.",
    )
    omitted: tuple[OmittedQuestion, ...] = Field(
        default=(),
        description="Questions of the funder's template the report leaves out, each {question, "
        "reason} (or write narrative/omitted.md).",
    )
