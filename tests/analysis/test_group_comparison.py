"""Tests of :mod:`analysis.group_comparison`, with golden numbers from R.

Expected numbers: ``tests/analysis/r/group_comparison_golden.csv``, written by ``Rscript
tests/analysis/r/group_comparison_golden.R`` (R 4.2.2 Patched (2022-11-10 r83330), base ``stats``):
``oneway.test`` (Welch), ``kruskal.test`` and ``pairwise.t.test(pool.sd = FALSE,
p.adjust.method = "holm" / "none")`` on NoMAD scale scores by staff group per wave, groups with fewer
than 5 scores dropped first. R is not needed to run these tests.

Tolerance: 1e-10 absolute (the same closed forms; R wrote 17 significant digits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.group_comparison import (
    GROUP_COMPARISON_COLUMNS,
    KRUSKAL,
    NOT_TESTED,
    PAIRWISE,
    WELCH_ANOVA,
    compare_groups,
    holm_adjust,
)
from analysis.scoring import score_scales

TOL = 1e-10
METHODS = {"welch_anova": WELCH_ANOVA, "kruskal": KRUSKAL, "pairwise": PAIRWISE}


@pytest.fixture(scope="module")
def ours(golden_wide, nomad) -> pd.DataFrame:
    return compare_groups(score_scales(golden_wide, nomad), by=("staff_group",), min_cell_size=5)


def test_matches_r(ours, read_golden):
    expected = read_golden("group_comparison_golden.csv")
    for row in expected.itertuples(index=False):
        sel = (ours["wave"] == row.wave) & (ours["scale"] == row.scale)
        sel &= ours["method"] == METHODS[row.method]
        if row.method == "pairwise":
            sel &= (ours["group_a"] == row.group_a) & (ours["group_b"] == row.group_b)
        got = ours[sel]
        assert len(got) == 1, row
        assert got.iloc[0][row.term] == pytest.approx(row.value, abs=TOL, rel=0), row
    assert len(expected) > 100


def test_columns_and_small_groups_excluded_first(ours, golden_wide, nomad):
    assert tuple(ours.columns) == GROUP_COMPARISON_COLUMNS
    scores = score_scales(golden_wide, nomad).dropna(subset=["score"])
    for row in ours.itertuples(index=False):
        part = scores[(scores["wave"] == row.wave) & (scores["scale"] == row.scale)]
        sizes = part.groupby("staff_group").size()
        assert set(row.groups_included.split(";")) == set(sizes.index[sizes >= 5])
        excluded = set(filter(None, str(row.groups_excluded).split(";")))
        assert excluded == set(sizes.index[sizes < 5])
        assert not excluded & set(row.groups_included.split(";"))


def test_fewer_than_two_groups_is_not_tested():
    scores = pd.DataFrame(
        {
            "instrument": "x",
            "wave": "w1",
            "scale": "s",
            "score": [1.0, 2, 3, 4, 5, 6, 2],
            "staff_group": ["a"] * 5 + ["b", "b"],
        }
    )
    out = compare_groups(scores, by=("staff_group",), min_cell_size=5)
    assert out["method"].tolist() == [NOT_TESTED]
    assert out.loc[0, "groups_excluded"] == "b"


def test_holm_matches_definition_and_keeps_nan():
    p = [0.01, np.nan, 0.04, 0.03, 0.2]
    out = holm_adjust(p)
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2, 3, 4]], [0.04, 0.09, 0.09, 0.2])


def test_does_not_mutate_and_ignores_row_order(golden_wide, nomad):
    scores = score_scales(golden_wide, nomad)
    before = scores.copy()
    a = compare_groups(scores, by=("staff_group", "organisation"), min_cell_size=5)
    pd.testing.assert_frame_equal(scores, before)
    b = compare_groups(
        scores.sample(frac=1, random_state=3), by=("staff_group", "organisation"), min_cell_size=5
    )
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def test_holm_adjust_equals_statsmodels_bit_for_bit():
    """Ours is statsmodels' Holm arithmetic without its gc.collect(): the same floats."""
    from statsmodels.stats.multitest import multipletests

    from analysis.group_comparison import holm_adjust

    rng = np.random.default_rng(11)
    for size in (1, 2, 7, 50, 300):
        p = rng.uniform(0, 1, size) ** rng.uniform(1, 6)
        p[rng.random(size) < 0.1] = p[0]  # ties
        assert np.array_equal(holm_adjust(p), multipletests(p, method="holm")[1])
    with_nan = np.array([0.02, np.nan, 0.01, 0.5])
    expected = np.array([0.04, np.nan, 0.03, 0.5])
    assert np.allclose(holm_adjust(with_nan), expected, equal_nan=True)
