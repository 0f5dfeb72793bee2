"""Ingest of indicator files: quarantine rules, accounting, no-op, replace, dry run."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.indicators import ingest_indicators
from project.errors import ConfigError, PipelineError
from tests.conftest import EXAMPLE

DATA = Path(__file__).resolve().parents[1] / "data" / "indicators"


def _rows(project: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_example_files_load_and_repeat_is_a_no_op(example_project):
    reports = [
        ingest_indicators(example_project, f)
        for f in sorted((example_project / "inbox").glob("indicators_*.csv"))
    ]
    assert [r.rows_quarantined for r in reports] == [0, 0, 0, 0]
    # 105 indicator values + 160 outcome counts (indicators_outcomes.csv)
    assert sum(r.rows_loaded for r in reports) == sum(r.rows_read for r in reports) == 265
    again = ingest_indicators(
        example_project, example_project / "inbox" / "indicators_planning.csv"
    )
    assert again.status == "already_loaded" and "nothing to do" in again.lines()[0]
    kinds = _rows(example_project, "SELECT kind, instrument, wave FROM ingests")
    assert set(kinds) == {("indicators", None, None)}


def test_quarantine_rules(example_project):
    report = ingest_indicators(example_project, DATA / "bad_rows.csv")
    assert report.rows_read == report.rows_loaded + report.rows_quarantined == 14
    assert report.reasons == {
        "duplicate_period": 2,
        "negative_value": 1,
        "nonpositive_denominator": 1,
        "numerator_exceeds_denominator": 2,  # 120 of 100, and 100 of 0
        "irregular_period": 1,
        "period_outside_project": 1,
        "unknown_unit": 1,
        "not_a_number": 1,
        "missing_denominator": 1,
        "unknown_indicator": 1,
        "undeclared_disaggregation": 1,
    }
    assert report.rows_loaded == 2  # patient_participation 2017 and sips_written 2019 (1 234,0)
    values = _rows(
        example_project, "SELECT indicator, period, value FROM indicator_values ORDER BY 1, 2"
    )
    assert values == [("patient_participation", "2017", 1480.0), ("sips_written", "2019", 1234.0)]
    q = _rows(example_project, "SELECT count(DISTINCT source_row) FROM quarantine")
    assert q == [(12,)]
    assert any("numerator_exceeds_denominator" in line for line in report.lines())


def test_replace_is_needed_for_series_already_loaded(example_project, tmp_path):
    first = example_project / "inbox" / "indicators_planning.csv"
    ingest_indicators(example_project, first)
    changed = tmp_path / "indicators_planning_v2.csv"
    text = first.read_text(encoding="utf-8").replace("2017,432", "2017,433")
    changed.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="--replace"):
        ingest_indicators(example_project, changed)
    report = ingest_indicators(example_project, changed, replace=True)
    assert report.superseded == ("indicators_planning.csv",)
    active = _rows(
        example_project,
        "SELECT value FROM indicator_values v JOIN ingests i USING (ingest_id) "
        "WHERE i.superseded_by IS NULL AND indicator = 'sips_written' AND period = '2017'",
    )
    assert active == [(433.0,)]


def test_dry_run_stores_nothing(example_project):
    report = ingest_indicators(
        example_project, example_project / "inbox" / "indicators_discharge.csv", dry_run=True
    )
    assert report.status == "dry_run" and report.rows_loaded == 88
    assert not (example_project / ".impleval" / "warehouse.duckdb").exists()


def test_missing_columns_is_a_user_error(example_project, tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("indicator;when;value\nsips_written;2017;3\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"missing column.*period"):
        ingest_indicators(example_project, bad)


def test_project_without_indicators_refuses(tmp_path):
    target = tmp_path / "p"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".impleval", "output"))
    text = (target / "project.yaml").read_text(encoding="utf-8")
    (target / "project.yaml").write_text(
        text.split("\n# -- key figures")[0] + "\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="no indicators are declared"):
        ingest_indicators(target, target / "inbox" / "indicators_planning.csv")
