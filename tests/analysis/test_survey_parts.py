"""The survey's work units (docs/scale.md): reliability computed per wave × breakdown and
stacked, and the wave comparison per scale, give the tables the whole plan gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from analysis.columns import stack_tables
from analysis.reliability import OmegaInterval
from analysis.scoring import score_scales
from analysis.survey import (
    BREAKDOWNS,
    reliability_by_group,
    reliability_part,
    stack_reliability,
    wave_comparison_scales,
)
from analysis.wave_comparison import compare_waves
from instruments.spec import load_instrument


def _wide(n: int = 90) -> pd.DataFrame:
    spec = load_instrument("nomad")
    rng = np.random.default_rng(7)
    base = rng.integers(1, 6, size=(n, 1))
    answers = np.clip(base + rng.integers(-1, 2, size=(n, len(spec.items))), 1, 5).astype(float)
    answers[rng.random(answers.shape) < 0.05] = np.nan
    wide = pd.DataFrame(answers, columns=[spec.column(i.id) for i in spec.items])
    keys = pd.DataFrame(
        {
            "respondent_id": [f"r{i % 60:03d}" for i in range(n)],
            "wave": ["T1" if i >= 60 else "T0" for i in range(n)],
            "organisation": [["org_b", "org_a", None][i % 3] for i in range(n)],
            "unit": "u",
            "staff_group": [["nurse", "doctor"][i % 2] for i in range(n)],
        }
    )
    return pd.concat([keys, wide], axis=1)


def test_reliability_parts_stack_to_the_whole_table() -> None:
    spec, wide = load_instrument("nomad"), _wide()
    interval = OmegaInterval(samples=20, seed=3)
    whole = reliability_by_group(wide, spec, min_n=10, omega_interval=interval)
    parts = {
        (breakdown, wave): reliability_part(
            wide[wide["wave"] == wave].reset_index(drop=True),
            spec,
            breakdown=breakdown,
            min_n=10,
            omega_interval=interval,
        )
        for wave in ("T1", "T0")  # any order: stacked by breakdown, then wave
        for breakdown in (*BREAKDOWNS, None)
    }
    assert_frame_equal(stack_reliability(parts), whole)


def test_wave_comparison_per_scale_stacks_to_the_whole_table() -> None:
    spec = load_instrument("nomad")
    scores = score_scales(_wide(), spec)
    whole = compare_waves(scores, waves=["T0", "T1"])
    parts = [
        compare_waves(scores[scores["scale"] == scale], waves=["T0", "T1"])
        for scale in wave_comparison_scales(spec)
    ]
    assert_frame_equal(stack_tables("wave_comparison", parts), whole)


def test_a_scale_without_scores_in_a_middle_wave_is_compared_as_in_the_whole_table() -> None:
    """The waves compared come from every scale: a scale with no score at T1 gives the contrasts
    T1 - T0 and T2 - T1 (with n_follow_up 0 / n_baseline 0) in its part too, not T2 - T0."""
    spec = load_instrument("nomad")
    later = _wide().query("wave == 'T1'").assign(wave="T2")
    wide = pd.concat([_wide(), later], ignore_index=True)
    scores = score_scales(wide, spec)
    gap = wave_comparison_scales(spec)[0]
    scores.loc[(scores["scale"] == gap) & (scores["wave"] == "T1"), "score"] = np.nan
    waves = ["T0", "T1", "T2"]
    whole = compare_waves(scores, waves=waves)
    parts = [compare_waves(scores, waves=waves, scales=(s,)) for s in wave_comparison_scales(spec)]
    assert_frame_equal(stack_tables("wave_comparison", parts), whole)
    assert set(whole.loc[whole["scale"] == gap, "contrast"]) == {"T1 - T0", "T2 - T1"}
