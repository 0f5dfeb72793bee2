"""What project.yaml says about privacy: the small-cell threshold, free text, and the anonymity
of dataset releases (docs/privacy.md, docs/disclosure.md, docs/releases.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from project.strict import Strict


class Privacy(Strict):
    """Disclosure control. The threshold is recorded with every output."""

    min_cell_size: int = Field(
        default=5,
        ge=1,
        description="Groups with fewer respondents are suppressed in every table and figure.",
    )
    small_group_quotes: Literal["omit", "merge"] = Field(
        default="omit",
        description="Interview quotes from a stakeholder group and round with fewer interviews "
        "than min_cell_size: left out of the report, or attributed to one merged label "
        "(Övriga aktörer / Other stakeholders) without speaker or round.",
    )
    free_text: Literal["redact", "quarantine"] = Field(
        default="redact",
        description="What a survey ingest does when a free-text answer holds a personnummer, an "
        "e-mail address, a phone number or a roster name: replace it, or keep the row out.",
    )
    roster: str | None = Field(
        default=None,
        description="A file of names (one a line, or CSV with a name column), relative to the "
        "project folder, looked for in survey free text.",
    )
    quasi_identifiers: tuple[str, ...] = Field(
        default=("organisation", "unit", "staff_group", "wave", "submitted_at"),
        description="Columns of released person-level tables that, combined, could point to a "
        "person; a deposit release generalises them and suppresses rows until each combination "
        "holds at least k_anonymity people (docs/releases.md).",
    )
    k_anonymity: int = Field(
        default=5,
        ge=2,
        description="A deposit release holds at least this many people in every combination of "
        "the quasi-identifiers.",
    )
    sensitive_columns: tuple[str, ...] = Field(
        default=(),
        description="Released columns that must vary within each combination (l-diversity).",
    )
    l_diversity: int | None = Field(
        default=None,
        ge=2,
        description="Optional: each combination holds at least this many distinct values of every "
        "sensitive column.",
    )
