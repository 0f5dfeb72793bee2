"""Compare two ``output/results`` folders (e.g. ``impleval run --force`` on the example before and
after a change): per CSV, identical or, per column, the largest relative difference of numbers
and the count of differing texts.

    .venv/bin/python bench/results_diff.py BEFORE/output/results AFTER/output/results
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd


def column_difference(x: pd.Series, y: pd.Series) -> str | None:
    """How column ``y`` differs from ``x`` (``None``: not at all)."""
    if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
        u, v = x.to_numpy(float), y.to_numpy(float)
        if not np.array_equal(np.isnan(u), np.isnan(v)):
            return "NaN pattern differs"
        ok = ~np.isnan(u) & (u != v)
        if not ok.any():
            return None
        rel = np.abs(u[ok] - v[ok]) / np.maximum(np.abs(u[ok]), 1e-300)
        return f"max rel {rel.max():.2e}"
    # missing as a marker: with pandas' string dtype NaN != NaN would count as a difference
    differ = int((x.fillna("<NA>").astype(str) != y.fillna("<NA>").astype(str)).sum())
    return f"text differs ({differ} rows)" if differ else None


def main(before: Path, after: Path) -> int:
    different = 0
    for path in sorted(before.glob("*.csv")):
        other = after / path.name
        if not other.exists():
            print(f"{path.name}: missing after")
            different += 1
            continue
        x, y = pd.read_csv(path), pd.read_csv(other)
        if x.shape != y.shape or list(x.columns) != list(y.columns):
            print(f"{path.name}: shape {x.shape} -> {y.shape}")
            different += 1
            continue
        notes = [f"{c}: {d}" for c in x.columns if (d := column_difference(x[c], y[c]))]
        different += bool(notes)
        print(f"{path.name}: {'; '.join(notes) if notes else 'identical'}")
    for name in sorted(
        {p.name for p in after.glob("*.csv")} - {p.name for p in before.glob("*.csv")}
    ):
        print(f"{name}: new")
    return 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
