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
from analysis.survey import reliability_by_group
from analysis.wave_comparison import MIXED_MODEL, ExtendedModel, compare_waves
from instruments.spec import load_instrument
from reports.build import ReportRequest, draft_report

DATA = Path(__file__).resolve().parents[1] / "data"
MIN_N = 20


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
            "staff_group": ["all", "all", "other"],
            "invited": [100, 200, 12],
        }
    )
    tables = {
        "wave_comparison": compare_waves(
            scores,
            waves=["T0", "T1"],
            extended=ExtendedModel("staff_group", "organisation", min_cell_size=5),
        ),
        "reliability": reliability_by_group(wide, spec, min_n=MIN_N),
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
    request = ReportRequest(
        project=project,
        project_dir=tmp_path,
        specs=[spec],
        results_dir=results,
        narrative_dir=tmp_path,
        lang=lang,
    )
    return draft_report(request).markdown


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
    assert (
        "T1 – T0: 50 people answered in both waves (the same pseudonym); of them, 43–49 had a "
        "score on the construct in both waves"
    ) in " ".join(md.split())
    assert "our defaults, not NoMAD's" in md
    assert "score \\~ wave + (1 \\| respondent\\_id)" in md
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


def _with_min_n(project, min_n: int):
    survey = project.survey.model_copy(update={"reliability_min_n": min_n})
    return project.model_copy(update={"survey": survey})


def test_reliability_per_group_only_for_large_groups(results, project, spec, tmp_path):
    rel = pd.read_csv(results / "reliability.csv")
    assert list(rel.columns) == [
        "instrument", "wave", "group_by", "group", "scale", "measure", "n", "k_items", "estimate",
        "ci_low", "ci_high", "method", "note",
    ]  # fmt: skip
    overall = rel[rel["group_by"] == "all"]
    assert (overall["group"] == "all").all() and len(overall) == 2 * 4 * 2  # waves × scales × α/ω
    grouped = rel[rel["group_by"] != "all"]
    assert set(grouped["group_by"]) <= {"staff_group", "organisation"}
    assert not grouped.empty and (grouped["n"] >= MIN_N).all()
    md = _markdown(results, _with_min_n(project, MIN_N), spec, "en", tmp_path)
    part = md.split("## Reliability per group: NoMAD")[1].split("\n## ")[0]
    assert "survey wave and group: NoMAD" in part
    assert f"at least {MIN_N} complete answers" in part
    body = [line for line in part.splitlines() if line.startswith("| ")][1:]  # after the header
    assert len(body) == len(grouped)
    # the overall table still shows only the per-wave rows
    overall_part = md.split("## Reliability: NoMAD")[1].split("\n## ")[0]
    assert len([line for line in overall_part.splitlines() if line.startswith("| ")]) == 1 + 16
    # a higher minimum in project.yaml hides the groups below it, even if the file has them
    md = _markdown(results, _with_min_n(project, 10_000), spec, "en", tmp_path)
    assert "Reliability per group" not in md


def test_extended_mixed_model_in_the_appendix(results, project, spec, tmp_path):
    waves = pd.read_csv(results / "wave_comparison.csv")
    mixed = waves[waves["sample"] == "all"]
    assert len(mixed) == 2 * 4
    assert (mixed.groupby("scale")["method"].first() == MIXED_MODEL).all()
    extended = mixed[mixed["method"] != MIXED_MODEL]
    # two organisations only: staff group as a fixed effect, no unit intercept
    assert (extended["formula"] == "score ~ wave + staff_group + (1 | respondent_id)").all()
    assert extended["variance_organisation"].isna().all()
    assert (waves["n_present_both"] == 50).all()
    md = _markdown(results, project, spec, "sv", tmp_path)
    models = md.split("## Modeller för förändring: NoMAD")[1].split("\n## ")[0]
    assert "score \\~ wave + staff\\_group + (1 \\| respondent\\_id)" in models
    assert "50 personer svarade vid båda mättillfällena" in " ".join(md.split())
