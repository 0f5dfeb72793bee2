"""The Hodges–Lehmann estimates from classes of tied values are the same floats as from every
Walsh average / every difference written out (the definition, kept here as the reference)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.effect_sizes import (
    _signed_rank_lower,
    hodges_lehmann_paired,
    hodges_lehmann_shift,
)


def _interval(values: np.ndarray, q: int) -> tuple[float, float, float]:
    q = max(q, 1)
    return float(np.median(values)), float(values[q - 1]), float(values[values.size - q])


def _paired_reference(d: np.ndarray) -> tuple[float, float, float]:
    from scipy import stats

    d = d[d != 0]
    n = d.size
    i, j = np.triu_indices(n)
    walsh = np.sort((d[i] + d[j]) / 2)
    if n < 50:
        q = _signed_rank_lower(n, 0.025)
    else:
        mu, sigma = n * (n + 1) / 4, math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
        q = math.ceil(mu - 0.5 - float(stats.norm.ppf(0.975)) * sigma)
    return _interval(walsh, q)


def _shift_reference(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    from scipy import stats

    diffs = np.sort(np.subtract.outer(y, x).ravel())
    m = x.size * y.size
    sigma = math.sqrt(m * (x.size + y.size + 1) / 12)
    q = math.ceil(m / 2 - 0.5 - float(stats.norm.ppf(0.975)) * sigma)
    return _interval(diffs, q)


def _scores(rng: np.random.Generator, n: int, items: int) -> np.ndarray:
    """Scale scores: means of 1–5 answers to ``items`` items (heavily tied)."""
    return rng.integers(1, 6, size=(n, items)).mean(axis=1) + rng.choice([0, 0.5], size=n)


@pytest.mark.parametrize("seed", range(12))
def test_paired_from_tied_classes_is_the_definition(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 900))
    d = _scores(rng, n, int(rng.integers(2, 8))) - _scores(rng, n, int(rng.integers(2, 8)))
    assert hodges_lehmann_paired(d) == _paired_reference(d)


@pytest.mark.parametrize("seed", range(12))
def test_shift_from_tied_classes_is_the_definition(seed):
    rng = np.random.default_rng(100 + seed)
    x = _scores(rng, int(rng.integers(50, 700)), int(rng.integers(2, 8)))
    y = _scores(rng, int(rng.integers(50, 700)), int(rng.integers(2, 8))) + 0.25
    assert hodges_lehmann_shift(x, y) == _shift_reference(x, y)


def test_continuous_data_still_give_the_definition():
    rng = np.random.default_rng(5)
    d, x, y = rng.normal(size=301), rng.normal(size=120), rng.normal(size=97)
    assert hodges_lehmann_paired(d) == _paired_reference(d)
    assert hodges_lehmann_shift(x, y) == _shift_reference(x, y)
