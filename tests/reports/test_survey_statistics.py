"""The survey block's statistics: normalisation profile, change between waves, group tests,
response rates and the appendix's model table, built from analysis output of a synthetic fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.group_comparison import compare_groups
from analysis.normalisation_profile import normalisation_profile
from analysis.response_rates import response_rates
from analysis.scoring import score_scales
from analysis.summaries import summarise_items, summarise_scores
from analysis.wave_comparison import compare_waves
from instruments.spec import load_instrument
from reports.document import build_markdown, load_results

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def results(tmp_path_factory, results_dir: Path, project) -> Path:
    spec = load_instrument("nomad")
    dtypes = {c: "float64" for c in spec.columns} | {
        c: "str" for c in ("respondent_id", "wave", "organisation", "unit", "staff_group")
    }
    wide = pd.read_csv(DATA / "analysis" / "nomad_wide.csv", dtype=dtypes)
    wide["wave"] = wide["wave"].map({"w1": "T0", "w2": "T1"})
    scores = score_scales(wide, spec)
    target = tmp_path_factory.mktemp("stats") / "results"
    shutil.copytree(results_dir, target)
    summaries = summarise_scores(scores)
    invited = pd.DataFrame(
        {
            "wave": ["T0", "T1", "T0"],
            "organisation": ["all", "all", "org_a"],
            "group": ["all", "all", "other"],
            "invited": [100, 200, 12],
        }
    )
    tables = {
        "wave_comparison": compare_waves(scores, waves=["T0", "T1"]),
        "group_comparison": compare_groups(scores, by=("staff_group",), min_cell_size=5),
        "response_rates": response_rates(wide, invited, instrument="nomad", threshold=0.5),
        "normalisation_profile": normalisation_profile(
            summaries, summarise_items(wide, spec), spec
        ),
    }
    for name, frame in tables.items():
        frame.to_csv(target / f"{name}.csv", index=False)
    return target


def _markdown(results: Path, project, spec, lang: str, tmp_path: Path) -> str:
    md, _ = build_markdown(
        project=project,
        specs=[spec],
        results={"nomad": load_results(results, instrument="nomad")},
        narrative_dir=tmp_path,
        lang=lang,
    )
    return md


def test_english_block_shows_profile_change_groups_and_rates(results, project, spec, tmp_path):
    md = _markdown(results, project, spec, "en", tmp_path)
    for heading in (
        "### Normalisation profile",
        "### Change between waves",
        "### Differences between groups",
        "### Response rates",
        "## Models of change: NoMAD",
    ):
        assert heading in md
    assert "T1 - T0: 49 respondents could be linked" in md
    assert "our defaults, not NoMAD's" in md
    assert "score ~ wave + (1 \\| respondent\\_id)" in md
    assert "● green" in md or "● yellow" in md or "● red" in md
    assert "statsmodels MixedLM" in md and "Kruskal–Wallis" in md
    # 50 of 200 invited in T1 → 30% (below 50%) is flagged
    rates = [line for line in md.splitlines() if line.startswith("| T1: after a year")]
    assert any("below threshold" in line for line in rates)


def test_small_groups_are_never_shown(results, project, spec, tmp_path):
    md = _markdown(results, project, spec, "sv", tmp_path)
    rates = pd.read_csv(results / "response_rates.csv")
    small = rates[rates["responded"] < 5]
    assert not small.empty  # the "other" row of org_a (3 respondents)
    row = next(line for line in md.splitlines() if line.startswith("| T0: före piloten | org\\_a"))
    assert "<5" in row and "–" in row
    assert "under gränsen" not in row  # the flag would tell the withheld rate
    groups = pd.read_csv(results / "group_comparison.csv", keep_default_na=False)
    excluded = {g for cell in groups["groups_excluded"] for g in str(cell).split(";") if g}
    tests_part = md.split("### Skillnader mellan grupper")[1].split("\n## ")[0]
    for group_id in excluded:
        label = project.staff_group_label(group_id, "sv")
        assert label not in tests_part
    assert "### Normaliseringsprofil" in md and "våra förval, inte NoMAD:s" in md
