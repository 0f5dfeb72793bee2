"""Row-level quarantine: every row that breaks a rule is set aside with the rule and a reason.

Rows are never dropped silently: each row of an export is either loaded or quarantined, and
``rows_read == rows_loaded + rows_quarantined`` is checked on every ingest.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

QUARANTINE_COLUMNS = ["source_row", "column", "rule", "detail"]
#: Longer cell contents are not copied into a quarantine detail (see :func:`cell_detail`).
MAX_DETAIL = 40

#: What each rule means, for the quarantine file and the report (en; the CLI is English).
RULES = {
    "missing_identifier": "the respondent identifier is empty",
    "duplicate_respondent": "the same respondent answered more than once in this wave",
    "answered_in_other_part": "the same respondent answered earlier in another part of the wave, "
    "where that answer counts",
    "outside_wave_window": "submitted outside the wave's open–close dates",
    "bad_timestamp": "the submission time is not a date",
    "unknown_label": "an answer label that is not in the instrument's response set",
    "not_a_number": "a text where a number was expected",
    "non_finite_number": "NaN or infinity where a finite number was expected",
    "out_of_set": "an answer code outside the response set",
    "unknown_organisation": "an organisation not declared in project.yaml",
    "unknown_unit": "a unit not declared in project.yaml",
    "unknown_staff_group": "a staff group not declared in project.yaml",
    "empty_response": "no item answered at all",
    "unknown_item": "a line of a long export naming an item the instrument does not have",
    "duplicate_answer": "a second answer to the same item by the same respondent (long export)",
    "identifying_free_text": "a free-text answer holding a personnummer, e-mail address, phone "
    "number or name",
    "unknown_indicator": "an indicator not in the project's indicator registry",
    "irregular_period": "a period not written as the indicator's frequency (YYYY-MM, YYYY-Qn, YYYY)",
    "period_outside_project": "a period outside the indicator's observation window",
    "duplicate_period": "the same indicator (or outcome category), unit, period and breakdown more "
    "than once",
    "negative_value": "a negative value (counts, shares and means here are never negative)",
    "nonpositive_denominator": "a denominator of zero or less",
    "missing_denominator": "no denominator where the indicator needs one",
    "numerator_exceeds_denominator": "more cases with the attribute than cases",
    "undeclared_disaggregation": "a breakdown value in a column the indicator does not declare",
    "missing_category": "an outcome row without its category",
    "unknown_category": "an outcome category not declared for the outcome in project.yaml",
    "unexpected_category": "a category on an indicator row (categories belong to outcomes)",
    "non_integer_count": "a count of persons that is not a whole number",
    "missing_document": "a coded segment without its document name",
    "missing_segment_text": "a coded segment without text",
    "missing_code": "a coding that names no code",
    "unknown_coder": "a coder not declared under interviews.coders",
    "unassigned_document": "a document no interviews.documents rule gives a stakeholder group and round",
    "unknown_stakeholder_group": "a stakeholder group not declared under interviews",
    "unknown_round": "a data-collection round not declared under interviews",
    "bad_position": "a segment position that is not a number, negative, or ends before it starts",
    "duplicate_coding": "the same coder applied the same code to the same segment twice",
}


def problem(row: object, column: str, rule: str, detail: object) -> dict:
    """One quarantine record: the file's row number, the column, the rule and a short detail."""
    return {"source_row": int(row), "column": column, "rule": rule, "detail": str(detail)}  # type: ignore[call-overload]


def cell_detail(value: object) -> str:
    """A cell as a quarantine detail: its text when short, else only its length (a long cell is
    free text, and free text is not copied into the quarantine)."""
    text = " ".join(str(value).split())
    if len(text) > MAX_DETAIL:
        return f"(text of {len(text)} characters)"
    return text


@dataclass(frozen=True)
class Verdict:
    """Which rows load and which are quarantined, with every reason."""

    reasons: pd.DataFrame  # QUARANTINE_COLUMNS, one row per (row, rule, column)
    quarantined_rows: frozenset[int]

    def is_loaded(self, source_rows: pd.Series) -> pd.Series:
        return ~source_rows.isin(self.quarantined_rows)


def judge(source_rows: pd.Series, problems: list[dict], failures: list[dict]) -> Verdict:
    """Combine mapping problems (by source row) and suite failures (by position) into a verdict."""
    rows = list(source_rows)
    records = list(problems) + [
        {
            "source_row": int(rows[f["position"]]),
            "column": f["column"],
            "rule": f["rule"],
            "detail": f["detail"],
        }
        for f in failures
    ]
    reasons = pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS)
    if not reasons.empty:
        reasons = reasons.drop_duplicates().sort_values(["source_row", "rule", "column"])
        reasons = reasons.reset_index(drop=True)
    unknown = set(reasons["rule"]) - set(RULES)
    if unknown:
        raise ValueError(f"quarantine rules without a description: {sorted(unknown)}")
    return Verdict(reasons, frozenset(int(r) for r in reasons["source_row"]))
