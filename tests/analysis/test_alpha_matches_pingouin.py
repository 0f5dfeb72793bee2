"""Our alpha (``analysis.reliability._alpha_of``, numpy) is pingouin's to the last bit.

The analyse stage no longer imports pingouin for alpha (about a second of start-up); this checks
that nothing changed: the same float, not just a close one, on complete and gappy data, every
item count the instruments use (2–13) and beyond.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest

from analysis.reliability import cronbach_alpha


def _gappy(k: int, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + common + rng.normal(size=(n, k))), 1, 5)
    x[rng.random(size=x.shape) < 0.05] = np.nan  # listwise, as pingouin's nan_policy
    return pd.DataFrame(x, columns=[f"i{j}" for j in range(k)])


def _usable(frame: pd.DataFrame) -> bool:
    complete = frame.dropna()
    return complete.shape[0] >= 2 and complete.sum(axis=1).var() > 0


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7, 8, 9, 13, 20])
@pytest.mark.parametrize("n", [3, 8, 41, 300])
def test_alpha_is_pingouins_bit_for_bit(k, n):
    # a small draw may leave fewer than two complete cases: the next seed, never a skip
    seeds = (1000 * k + n + 100_000 * attempt for attempt in range(50))
    frame = next(f for f in (_gappy(k, n, seed) for seed in seeds) if _usable(f))
    expected, _ = pingouin.cronbach_alpha(data=frame.dropna())
    assert cronbach_alpha(frame).estimate == expected


def test_alpha_is_pingouins_on_continuous_data():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n, k = int(rng.integers(3, 120)), int(rng.integers(2, 15))
        x = rng.normal(size=(n, 1)) * rng.uniform(0, 2) + rng.normal(size=(n, k))
        frame = pd.DataFrame(x)
        assert cronbach_alpha(frame).estimate == pingouin.cronbach_alpha(data=frame)[0]
