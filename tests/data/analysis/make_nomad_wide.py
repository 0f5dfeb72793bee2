"""Write ``nomad_wide.csv``: a small synthetic NoMAD wide table for the golden tests.

Synthetic, never real responses. Generated once; the golden numbers in ``tests/analysis/r/`` were
computed by R from the CSV this script wrote, so re-running it is only needed to change the
fixture (and then the R scripts must be re-run too; see ``tests/analysis/r/README.md``).

    .venv/bin/python tests/data/analysis/make_nomad_wide.py

Shape: 2 waves × 60 respondents (50 answer both waves), the 23 NoMAD item columns in the store's
wide layout (codes as answered, CA2 not yet reversed), about 7% of answers blank or "not
relevant" (NaN), a few respondents with most of a construct unanswered (so min_answered bites),
and a few missing staff groups.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240611
OUT = Path(__file__).with_name("nomad_wide.csv")
CONSTRUCTS = {
    "co": ["co1", "co2", "co3", "co4"],
    "cp": ["cp1", "cp2", "cp3", "cp4"],
    "ca": ["ca1", "ca2", "ca3", "ca4", "ca5", "ca6", "ca7"],
    "rm": ["rm1", "rm2", "rm3", "rm4", "rm5"],
}
REVERSED = {"ca2"}


def main() -> None:
    rng = np.random.default_rng(SEED)
    ids_w1 = [f"r{i:03d}" for i in range(1, 61)]
    ids_w2 = ids_w1[:50] + [f"r{i:03d}" for i in range(61, 71)]
    frames = []
    for wave, ids, shift in (("w1", ids_w1, 0.0), ("w2", ids_w2, 0.35)):
        n = len(ids)
        frame = pd.DataFrame(
            {
                "respondent_id": ids,
                "wave": wave,
                "organisation": rng.choice(["org_a", "org_b"], size=n),
                "unit": rng.choice(["u1", "u2", "u3", "u4"], size=n),
                "staff_group": rng.choice(
                    ["nurse", "assistant_nurse", "physician", "other"],
                    size=n,
                    p=[0.4, 0.3, 0.15, 0.15],
                ).astype(object),
            }
        )
        frame.loc[rng.random(n) < 0.06, "staff_group"] = None
        general = rng.normal(shift, 1.0, size=n)
        for g in ("g1", "g2", "g3"):
            x = np.clip(np.round(6 + 1.8 * general + rng.normal(0, 1.2, size=n)), 0, 10)
            frame[f"nomad_{g}"] = x
        for items in CONSTRUCTS.values():
            latent = 0.6 * general + rng.normal(0, 0.8, size=n)
            for item in items:
                x = 3.2 + 0.9 * latent + rng.normal(0, 0.75, size=n)
                if item in REVERSED:
                    x = 6 - x
                frame[f"nomad_{item}"] = np.clip(np.round(x), 1, 5)
        frames.append(frame)
    wide = pd.concat(frames, ignore_index=True)
    items = [c for c in wide.columns if c.startswith("nomad_")]
    values = wide[items].to_numpy()
    values[rng.random(values.shape) < 0.07] = np.nan
    wide[items] = values
    # A few respondents who left most of one construct unanswered.
    for row, construct in zip(
        rng.choice(len(wide), size=8, replace=False), ["co", "cp", "ca", "rm"] * 2, strict=True
    ):
        cols = [f"nomad_{i}" for i in CONSTRUCTS[construct]]
        wide.loc[row, cols[1:]] = np.nan
    wide.to_csv(OUT, index=False, float_format="%.0f")


if __name__ == "__main__":
    main()
