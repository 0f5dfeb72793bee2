"""analysis.outcomes against R: Wilson intervals (prop.test, correct = FALSE) and the score test.

Expected numbers: ``tests/analysis/r/outcomes_golden.csv``, written by
``Rscript tests/analysis/r/outcomes_golden.R`` (R 4.2.2, base stats). Tolerance 1e-10.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.outcomes import category_shares, score_test_p, target_attainment

GOLDEN = pd.read_csv(Path(__file__).parent / "r" / "outcomes_golden.csv", comment="#")
TOL = 1e-10


@pytest.mark.parametrize("case", GOLDEN.to_dict("records"), ids=list(GOLDEN["case"]))
def test_shares_match_r(case):
    data = pd.DataFrame({"category": ["yes", "no"], "n": [case["x"], case["n"] - case["x"]]})
    out = category_shares(data, confidence=case["conf"]).set_index("category")
    assert out.at["yes", "share"] == pytest.approx(case["share"], abs=TOL)
    assert out.at["yes", "ci_low"] == pytest.approx(case["ci_low"], abs=TOL)
    assert out.at["yes", "ci_high"] == pytest.approx(case["ci_high"], abs=TOL)
    assert score_test_p(case["x"], case["n"], case["p0"]) == pytest.approx(case["p_value"], abs=TOL)


@pytest.mark.parametrize("case", GOLDEN.to_dict("records"), ids=list(GOLDEN["case"]))
def test_target_row_matches_r(case):
    data = pd.DataFrame({"category": ["yes", "no"], "n": [case["x"], case["n"] - case["x"]]})
    row = target_attainment(data, toward=["yes"], target=case["p0"], confidence=case["conf"]).iloc[
        0
    ]
    assert row["ci_low"] == pytest.approx(case["ci_low"], abs=TOL)
    assert row["ci_high"] == pytest.approx(case["ci_high"], abs=TOL)
    assert row["p_value"] == pytest.approx(case["p_value"], abs=TOL)


def test_newcombe_published_interval():
    # Newcombe (1998a), Table I: 81/263 → 0.2553–0.3662 (method 3, Wilson)
    row = GOLDEN.set_index("case").loc["newcombe_81_263"]
    assert (round(row["ci_low"], 4), round(row["ci_high"], 4)) == (0.2553, 0.3662)
