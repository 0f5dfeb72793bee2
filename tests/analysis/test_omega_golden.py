"""Golden test of McDonald's omega total against R psych.

Expected numbers: ``tests/analysis/r/omega_golden.csv``, written by ``Rscript
tests/analysis/r/omega_golden.R`` (R 4.2.2 Patched (2022-11-10 r83330), psych 2.2.9, GPArotation):
``psych::omega(na.omit(x), nfactors = 1)$omega.tot`` per NoMAD scale and wave of
``tests/data/analysis/nomad_wide.csv``. R is not needed to run these tests.

Tolerance: 1e-6 absolute. Both fit the one-factor minres solution iteratively; psych stops at its
own convergence tolerance, so agreement is about 1e-7 to 1e-8, not to machine precision.
"""

from __future__ import annotations

import pytest

from analysis.reliability import omega_method, reliability_by_scale

TOL = 1e-6


def test_omega_rows_match_psych(golden_wide, nomad, read_golden):
    expected = read_golden("omega_golden.csv")
    out = reliability_by_scale(golden_wide, nomad, omega=True)
    omega = out[out["method"] == omega_method()]
    assert len(omega) == len(expected) == 8
    merged = omega.merge(expected, on=["wave", "scale"], suffixes=("", "_r"), validate="1:1")
    assert (merged["n"] == merged["n_r"]).all()
    for row in merged.itertuples(index=False):
        assert row.estimate == pytest.approx(row.omega_total, abs=TOL), row.scale
    assert omega["ci_low"].isna().all()
    # alpha rows are unchanged and come first within each scale
    alpha = out[out["method"] != omega_method()].reset_index(drop=True)
    plain = reliability_by_scale(golden_wide, nomad)
    assert alpha.equals(plain)
