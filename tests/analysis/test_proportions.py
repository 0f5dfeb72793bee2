"""Wilson and Newcombe intervals against the published worked examples.

Sources: Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
seven methods. Stat Med 1998;17:857–872, Table I (method 3, Wilson score without continuity
correction); Newcombe RG. Interval estimation for the difference between independent proportions:
comparison of eleven methods. Stat Med 1998;17:873–890, Table II (method 10, hybrid score without
continuity correction). The tables give 4 decimals, so the tolerance is 5e-5.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.proportions import (
    before_after,
    compare_means,
    compare_proportions,
    newcombe_difference_ci,
    wilson_ci,
)

TABLE_TOL = 5e-5


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table_i(x, n, low, high):
    lo, hi = wilson_ci(x, n)
    assert lo == pytest.approx(low, abs=TABLE_TOL)
    assert hi == pytest.approx(high, abs=TABLE_TOL)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_newcombe_matches_table_ii(x1, n1, x2, n2, low, high):
    d, lo, hi = newcombe_difference_ci(x1, n1, x2, n2)
    assert d == pytest.approx(x1 / n1 - x2 / n2)
    assert lo == pytest.approx(low, abs=TABLE_TOL)
    assert hi == pytest.approx(high, abs=TABLE_TOL)


def test_wilson_by_hand_at_90_percent():
    # closed form with z = 1.6448536269514722, p = 0.3, n = 50
    z, p, n = 1.6448536269514722, 0.3, 50
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = wilson_ci(15, 50, confidence=0.90)
    assert lo == pytest.approx(centre - half, abs=1e-12)
    assert hi == pytest.approx(centre + half, abs=1e-12)


def _phases(rows: list[dict]) -> dict[str, dict]:
    assert [r["phase"] for r in rows] == ["before", "after", "difference"]
    return {r["phase"]: r for r in rows}


def test_compare_proportions_orients_after_minus_before():
    row = _phases(compare_proportions((1480, 2990), (2420, 3020)))["difference"]
    assert row["estimate"] == pytest.approx(2420 / 3020 - 1480 / 2990)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert row["p_value"] < 1e-10


def test_compare_means_with_one_period_has_no_interval():
    rows = _phases(compare_means([472, 432], [1625]))
    assert rows["before"]["estimate"] == 452
    assert math.isnan(rows["difference"]["ci_low"])


def test_before_after_groups_and_does_not_mutate():
    df = pd.DataFrame(
        {
            "group": ["a", "a", "b", "b"],
            "post": [False, True, False, True],
            "value": [10, 30, 5, 9],
            "denominator": [40, 40, 20, 20],
        }
    )
    copy = df.copy()
    out = before_after(df, measure="proportion", by=["group"])
    pd.testing.assert_frame_equal(df, copy)
    assert list(out["group"]) == ["a"] * 3 + ["b"] * 3
    assert list(out["phase"]) == ["before", "after", "difference"] * 2
    after_a = out[(out["group"] == "a") & (out["phase"] == "after")]
    assert after_a["estimate"].item() == pytest.approx(0.75)
