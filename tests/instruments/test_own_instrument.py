"""A researcher's own instrument, added by YAML alone (the worked example of docs/instruments.md),
works end to end: ingest → results → report, with reliability checked against R.

Expected numbers: `Rscript tests/instruments/r/teamklimat.R` (R 4.2.2, psych 2.2.9), which scores
the raw export independently (its own label mapping, reversal, minimum rule and proration).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.reliability import reliability_by_scale
from analysis.scoring import score_scales
from analysis.summaries import summarise_scores
from analysis.survey import analyse_survey
from ingest.survey import ingest_survey
from instruments.spec import project_instrument
from project.config import load_project
from reports.build import ReportRequest, build_report
from store import reads, warehouse
from tests.conftest import REPO

DOC = REPO / "docs" / "instruments.md"
EXPORT = REPO / "tests" / "data" / "instruments" / "teamklimat_T1.csv"
EXPECTED = REPO / "tests" / "instruments" / "r" / "teamklimat_expected.csv"

PROJECT_YAML = """\
id: team-climate-test
name: {sv: Teamklimat i test, en: Team climate test}
organisations: []
staff_groups: []
instruments: [teamklimat]
waves:
  - {id: T1, instrument: teamklimat, opens: 2026-03-02, closes: 2026-03-20}
report: {language: sv, formats: [html]}
"""


def worked_example_yaml() -> str:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- worked-example:start -->\s*```yaml\n(.*?)```\s*<!-- worked-example:end -->",
        text,
        re.S,
    )
    assert block, "docs/instruments.md lost its worked example"
    return block.group(1)


@pytest.fixture
def own_project(tmp_path: Path) -> Path:
    root = tmp_path / "team"
    (root / "instruments" / "teamklimat").mkdir(parents=True)
    (root / "instruments" / "teamklimat" / "instrument.yaml").write_text(
        worked_example_yaml(), encoding="utf-8"
    )
    (root / "project.yaml").write_text(PROJECT_YAML, encoding="utf-8")
    (root / "inbox").mkdir()
    shutil.copy(EXPORT, root / "inbox" / "teamklimat_T1.csv")
    return root


def test_own_instrument_end_to_end(own_project: Path) -> None:
    report = ingest_survey(
        own_project,
        own_project / "inbox" / "teamklimat_T1.csv",
        instrument="teamklimat",
        wave="T1",
    )
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (84, 84, 0)

    project = load_project(own_project)
    spec = project_instrument(project, "teamklimat", own_project)
    with warehouse.open_warehouse(
        own_project / ".impleval" / "warehouse.duckdb", read_only=True
    ) as con:
        wide, long = reads.read_survey_frames(con, spec)
    expected = pd.read_csv(EXPECTED, comment="#").set_index("scale")

    reliability = reliability_by_scale(wide, spec).set_index("scale")
    for scale, row in expected.iterrows():
        got = reliability.loc[scale]
        assert got["n"] == row["n_alpha"]
        assert got["estimate"] == pytest.approx(row["alpha"], abs=1e-10)
        assert got["ci_low"] == pytest.approx(row["ci_low"], abs=1e-10)
        assert got["ci_high"] == pytest.approx(row["ci_high"], abs=1e-10)

    summary = summarise_scores(score_scales(wide, spec)).set_index("scale")
    for scale, row in expected.iterrows():
        assert summary.loc[scale, "n"] == row["n_score"]
        assert summary.loc[scale, "mean"] == pytest.approx(row["mean"], abs=1e-10)
        assert summary.loc[scale, "sd"] == pytest.approx(row["sd"], abs=1e-10)

    # "Vet inte" is kept apart: counted as not applicable, never scored.
    dont_know = long[(long["item"] == "tk1") & (long["status"] == "not_applicable")]
    assert set(dont_know["not_applicable"]) == {"dont_know"}

    results = own_project / "output" / "results"
    results.mkdir(parents=True)
    for name, frame in analyse_survey(wide, long, spec=spec, project=project).items():
        frame.to_csv(results / f"{name}.csv", index=False)
    request = ReportRequest(project, own_project, lang="sv", formats=["html"], specs=[spec])
    outputs = build_report(request)
    markdown = outputs.markdown.read_text(encoding="utf-8")
    assert "## Personalenkät: Teamklimat" in markdown
    assert "Reliabilitet: Teamklimat" in markdown
    assert "Påståendet TK4 är omvänt formulerat och vänds innan det räknas in (5 − svaret)." in (
        " ".join(markdown.split())
    )
    assert "”Vet inte”" in markdown  # the not-applicable option named in the methods
    assert outputs.html is not None and outputs.html.is_file()
