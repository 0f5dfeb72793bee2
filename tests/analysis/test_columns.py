"""The results contract (analysis/columns.py): one vocabulary, checked tables, the generated doc."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.columns import (
    TABLES,
    VOCABULARY,
    ContractError,
    check_table,
    empty_table,
    stack_results,
    stack_tables,
    tables_of,
)
from analysis.results_doc import results_markdown
from tests.conftest import REPO


def test_every_column_is_in_the_vocabulary_and_every_word_is_used():
    used = set()
    for spec in TABLES.values():
        assert len(set(spec.columns)) == len(spec.columns), spec.name
        for column in spec.columns:
            assert column in VOCABULARY, (spec.name, column)
        assert set(spec.notes) <= set(spec.columns), spec.name
        assert set(spec.dtypes) <= set(spec.columns), spec.name
        used |= set(spec.columns)
    assert used == set(VOCABULARY)


def test_words_that_were_ambiguous_mean_one_thing():
    """``scale`` is a survey scale, time words are distinct, breakdowns are group_by/group."""
    for name in ("its", "its_coefficients"):
        assert "effect_scale" in TABLES[name].columns and "scale" not in TABLES[name].columns
    for spec in TABLES.values():
        if "scale" in spec.columns:
            assert spec.kind == "survey", spec.name
        assert not {"wave", "period"} <= set(spec.columns), spec.name
        assert (
            "subgroup" not in spec.columns and "rule" not in spec.columns
        ) or spec.kind == "ingest"
        if "group" in spec.columns:
            assert "group_by" in spec.columns, spec.name
    assert "staff_group" in TABLES["response_rates"].columns
    assert "diagnostic" in TABLES["its_diagnostics"].columns
    measures = [name for name, spec in TABLES.items() if "measure" in spec.columns]
    assert all("estimate" in TABLES[name].columns for name in measures)


def test_before_after_is_long():
    columns = TABLES["before_after"].columns
    assert "phase" in columns and not any(c.startswith(("before_", "after_")) for c in columns)


def test_docs_results_md_is_generated_from_the_contract():
    committed = (REPO / "docs" / "results.md").read_text(encoding="utf-8")
    assert committed == results_markdown(), "docs/results.md is stale: run `make results-doc`"


def _quarantine() -> pd.DataFrame:
    return pd.DataFrame(
        {"n": [2, 1], "rule": ["x", "y"], "wave": ["T0", "T1"], "instrument": ["nomad", "nomad"]}
    )


def test_check_table_orders_columns_and_leaves_the_input_alone():
    frame = _quarantine()
    before = frame.copy()
    out = check_table("quarantine_reasons", frame)
    assert tuple(out.columns) == TABLES["quarantine_reasons"].columns
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(scale="coherence"), "quarantine_reasons: column scale is not in"),
        (lambda f: f.drop(columns=["rule"]), "quarantine_reasons: column rule is missing"),
        (lambda f: f.assign(n=[1.5, 2.0]), "quarantine_reasons: column n has dtype float64"),
        (lambda f: f.assign(n=[1, None]), "quarantine_reasons: column n has dtype float64"),
        (lambda f: f.assign(rule=[1, 2]), "quarantine_reasons: column rule has dtype int64"),
    ],
)
def test_check_table_names_table_and_column(change, message):
    with pytest.raises(ContractError, match=message):
        check_table("quarantine_reasons", change(_quarantine()))


def test_unknown_table_is_a_contract_error():
    with pytest.raises(ContractError, match="results table nope: not in the results contract"):
        check_table("nope", _quarantine())


def test_dtypes_are_conformed_where_nothing_is_lost():
    frame = pd.DataFrame({"instrument": ["nomad"], "wave": ["T0"], "rule": [None], "n": [3]})
    assert check_table("quarantine_reasons", frame)["rule"].isna().all()
    waves = empty_table("wave_comparison").iloc[0:0]
    checked = check_table("wave_comparison", waves)
    assert str(checked["n_respondents"].dtype) == "Int64"
    assert str(checked["converged"].dtype) == "boolean"
    with pytest.raises(ContractError, match="column post is empty"):
        check_table("its_series", empty_table("its_series").reindex([0]))


def test_empty_and_stacked_tables_have_the_contract_columns():
    for name, spec in TABLES.items():
        empty = empty_table(name)
        assert tuple(empty.columns) == spec.columns and empty.empty
        pd.testing.assert_frame_equal(check_table(name, empty), empty)
    stacked = stack_tables("quarantine_reasons", [_quarantine(), _quarantine().iloc[0:0]])
    assert tuple(stacked.columns) == TABLES["quarantine_reasons"].columns and len(stacked) == 2
    survey = stack_results([], kind="survey")
    assert tuple(survey) == tables_of("survey") and all(t.empty for t in survey.values())


def test_float_columns_take_whole_numbers():
    frame = pd.DataFrame(
        {
            "instrument": ["x"],
            "wave": ["T0"],
            "organisation": ["all"],
            "staff_group": ["all"],
            "invited": [4],
            "responded": [2],
            "rate": [1],
            "threshold": [0.5],
            "below_threshold": [False],
        }
    )
    out = check_table("response_rates", frame)
    assert out["rate"].dtype == "float64" and math.isclose(out["rate"].iloc[0], 1.0)
