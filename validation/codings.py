"""The codings suite, generated from ``interviews:`` in project.yaml: never written by hand.

One row per coding (one code applied to one segment by one coder), after mapping: every coding names
its document, has text and a code, a declared coder, a stakeholder group and round given by the
document rules, and positions that are not negative.
"""

from __future__ import annotations

from project.interviews import InterviewsConfig
from validation.expectations import Expectation


def _not_null(column: str, rule: str, hint: str) -> Expectation:
    return Expectation(
        "ExpectColumnValuesToNotBeNull",
        {"column": column},
        {"rule": rule, "field": column, "hint": hint},
    )


def _in_set(column: str, values: list[str], rule: str, hint: str) -> Expectation:
    return Expectation(
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": values},
        {"rule": rule, "field": column, "hint": hint},
    )


def _not_negative(column: str) -> Expectation:
    return Expectation(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": 0},
        {
            "rule": "bad_position",
            "field": column,
            "hint": "a negative " + column[:-4] + " position",
        },
    )


def coding_expectations(config: InterviewsConfig) -> list[Expectation]:
    """The suite a canonical codings frame must meet, generated from ``interviews:``."""
    coder_hint = "the coder is not declared under interviews.coders"
    return [
        _not_null("document_id", "missing_document", "every coded segment needs its document"),
        _not_null("segment_text", "missing_segment_text", "the coded segment's text is empty"),
        _not_null("code_path", "missing_code", "the coding names no code"),
        _not_null("coder", "unknown_coder", coder_hint),
        _in_set("coder", [c.id for c in config.coders], "unknown_coder", coder_hint),
        _not_null(
            "stakeholder_group",
            "unassigned_document",
            "no rule under interviews.documents gives the document a stakeholder group",
        ),
        _in_set(
            "stakeholder_group",
            [g.id for g in config.stakeholder_groups],
            "unknown_stakeholder_group",
            "the stakeholder group is not declared under interviews.stakeholder_groups",
        ),
        _not_null(
            "round_id",
            "unassigned_document",
            "no rule under interviews.documents gives the document a round",
        ),
        _in_set(
            "round_id",
            [r.id for r in config.rounds],
            "unknown_round",
            "the round is not declared under interviews.rounds",
        ),
        _not_negative("start_pos"),
        _not_negative("end_pos"),
    ]
