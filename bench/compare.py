"""Does the floor compute the same core numbers as the pipeline? (A check, not a measurement.)

Matches the floor's results (``PROJECT/floor/results``) with the pipeline's (``PROJECT/output/
results``) on their keys and reports, per statistic, how many of the pipeline's rows the floor
reproduced and the largest absolute difference. The pipeline's files may change shape while it is
being reworked: a table that cannot be compared says why instead of stopping the benchmark.

    .venv/bin/python bench/compare.py PROJECT
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Check:
    name: str
    file: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    where: dict[
        str, str
    ]  # pipeline rows only: column → required value (prefix with ^ = startswith)


CHECKS = (
    Check(
        "Cronbach's alpha + Feldt CI",
        "reliability.csv",
        ("instrument", "wave", "scale"),
        ("estimate", "ci_low", "ci_high"),
        {"group_by": "all", "method": "^Cronbach"},
    ),
    Check(
        "item-rest r, alpha if deleted",
        "item_statistics.csv",
        ("instrument", "wave", "scale", "item"),
        ("r_item_rest", "alpha_if_deleted"),
        {},
    ),
    Check(
        "ITS (quasi-Poisson)",
        "its.csv",
        ("indicator", "unit", "term"),
        ("estimate", "ci_low", "ci_high", "p_value"),
        {},
    ),
    Check(
        "Cohen's kappa per code",
        "agreement.csv",
        ("code",),
        ("estimate", "ci_low", "ci_high"),
        {"code_level": "code", "measure": "cohen_kappa"},
    ),
)


def _compare(check: Check, pipeline: Path, floor: Path) -> str:
    pipe = pd.read_csv(pipeline / check.file, keep_default_na=False, na_values=[""])
    for column, value in check.where.items():
        text = pipe[column].astype(str)
        pipe = pipe[text.str.startswith(value[1:]) if value.startswith("^") else text == value]
    ours = pd.read_csv(floor / check.file, keep_default_na=False, na_values=[""])
    keys = list(check.keys)
    pipe[keys] = pipe[keys].astype(str)
    ours[keys] = ours[keys].astype(str)
    both = pipe.merge(ours, on=keys, suffixes=("", "_floor"))
    diffs = [
        np.nanmax(np.abs(both[v].to_numpy(float) - both[f"{v}_floor"].to_numpy(float)), initial=0.0)
        for v in check.values
    ]
    nan_mismatch = sum(
        int((both[v].isna() != both[f"{v}_floor"].isna()).sum()) for v in check.values
    )
    extra = f", {nan_mismatch} NaN mismatch(es)" if nan_mismatch else ""
    return (
        f"{check.name}: {len(both)}/{len(pipe)} pipeline rows reproduced "
        f"(floor rows: {len(ours)}), max |Δ| {max(diffs):.1e}{extra}"
    )


def compare_results(project: Path) -> list[str]:
    """One line per statistic."""
    pipeline = project / "output" / "results"
    floor = project / "floor" / "results"
    lines = []
    for check in CHECKS:
        try:
            lines.append(_compare(check, pipeline, floor))
        except (OSError, KeyError, ValueError) as exc:
            lines.append(f"{check.name}: could not compare ({type(exc).__name__}: {exc})")
    return lines


if __name__ == "__main__":
    print("\n".join(compare_results(Path(sys.argv[1]))))
