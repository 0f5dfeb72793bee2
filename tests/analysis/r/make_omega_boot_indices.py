"""Write ``omega_boot_indices.csv``: the resamples of :func:`analysis.omega.mcdonald_omega`'s
bootstrap on two scales of the fixture, so that R can fit psych::omega to the very same resamples.

    .venv/bin/python tests/analysis/r/make_omega_boot_indices.py

The rows are 0-based positions in the complete cases (in file order) of each scale × wave, drawn as
``mcdonald_omega(items, bootstrap=B, seed=SEED)`` draws them:
``numpy.random.default_rng(SEED).integers(0, n, size=(B, n))``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WIDE = HERE.parents[1] / "data" / "analysis" / "nomad_wide.csv"
CASES = {"coherence": "nomad_co", "collective_action": "nomad_ca"}
SAMPLES, SEED, WAVE = 100, 20240611, "w1"


def main() -> None:
    wide = pd.read_csv(WIDE)
    rows = []
    for scale, prefix in CASES.items():
        items = wide.loc[wide["wave"] == WAVE, [c for c in wide.columns if c.startswith(prefix)]]
        n = int(items.notna().all(axis=1).sum())
        draws = np.random.default_rng(SEED).integers(0, n, size=(SAMPLES, n))
        rows += [
            {"scale": scale, "sample": b + 1, "row": int(i)}
            for b, positions in enumerate(draws)
            for i in positions
        ]
    pd.DataFrame(rows).to_csv(HERE / "omega_boot_indices.csv", index=False)


if __name__ == "__main__":
    main()
