"""The one reader of output/results (reports/results.py): the contract's columns and dtypes, one
line naming file and column for a file that does not fit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.columns import table
from project.errors import ResultsFileError
from reports.results import Results, read_results_file


@pytest.fixture
def results(tmp_path: Path, results_dir: Path) -> Path:
    target = tmp_path / "results"
    shutil.copytree(results_dir, target)
    return target


def test_tables_have_the_contracts_columns_and_dtypes(results: Path) -> None:
    frame = Results(results).table("reliability")
    spec = table("reliability")
    assert tuple(frame.columns) == spec.columns
    assert frame["n"].dtype == "int64" and frame["estimate"].dtype == "float64"
    assert frame["wave"].tolist()[:1] == ["T0"]  # text stays text
    assert (frame["note"] == "").all()  # empty text is "", never NaN


def test_text_that_looks_like_numbers_stays_text(results: Path) -> None:
    dist = Results(results).table("item_distributions")
    assert set(dist["response"]) >= {"1", "5", "missing"}
    assert dist["response"].map(type).eq(str).all()


def test_absent_file_gives_an_empty_table_and_is_not_an_input(results: Path) -> None:
    r = Results(results)
    goals = r.table("goals")
    assert goals.empty and tuple(goals.columns) == table("goals").columns
    assert not r.has("goals")
    r.table("scale_scores")
    assert set(r.files) == {"results/scale_scores.csv"}


def test_rows_filter_by_text_columns(results: Path) -> None:
    rows = Results(results).rows("scale_scores", instrument="nomad", group_by="all")
    assert not rows.empty and set(rows["group"]) == {"all"}
    assert Results(results).rows("scale_scores", instrument="pcat").empty


def test_columns_the_contract_does_not_know_are_left_out(results: Path) -> None:
    path = results / "quarantine_reasons.csv"
    pd.read_csv(path).assign(extra=1).to_csv(path, index=False)
    assert "extra" not in Results(results).table("quarantine_reasons").columns


def test_missing_column_names_file_and_column(results: Path) -> None:
    path = results / "reliability.csv"
    pd.read_csv(path).drop(columns=["k_items", "method"]).to_csv(path, index=False)
    with pytest.raises(ResultsFileError) as err:
        Results(results).table("reliability")
    message = str(err.value)
    assert message.startswith("reliability.csv: missing columns k_items, method. Expected")
    assert "\n" not in message and "Hint: rerun the analyse stage" in message


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("estimate", "high", "numbers"),
        ("n", "4.5", "whole numbers"),
        ("n", "", "whole numbers"),
    ],
)
def test_value_that_does_not_fit_names_file_column_and_line(
    results: Path, column: str, value: str, expected: str
) -> None:
    path = results / "reliability.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[2, column] = value
    frame.to_csv(path, index=False)
    with pytest.raises(ResultsFileError) as err:
        read_results_file(path, "reliability")
    assert str(err.value).startswith(
        f"reliability.csv: column {column} has values that are not {expected} (line 4)."
    )


def test_flags_and_nullable_whole_numbers(tmp_path: Path) -> None:
    path = tmp_path / "response_rates.csv"
    pd.DataFrame(
        {
            "instrument": ["nomad"] * 2,
            "wave": ["T0"] * 2,
            "organisation": ["all"] * 2,
            "staff_group": ["all", "nurse"],
            "invited": [10, 4],
            "responded": [8, 3],
            "rate": [0.8, 0.75],
            "threshold": [0.5, 0.5],
            "below_threshold": [False, True],
        }
    ).to_csv(path, index=False)
    frame = read_results_file(path, "response_rates")
    assert frame["below_threshold"].dtype == bool and frame["below_threshold"].tolist() == [
        False,
        True,
    ]
    pd.read_csv(path).assign(below_threshold=["False", "maybe"]).to_csv(path, index=False)
    with pytest.raises(ResultsFileError, match="column below_threshold has values that are not"):
        read_results_file(path, "response_rates")


def test_unreadable_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    path.write_bytes(b"goal,level\n\xff\xfe,\x00\n")
    with pytest.raises(ResultsFileError, match=r"^goals\.csv: cannot be read as CSV \("):
        read_results_file(path, "goals")
