"""store/results.py: every table checked against the results contract, then written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.columns import ContractError, empty_table
from store.results import write_results


def _reasons() -> pd.DataFrame:
    return pd.DataFrame({"instrument": ["nomad"], "wave": ["T0"], "rule": ["x"], "n": [1]})


def test_writes_each_table_unrounded_in_contract_order(tmp_path: Path) -> None:
    third = pd.DataFrame(
        {
            "instrument": ["x"],
            "wave": ["T0"],
            "organisation": ["all"],
            "staff_group": ["all"],
            "invited": [3],
            "responded": [1],
            "rate": [1 / 3],
            "threshold": [0.5],
            "below_threshold": [True],
        }
    )
    written = write_results(
        tmp_path / "results",
        {"response_rates": third.iloc[:, ::-1], "quarantine_reasons": _reasons()},
    )
    assert [p.name for p in written] == ["response_rates.csv", "quarantine_reasons.csv"]
    back = pd.read_csv(written[0])
    assert list(back.columns) == list(third.columns)
    assert back["rate"].iloc[0] == 1 / 3  # full precision
    assert not list((tmp_path / "results").glob("*.tmp"))


def test_a_table_off_the_contract_writes_nothing(tmp_path: Path) -> None:
    bad = _reasons().rename(columns={"rule": "reason"})
    with pytest.raises(ContractError, match="results table quarantine_reasons: column reason"):
        write_results(tmp_path / "results", {"its": empty_table("its"), "quarantine_reasons": bad})
    assert not (tmp_path / "results").exists()


def test_replaces_an_earlier_file(tmp_path: Path) -> None:
    target = tmp_path / "results" / "quarantine_reasons.csv"
    write_results(tmp_path / "results", {"quarantine_reasons": _reasons()})
    write_results(tmp_path / "results", {"quarantine_reasons": _reasons().assign(n=7)})
    assert pd.read_csv(target)["n"].tolist() == [7]
