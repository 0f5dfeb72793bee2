"""Participant outcomes: ingest (quarantine, notes), analysis tables, report with small cells."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.columns import table
from flows.analyse import results_of
from ingest.indicators import ingest_indicators
from project.config import load_project
from reports.build import ReportRequest, build_report
from reports.disclosure import suppress_breakdowns
from tests.conftest import EXAMPLE

DATA = Path(__file__).resolve().parents[1] / "data" / "indicators"


def _rows(project: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_outcome_quarantine_rules_and_notes(example_project):
    report = ingest_indicators(example_project, DATA / "bad_outcomes.csv")
    assert report.rows_read == report.rows_loaded + report.rows_quarantined == 14
    assert report.reasons == {
        "duplicate_period": 2,  # work 2018 twice
        "missing_category": 1,
        "unknown_category": 1,
        "non_integer_count": 1,
        "negative_value": 1,
        "period_outside_project": 1,
        "irregular_period": 1,
        "unexpected_category": 1,  # a category on an indicator row
        "undeclared_disaggregation": 1,  # sips_written broken down by sex
    }
    assert report.rows_loaded == 4
    loaded = _rows(
        example_project,
        "SELECT outcome, category, disaggregation, value FROM outcome_values ORDER BY 1, 2, 3",
    )
    assert loaded == [
        ("exit_destination", "rehabilitation", "", 30.0),
        ("exit_destination", "rehabilitation", "sex=kvinna", 20.0),
        ("exit_destination", "rehabilitation", "sex=man", 9.0),
        ("step_towards_work", "no_step", "", 7.0),
    ]
    assert _rows(example_project, "SELECT count(*) FROM indicator_values") == [(0,)]
    assert any("breakdown by sex adds up to 29, the total is 30" in g for g in report.facts["gaps"])
    assert any("breakdown by sex adds up to 29, the total is 30" in n for n in report.notes)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    project_dir = tmp_path_factory.mktemp("outcomes") / "project"
    shutil.copytree(EXAMPLE, project_dir, ignore=shutil.ignore_patterns(".impleval", "output"))
    report = ingest_indicators(project_dir, project_dir / "inbox" / "indicators_outcomes.csv")
    assert report.rows_quarantined == 0 and not report.facts["gaps"]  # the subgroups add up
    results = results_of(project_dir, "indicators")
    out = project_dir / "output" / "results"
    out.mkdir(parents=True)
    for name, df in results.items():
        df.to_csv(out / f"{name}.csv", index=False)
    return project_dir, results


def test_example_flow_matches_the_published_figures(analysed):
    _, r = analysed
    o = r["outcomes"]
    assert tuple(o.columns) == table("outcomes").columns
    everyone = o[(o["outcome"] == "exit_destination") & (o["group_by"] == "all")]
    everyone = everyone.set_index("category")
    assert everyone["n"].to_dict() == {
        "rehabilitation": 58, "work": 26, "studies": 1, "other_support": 5, "other": 8,
    }  # fmt: skip
    assert set(everyone["total"]) == {98} and set(everyone["periods"]) == {"2017–2018"}
    assert everyone.at["rehabilitation", "ci_low"] == pytest.approx(0.49285371593437916)
    # each breakdown adds up to everyone, category by category
    for sub, part in o[o["group_by"] != "all"].groupby(["outcome", "group_by"]):
        sums = part.groupby("category")["n"].sum()
        top = o[(o["outcome"] == sub[0]) & (o["group_by"] == "all")].set_index("category")["n"]
        assert sums.to_dict() == top.to_dict(), sub


def test_target_check(analysed):
    _, r = analysed
    t = r["outcome_targets"]
    assert tuple(t.columns) == table("outcome_targets").columns
    row = t[t["group_by"] == "all"].iloc[0]
    assert (row["outcome"], row["n"], row["total"]) == ("step_towards_work", 80, 98)
    assert (row["status"], row["ci_position"], row["target"]) == ("reached", "above", 0.7)
    assert row["ci_low"] == pytest.approx(0.72825002775984615)
    assert set(t["group_by"]) == {"all", "sex", "age_group", "programme"}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_masks_small_counts(analysed, lang):
    project_dir, _ = analysed
    request = ReportRequest(load_project(project_dir), project_dir, lang=lang, formats=())
    built = build_report(request)
    report = built.markdown.read_text(encoding="utf-8")
    md = report[report.index("\n# 8. N3") : report.index("\n# 9. ")]
    if lang == "sv":
        assert "58 av 98 (59\u00a0%, 95 % KI 49–68\u00a0%) gick vidare till fortsatt" in md
        assert "Färre än 5 gick vidare till studier." in md
        assert "80 av 98 (82\u00a0%, 95 % KI 73–88\u00a0%) – uppnått" in md
    else:
        assert "58 of 98 (59%, 95% CI 49–68%) went on to further rehabilitation." in md
        assert "Fewer than 5 went on to studies." in md
    # 1 to studies; 5 hidden with it (the mark escaped in the Markdown)
    assert "| \\<5 / 98 |" in md and "| – / 98 |" in md
    assert " 1 / 98" not in md and "5 / 98" not in md.replace("<5 / 98", "")
    assert any(p.name == f"outcome_exit_destination_all_{lang}.png" for p in built.figures)
    assert all(p.is_file() for p in built.figures)


def test_suppression_across_groups_and_categories():
    # women 6 and men 2 in one category: the 2 is small, and with 8 shown for everyone the 6
    # would give it away, so the 6 is hidden too; every row still hides two cells or none.
    cells = pd.DataFrame(
        {
            "subgroup": ["", "", "", "sex", "sex", "sex", "sex", "sex", "sex"],
            "group": ["", "", "", "sex=w", "sex=w", "sex=w", "sex=m", "sex=m", "sex=m"],
            "category": ["a", "b", "__total__"] * 3,
            "n": [40, 8, 48, 24, 6, 30, 16, 2, 18],
        }
    )
    out = suppress_breakdowns(cells, threshold=5).set_index(["group", "category"])
    hidden = {k for k, v in out["suppressed"].items() if v}
    assert hidden == {("sex=m", "b"), ("sex=w", "b"), ("sex=m", "a"), ("sex=w", "a")}
    assert out.at[("sex=m", "b"), "suppression_reason"] == "small_cell"
    assert not out.loc[("", "a"), "suppressed"] and not out.loc[("", "b"), "suppressed"]
