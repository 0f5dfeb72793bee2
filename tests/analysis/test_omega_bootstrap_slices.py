"""Omega's bootstrap holds its resamples a slice at a time; the interval does not depend on it."""

from __future__ import annotations

import numpy as np
import pandas as pd

import analysis.omega as omega


def _items(seed: int, n: int, k: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.clip(np.round(3 + rng.normal(size=(n, 1)) + rng.normal(size=(n, k))), 1, 5)
    return pd.DataFrame(x)


def test_the_interval_is_the_same_whatever_the_slice(monkeypatch):
    items = _items(3, 60, 5)
    whole = omega.mcdonald_omega(items, bootstrap=200, seed=9)
    monkeypatch.setattr(omega, "_BOOTSTRAP_SLICE", 60 * 5 * 7)  # 7 resamples a slice
    sliced = omega.mcdonald_omega(items, bootstrap=200, seed=9)
    monkeypatch.setattr(omega, "_BOOTSTRAP_SLICE", 1)  # one resample a slice
    single = omega.mcdonald_omega(items, bootstrap=200, seed=9)
    assert (whole.ci_low, whole.ci_high) == (sliced.ci_low, sliced.ci_high)
    assert (whole.ci_low, whole.ci_high) == (single.ci_low, single.ci_high)
    assert whole.ci_low < whole.estimate < whole.ci_high


def test_resamples_with_a_constant_item_are_left_out_in_every_slice(monkeypatch):
    items = _items(4, 8, 3)
    items.iloc[1:, 0] = 3.0  # item 0 varies in one row only: many resamples miss it
    whole = omega.mcdonald_omega(items, bootstrap=100, seed=2)
    monkeypatch.setattr(omega, "_BOOTSTRAP_SLICE", 8 * 3 * 3)
    sliced = omega.mcdonald_omega(items, bootstrap=100, seed=2)
    assert "bootstrap samples without an omega left out" in whole.note
    assert whole.note == sliced.note
    assert (whole.ci_low, whole.ci_high) == (sliced.ci_low, sliced.ci_high) or (
        np.isnan(whole.ci_low) and np.isnan(sliced.ci_low)
    )
