"""analyse_indicators and the key figures' section builder on the example project."""

from __future__ import annotations

import shutil

import pytest

from analysis.columns import table
from flows.analyse import results_of
from ingest.indicators import ingest_indicators
from project.config import load_project
from reports.build import ReportRequest, build_report
from reports.content import ReportContext
from reports.results import Results
from reports.sections import indicators, logic
from reports.writer import blocks_markdown
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    project_dir = tmp_path_factory.mktemp("ind") / "project"
    shutil.copytree(EXAMPLE, project_dir, ignore=shutil.ignore_patterns(".impleval", "output"))
    for f in sorted((project_dir / "inbox").glob("indicators_*.csv")):
        ingest_indicators(project_dir, f)
    results = results_of(project_dir, "indicators")
    out = project_dir / "output" / "results"
    out.mkdir(parents=True)
    for name, df in results.items():
        df.to_csv(out / f"{name}.csv", index=False)
    return project_dir, results


def test_its_table_and_published_figures(analysed):
    _, r = analysed
    its = r["its"]
    assert tuple(its.columns) == table("its").columns
    days = its[its["indicator"] == "days_ready_for_discharge"].set_index("term")
    assert set(days.index) == {"pre_trend", "level_change", "slope_change",
                               "effect_12m_absolute", "effect_12m_relative"}  # fmt: skip
    # about 1,700 → 700 a month: a level drop of roughly 55–65 %
    assert 0.35 < days.at["level_change", "estimate"] < 0.45
    assert days.at["level_change", "effect_scale"] == "ratio"
    assert days.at["effect_12m_absolute", "effect_scale"] == "difference"
    series = r["its_series"]
    assert len(series[series["indicator"] == "days_ready_for_discharge"]) == 38


def test_goals_and_logic(analysed):
    _, r = analysed
    goals = r["goals"].set_index("goal")
    assert set(goals["status"]) <= {"reached", "partly_reached", "not_reached", "not_measured"}
    assert goals.at["fewer_days_ready", "status"] == "reached"
    # mean stay Mar 2018 – Feb 2019 about 11.7 days, ~72 % below the year before
    assert goals.at["fewer_days_ready", "achieved"] == pytest.approx(11.73, abs=0.3)
    assert goals.at["participation_80", "status"] == "reached"
    assert goals.at["admission_messages", "status"] == "partly_reached"
    assert goals.at["children_sip", "status_source"] == "manual"
    logic = r["logic"].set_index("node")
    assert logic.at["process", "status_source"] == "rolled_up"
    assert set(logic["kind"]) == {"impact", "project", "sub_goal", "activity", "indicator"}


def test_before_after_named_care_contact_by_age(analysed):
    _, r = analysed
    ba = r["before_after"]
    ncc = ba[ba["indicator"] == "named_care_contact"]
    assert set(ncc["group_by"]) == {"age_group"}
    ncc = ncc.set_index(["group", "phase"])
    assert ncc.at[("65+", "after"), "estimate"] == pytest.approx(1048 / 1205)
    assert ncc.at[("18-64", "before"), "periods"] == "2016–2017"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_sections(analysed, lang):
    project_dir, _ = analysed
    project = load_project(project_dir)
    context = ReportContext(project, Results(project_dir / "output" / "results"), lang)
    sections = [*indicators.build(context), *logic.build(context)]
    assert {s.section for s in sections} == {"n3_key_figures", "p1_project_logic", "appendix"}
    built = build_report(ReportRequest(project, project_dir, lang=lang, formats=()))
    md = built.markdown.read_text(encoding="utf-8")
    n3 = md[md.index("\n# 8. N3") : md.index("\n# 9. ")]
    p1 = md[md.index("\n# 3. P1") : md.index("\n# 4. P2")]
    assert "](../figures/its_days_ready_for_discharge_all_" in n3
    assert ("Nivåförändring" if lang == "sv" else "Change in level") in n3
    drawn = {p.name for p in built.figures}
    assert {f.stem + ".png" for s in sections for f in s.figures} <= drawn
    assert all(p.is_file() for p in built.figures)
    assert "project_logic" in p1


def test_small_cells_are_masked(analysed, tmp_path):
    project_dir, r = analysed
    results = tmp_path / "results"
    results.mkdir()
    ba = r["before_after"].copy()
    ba.loc[(ba["indicator"] == "patient_participation") & (ba["phase"] == "before"), "n"] = 3
    ba.to_csv(results / "before_after.csv", index=False)
    context = ReportContext(load_project(project_dir), Results(results), "en")
    (n3,) = [s for s in indicators.build(context) if s.section == "n3_key_figures"]
    markdown = blocks_markdown(n3.blocks, lambda figure: f"{figure.stem}.png")
    assert "<5" in markdown and "fewer than 5" in markdown


def test_no_indicators_gives_nothing(example_project):
    text = (example_project / "project.yaml").read_text(encoding="utf-8")
    (example_project / "project.yaml").write_text(text.split("\n# -- key figures")[0] + "\n")
    assert results_of(example_project, "indicators") == {}
