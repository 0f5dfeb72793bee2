"""Golden test of omega's bootstrap interval against R psych on the very same resamples.

``tests/analysis/r/make_omega_boot_indices.py`` writes the resamples our bootstrap draws
(``numpy.random.default_rng(seed).integers(0, n, size=(B, n))`` over the complete cases);
``Rscript tests/analysis/r/omega_boot_golden.R`` (R 4.2.2, psych 2.2.9, GPArotation) fits
``psych::omega(x[resample, ], nfactors = 1)`` to each and takes the percentile interval
(``quantile(type = 7)``): ``tests/analysis/r/omega_boot_golden.csv``. R is not needed to run this.

Tolerance: 1e-6 absolute (psych's minres stops at its own convergence tolerance; observed ~2e-8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.omega import mcdonald_omega
from analysis.reliability import OmegaInterval, reliability_by_scale
from tests.conftest import REPO

R_DIR = REPO / "tests" / "analysis" / "r"
PREFIX = {"coherence": "nomad_co", "collective_action": "nomad_ca"}
SAMPLES, SEED = 100, 20240611


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(R_DIR / "omega_boot_golden.csv", comment="#").set_index("scale")


@pytest.mark.parametrize("scale", sorted(PREFIX))
def test_omega_interval_matches_psych_on_the_same_resamples(golden_wide, expected, scale):
    wide = golden_wide.assign(nomad_ca2=6 - golden_wide["nomad_ca2"])
    items = wide.loc[wide["wave"] == "w1", [c for c in wide.columns if c.startswith(PREFIX[scale])]]
    n = int(items.notna().all(axis=1).sum())
    indices = pd.read_csv(R_DIR / "omega_boot_indices.csv")
    ours = np.random.default_rng(SEED).integers(0, n, size=(SAMPLES, n))
    np.testing.assert_array_equal(
        indices.loc[indices["scale"] == scale, "row"].to_numpy(), ours.ravel()
    )
    result = mcdonald_omega(items, bootstrap=SAMPLES, seed=SEED)
    row = expected.loc[scale]
    assert (result.n, row["left_out"]) == (row["n"], 0)
    assert result.ci_low == pytest.approx(row["ci_low"], abs=1e-6)
    assert result.ci_high == pytest.approx(row["ci_high"], abs=1e-6)
    assert result.ci_low < result.estimate < result.ci_high


def test_reliability_rows_carry_the_interval_where_asked(golden_wide, nomad):
    out = reliability_by_scale(
        golden_wide,
        nomad,
        by=("wave",),
        omega=True,
        omega_interval=OmegaInterval(samples=200, seed=1, min_n=40),
    )
    omega = out[out["measure"] == "omega_total"]
    with_ci = omega["ci_low"].notna()
    assert (with_ci == (omega["n"] >= 40)).all() and with_ci.any() and (~with_ci).any()
    assert (
        omega.loc[with_ci, "method"]
        .str.endswith("95% CI percentile bootstrap (200 resamples)")
        .all()
    )
