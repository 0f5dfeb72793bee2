"""Item-rest correlations and alpha if item deleted against R psych::alpha.

Expected: `Rscript tests/analysis/r/item_rest_golden.R > tests/analysis/r/item_rest_golden.csv`
(R 4.2.2, psych 2.2.9); CA2 reversed by psych's `keys=`, not by our code. Tolerance 1e-10.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.item_rest import ITEM_STATISTICS_COLUMNS, item_rest_statistics
from instruments.spec import load_instrument
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "analysis" / "nomad_wide.csv"
GOLDEN = REPO / "tests" / "analysis" / "r" / "item_rest_golden.csv"


def test_item_rest_statistics_match_psych() -> None:
    wide = pd.read_csv(DATA, dtype={"respondent_id": str, "wave": str})
    got = item_rest_statistics(wide, load_instrument("nomad"))
    assert list(got.columns) == list(ITEM_STATISTICS_COLUMNS)
    expected = pd.read_csv(GOLDEN, comment="#")
    merged = expected.merge(got, on=["wave", "scale", "item"], suffixes=("_r", ""))
    assert len(merged) == len(expected) == 40
    assert (merged["n_r"] == merged["n"]).all()
    assert merged["r_item_rest"].to_numpy() == pytest.approx(
        merged["r_item_rest_r"].to_numpy(), abs=1e-10
    )
    assert merged["alpha_if_deleted"].to_numpy() == pytest.approx(
        merged["alpha_if_deleted_r"].to_numpy(), abs=1e-10
    )


def test_a_missing_reverse_key_shows_as_a_negative_item_rest_correlation() -> None:
    wide = pd.read_csv(DATA, dtype={"respondent_id": str, "wave": str})
    spec = load_instrument("nomad").with_reverse(())  # forget CA2's reverse key
    got = item_rest_statistics(wide, spec).set_index(["wave", "item"])
    assert (got.loc[(slice(None), "ca2"), "r_item_rest"] < 0).all()
