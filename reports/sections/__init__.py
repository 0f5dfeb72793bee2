"""The report's generated content, one module per kind; each returns SectionContent blocks.

:data:`SECTION_BUILDERS` is the one list of them. The report calls the builders of the kinds
project.yaml declares (``is_declared``), in this order: content that lands in the same section
keeps this order (the survey's appendix part asks to come first, see
:attr:`reports.content.SectionContent.order`).
"""

from __future__ import annotations

from reports.content import SectionBuilder
from reports.sections import basic, codings, indicators, logic, survey

SECTION_BUILDERS: tuple[SectionBuilder, ...] = (
    basic.BUILDER,
    logic.BUILDER,
    indicators.BUILDER,
    codings.BUILDER,
    survey.BUILDER,
)
"""Basic facts (1), the project logic (P1), key figures (N3), interviews (N2) and the staff survey
(N3, after the key figures); in the appendix the survey's part comes first, then the time-series
models and the agreement between coders."""

__all__ = ["SECTION_BUILDERS"]
