"""docs/interviews.md stays in step with the code: every key, profile spelling, rule and column."""

from __future__ import annotations

import pytest

from analysis.agreement_tables import AGREEMENT_COLUMNS
from analysis.coding_frequencies import CO_OCCURRENCE_COLUMNS, FREQUENCY_COLUMNS
from analysis.codings import DOCUMENT_COLUMNS, QUOTE_COLUMNS
from ingest.qda import load_coding_profile, profile_ids
from project.interviews import AgreementSettings, CodeGroup, InterviewsConfig, Quotes
from tests.conftest import REPO
from validation.quarantine import RULES

DOC = (REPO / "docs" / "interviews.md").read_text(encoding="utf-8")
CODING_RULES = (
    "missing_document",
    "missing_segment_text",
    "missing_code",
    "unknown_coder",
    "unassigned_document",
    "unknown_stakeholder_group",
    "unknown_round",
    "bad_position",
    "duplicate_coding",
)


@pytest.mark.parametrize(
    "key",
    [
        *InterviewsConfig.model_fields,
        *Quotes.model_fields,
        *AgreementSettings.model_fields,
        *CodeGroup.model_fields,
    ],
)
def test_every_config_key_is_documented(key: str) -> None:
    assert f"`{key}`" in DOC or f"{key}:" in DOC


@pytest.mark.parametrize("profile", profile_ids())
def test_every_header_spelling_is_documented(profile: str) -> None:
    for spellings in load_coding_profile(profile).columns.values():
        for spelling in spellings:
            assert f"`{spelling}`" in DOC, (profile, spelling)


def test_rules_and_columns_are_documented() -> None:
    for rule in CODING_RULES:
        assert rule in RULES and f"`{rule}`" in DOC, rule
    columns = {*AGREEMENT_COLUMNS, *FREQUENCY_COLUMNS, *CO_OCCURRENCE_COLUMNS, *QUOTE_COLUMNS,
               *DOCUMENT_COLUMNS, "n_documents", "code_type"}  # fmt: skip
    for column in columns:
        assert f"`{column}`" in DOC, column
