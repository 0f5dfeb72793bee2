"""Omega's minres takes its early steps' leading eigenvector from powers of the matrix; the
fixed point, and so omega and its interval, are those of full eigendecompositions throughout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis.omega as omega


def _stack(seed: int, b: int, n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    loadings = rng.uniform(0.2, 0.9, size=k)
    x = rng.normal(size=(b, n, 1)) * loadings + rng.normal(size=(b, n, k))
    return np.stack([np.corrcoef(m, rowvar=False) for m in x])


@pytest.mark.parametrize("k", [3, 4, 7, 13])
def test_leading_eigenpairs_by_powers_are_eighs(k):
    r = _stack(k, 300, 40, k)
    rng = np.random.default_rng(k)
    reduced = r.copy()
    idx = np.arange(k)
    reduced[:, idx, idx] = rng.uniform(0.005, 0.995, size=(300, k))
    loadings, settled = omega._leading_by_powers(reduced, np.zeros((300, k)))
    values, vectors = np.linalg.eigh(reduced)
    expected = vectors[:, :, -1] * np.sqrt(np.maximum(values[:, -1], 0))[:, None]
    expected *= np.sign((expected * loadings).sum(axis=1))[:, None]
    assert settled.mean() > 0.5
    np.testing.assert_allclose(loadings[settled], expected[settled], rtol=0, atol=1e-10)


@pytest.mark.parametrize("k", [4, 5, 13])
def test_minres_with_powers_reaches_the_same_fixed_point(monkeypatch, k):
    r = _stack(100 + k, 150, 30, k)
    with_powers = omega._one_factor_minres(r)
    monkeypatch.setattr(omega, "_POWERS_FROM", 10**9)  # never: eigh at every step
    without = omega._one_factor_minres(r)
    np.testing.assert_allclose(with_powers, without, rtol=0, atol=1e-10)


def test_interval_with_powers_is_the_interval_without(monkeypatch):
    rng = np.random.default_rng(8)
    x = np.clip(np.round(3 + rng.normal(size=(90, 1)) + rng.normal(size=(90, 6))), 1, 5)
    items = pd.DataFrame(x)
    ours = omega.mcdonald_omega(items, bootstrap=300, seed=4)
    monkeypatch.setattr(omega, "_POWERS_FROM", 10**9)
    plain = omega.mcdonald_omega(items, bootstrap=300, seed=4)
    assert ours.ci_low == pytest.approx(plain.ci_low, abs=1e-12)
    assert ours.ci_high == pytest.approx(plain.ci_high, abs=1e-12)
