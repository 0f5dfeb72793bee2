"""Suites generated from the spec: every item checked, every expectation pointing back to it."""

from __future__ import annotations

import pandas as pd

from instruments.spec import load_instrument
from project.config import load_project
from tests.conftest import EXAMPLE
from validation.gx import run_suite
from validation.quarantine import RULES, judge
from validation.survey import survey_expectations

SPEC = load_instrument("nomad")
WAVE = load_project(EXAMPLE).wave("nomad", "T0")


def test_one_expectation_per_item_plus_keys() -> None:
    exps = survey_expectations(SPEC, WAVE)
    item_exps = [e for e in exps if e.meta.get("item")]
    assert [e.meta["item"] for e in item_exps] == [i.id for i in SPEC.items]
    assert {e.rule for e in exps} <= set(RULES)
    co1 = next(e for e in item_exps if e.meta["item"] == "co1")
    assert co1.type == "ExpectColumnValuesToBeInSet"
    assert co1.kwargs == {"column": "nomad_co1", "value_set": [1.0, 2.0, 3.0, 4.0, 5.0]}
    assert co1.meta == {
        "rule": "out_of_set",
        "instrument": "nomad",
        "item": "co1",
        "source_code": "CO1",
        "response_set": "agree_5",
    }
    g1 = next(e for e in item_exps if e.meta["item"] == "g1")
    assert g1.kwargs["value_set"] == [float(v) for v in range(11)]


def _frame(**changes) -> pd.DataFrame:
    row = {"respondent_id": "p1", "submitted_at": pd.Timestamp("2017-09-10 10:00")}
    row |= {SPEC.column(i.id): 3.0 for i in SPEC.items}
    rows = [dict(row, respondent_id=f"p{k}") for k in range(4)]
    for index, values in changes.items():
        rows[int(index[1:])].update(values)
    return pd.DataFrame(rows)


def test_great_expectations_flags_exactly_the_bad_rows() -> None:
    frame = _frame(
        r1={"nomad_co1": 6.0},
        r2={"respondent_id": "p3"},
        r3={"submitted_at": pd.Timestamp("2017-10-28 00:00")},
    )
    failures = run_suite(frame, survey_expectations(SPEC, WAVE), name="t")
    got = sorted((f["position"], f["rule"]) for f in failures)
    assert got == [
        (1, "out_of_set"),
        (2, "duplicate_respondent"),
        (3, "duplicate_respondent"),
        (3, "outside_wave_window"),
    ]


def test_a_clean_frame_passes_and_the_last_day_counts() -> None:
    frame = _frame(r3={"submitted_at": pd.Timestamp("2017-10-27 23:59")})
    assert run_suite(frame, survey_expectations(SPEC, WAVE), name="t") == []


def test_judge_counts_each_row_once() -> None:
    source_rows = pd.Series([2, 3, 4])
    verdict = judge(
        source_rows,
        [{"source_row": 3, "column": "CO1", "rule": "unknown_label", "detail": "x"}],
        [
            {"position": 1, "rule": "out_of_set", "column": "nomad_co2", "detail": "y"},
            {
                "position": 2,
                "rule": "duplicate_respondent",
                "column": "respondent_id",
                "detail": "z",
            },
        ],
    )
    assert verdict.quarantined_rows == frozenset({3, 4})
    assert verdict.is_loaded(source_rows).tolist() == [True, False, False]
    assert len(verdict.reasons) == 3


def test_the_evaluator_is_chosen_by_a_setting(monkeypatch) -> None:
    import pytest

    from project.errors import ConfigError
    from validation.expectations import validator

    monkeypatch.delenv("IMPLEVAL_VALIDATOR", raising=False)
    assert validator() == "pandas"
    monkeypatch.setenv("IMPLEVAL_VALIDATOR", "GX")
    assert validator() == "gx"
    monkeypatch.setenv("IMPLEVAL_VALIDATOR", "pandera")
    with pytest.raises(ConfigError) as info:
        validator()
    assert str(info.value) == (
        "IMPLEVAL_VALIDATOR: unknown validator. Expected pandas or gx; found 'pandera'. Hint: "
        "unset it to use the default (pandas)."
    )
