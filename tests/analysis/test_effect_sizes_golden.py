"""Golden tests of the effect sizes written to ``wave_comparison`` and ``group_comparison`` and of the
Hodges–Lehmann estimates of the rank tests, against R's ``effectsize`` and ``wilcox.test``.

Expected numbers: ``tests/analysis/r/effect_sizes_golden.csv``, written by ``Rscript
tests/analysis/r/effect_sizes_golden.R`` (R 4.2.2 Patched (2022-11-10 r83330), effectsize 0.8.3)
from the R-computed scale scores ``tests/analysis/r/scores_golden.csv`` of the fixture (waves
w1 → w2; staff groups of ``nomad_wide.csv``, groups below 5 dropped). R is not needed to run these.

R calls: ``cohens_d(w2, w1, paired = TRUE)``, ``hedges_g(w2, w1)``, ``rank_biserial(Pair(w2, w1) ~
1)`` (effectsize's paired form whose interval counts the non-zero differences) and
``rank_biserial(w2, w1)``, ``omega_squared(aov(score ~ staff_group), alternative =
"two.sided")``, ``rank_epsilon_squared(score ~ staff_group)``; ``wilcox.test(..., exact = TRUE,
conf.int = TRUE)`` on two tie-free samples; the Hodges–Lehmann intervals of the fixture (it has
ties, where ``wilcox.test`` switches to its asymptotic inversion) as order statistics at
``qsignrank``/``qwilcox`` (below 50) or the normal approximation, written out.

Tolerances (absolute): point estimates 1e-10; interval bounds 1e-8 against the same equations
solved with ``uniroot`` (rows ``*_precise``) and 1e-4 against effectsize's own bounds (it finds the
noncentrality with ``optim``, abstol 1e-9 on probabilities; observed ≤ 2e-5); rank-biserial intervals 1e-10 (closed
form); Hodges–Lehmann estimates and bounds 1e-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.effect_sizes import hodges_lehmann_paired, hodges_lehmann_shift
from analysis.group_comparison import KRUSKAL, WELCH_ANOVA, compare_groups
from analysis.scoring import score_scales
from analysis.wave_comparison import MANN_WHITNEY, PAIRED_T, WELCH_T, WILCOXON, compare_waves

EXACT = 1e-10
PRECISE = 1e-8
EFFECTSIZE = 1e-4
X = np.array([3.1, 2.4, 4.0, 3.6, 2.2, 4.9, 3.3, 2.8, 4.4, 1.9, 3.8, 2.6])
Y = np.array([3.91, 3.02, 4.53, 3.36, 3.15, 5.27, 4.01, 2.86, 5.68, 2.08, 4.24, 3.72])
Z = np.array([3.95, 3.02, 4.53, 3.41, 3.17, 5.83, 4.04, 2.93, 5.71])


@pytest.fixture(scope="module")
def golden(read_golden) -> pd.DataFrame:
    frame = read_golden("effect_sizes_golden.csv")
    frame["scale"] = frame["scale"].fillna("")
    return frame.set_index(["case", "scale", "term"])["value"]


@pytest.fixture(scope="module")
def waves(golden_wide, nomad) -> pd.DataFrame:
    return compare_waves(score_scales(golden_wide, nomad), waves=["w1", "w2"]).set_index(
        ["scale", "method"]
    )


@pytest.fixture(scope="module")
def groups(golden_wide, nomad) -> pd.DataFrame:
    out = compare_groups(score_scales(golden_wide, nomad), by=("staff_group",), min_cell_size=5)
    return out[out["comparison"] == "omnibus"].set_index(["wave", "scale", "method"])


SCALES = ["coherence", "cognitive_participation", "collective_action", "reflexive_monitoring"]


@pytest.mark.parametrize("scale", SCALES)
def test_wave_comparison_effect_sizes(waves, golden, scale):
    def check(method: str, case: str, name: str, column: str = "effect_size") -> None:
        row = waves.loc[(scale, method)]
        assert row[column] == pytest.approx(golden[(case, scale, name)], abs=EXACT)
        for side in ("low", "high"):
            ours = row[f"{column}_ci_{side}"]
            if (f"{case}_precise", scale, f"{name}_ci_{side}") in golden.index:
                assert ours == pytest.approx(
                    golden[(f"{case}_precise", scale, f"{name}_ci_{side}")], abs=PRECISE
                )
                assert ours == pytest.approx(
                    golden[(case, scale, f"{name}_ci_{side}")], abs=EFFECTSIZE
                )
            else:
                assert ours == pytest.approx(golden[(case, scale, f"{name}_ci_{side}")], abs=EXACT)

    check(PAIRED_T, "linked", "dz")
    check(WELCH_T, "unlinked", "g")
    check(WILCOXON, "linked", "rank_biserial")
    check(MANN_WHITNEY, "unlinked", "rank_biserial")
    for method, case in ((WILCOXON, "linked"), (MANN_WHITNEY, "unlinked")):
        row = waves.loc[(scale, method)]
        assert row["estimate"] == pytest.approx(golden[(case, scale, "hl")], abs=EXACT)
        assert row["ci_low"] == pytest.approx(golden[(case, scale, "hl_ci_low")], abs=EXACT)
        assert row["ci_high"] == pytest.approx(golden[(case, scale, "hl_ci_high")], abs=EXACT)


@pytest.mark.parametrize("wave", ["w1", "w2"])
@pytest.mark.parametrize("scale", SCALES)
def test_group_comparison_effect_sizes(groups, golden, wave, scale):
    case = f"groups_{wave}"
    anova = groups.loc[(wave, scale, WELCH_ANOVA)]
    assert anova["effect_size"] == pytest.approx(golden[(case, scale, "omega2")], abs=EXACT)
    for side in ("low", "high"):
        ours = anova[f"effect_size_ci_{side}"]
        assert ours == pytest.approx(
            golden[(f"{case}_precise", scale, f"omega2_ci_{side}")], abs=PRECISE
        )
        assert ours == pytest.approx(golden[(case, scale, f"omega2_ci_{side}")], abs=EFFECTSIZE)
    kruskal = groups.loc[(wave, scale, KRUSKAL)]
    assert kruskal["effect_size"] == pytest.approx(golden[(case, scale, "epsilon2")], abs=EXACT)


def test_hodges_lehmann_exact_intervals_as_wilcox_test(golden):
    for case, result in (
        ("exact_paired", hodges_lehmann_paired(Y - X)),
        ("exact_shift", hodges_lehmann_shift(X, Z)),
    ):
        expected = [golden[(case, "", term)] for term in ("hl", "hl_ci_low", "hl_ci_high")]
        assert list(result) == pytest.approx(expected, abs=EXACT), case


def test_hodges_lehmann_large_samples_use_the_normal_critical_value():
    rng = np.random.default_rng(11)
    d = rng.normal(0.3, 1, 80)
    estimate, low, high = hodges_lehmann_paired(d)
    walsh = np.sort([(d[i] + d[j]) / 2 for i in range(80) for j in range(i, 80)])
    assert estimate == pytest.approx(np.median(walsh))
    q = int(np.ceil(80 * 81 / 4 - 0.5 - 1.959963984540054 * np.sqrt(80 * 81 * 161 / 24)))
    assert (low, high) == (walsh[q - 1], walsh[walsh.size - q])
