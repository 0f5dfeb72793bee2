"""The whole path through the real command: `impleval demo` with a fresh, empty Prefect home and
no server (the embedded run starts none, and leaves that home untouched), then `impleval run`
(up to date, then after a narrative edit), then an English report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import duckdb
import pandas as pd
import pytest
from pypdf import PdfReader

from ingest.read import read_table
from tests.conftest import EXAMPLE
from tests.flows.conftest import BuiltDemo, copy_demo, impleval

# The whole pipeline through the installed command, several runs of it: an end-to-end case, in CI's
# `make test-slow` (the fast suite stays under five minutes; tests/reports and tests/flows' unit
# tests cover the pieces).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, built_demo: BuiltDemo) -> Path:
    """This module's copy of the run's one `impleval demo` (tests/flows/conftest.py)."""
    assert built_demo.returncode == 0, built_demo.stderr
    assert "Traceback" not in built_demo.stderr
    tail = built_demo.stdout.strip().splitlines()[-3:]
    built = built_demo.folder
    assert tail == [f"  {built}/output/reports/report_sv.{fmt}" for fmt in ("html", "pdf", "docx")]
    assert built_demo.prefect_home_empty  # no server, no database
    return copy_demo(built_demo, tmp_path_factory.mktemp("e2e") / "demo")


def test_demo_writes_the_three_reports_and_a_manifest(demo: Path, built_demo: BuiltDemo) -> None:
    reports = demo / "output" / "reports"
    text = "\n".join(p.extract_text() for p in PdfReader(reports / "report_sv.pdf").pages)
    assert "Syntetiskt exempel" in text and "8. N3 – Nyckeltal" in text
    assert all(ch in text for ch in "åäö")
    document = docx.Document(str(reports / "report_sv.docx"))
    assert len(document.tables) >= 5
    html = (reports / "report_sv.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "http://" not in html.replace(
        "http://www.w3.org", ""
    )
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))["reports"]["sv"]
    assert manifest["settings"]["min_cell_size"] == 5
    # written where the demo was built: no path of that folder in it
    assert not any(str(built_demo.folder) in json.dumps(v) for v in manifest.values())


def test_results_hold_both_instruments_and_their_waves(demo: Path) -> None:
    reliability = pd.read_csv(demo / "output" / "results" / "reliability.csv")
    assert list(reliability.columns) == [
        "instrument",
        "wave",
        "group_by",
        "group",
        "scale",
        "measure",
        "n",
        "k_items",
        "estimate",
        "ci_low",
        "ci_high",
        "method",
        "note",
    ]
    pairs = set(zip(reliability.instrument, reliability.wave, reliability.scale, strict=True))
    nomad = {
        ("nomad", w, s)
        for w in ("T0", "T1")
        for s in (
            "coherence",
            "cognitive_participation",
            "collective_action",
            "reflexive_monitoring",
        )
    }
    pcat = {
        ("pcat", w, s) for w in ("VT2018", "HT2018") for s in ("personalising", "support", "total")
    }
    assert pairs == nomad | pcat
    assert reliability.estimate.between(0.4, 0.95).all()
    # per-group rows: after the overall ones, only groups with >= survey.reliability_min_n (30)
    assert set(reliability.measure) == {"cronbach_alpha", "omega_total"}
    overall_rel = reliability[reliability.group_by == "all"]
    assert (overall_rel.group == "all").all() and len(overall_rel) == 2 * (8 + 6)
    grouped = reliability[reliability.group_by != "all"]
    assert set(grouped.group_by) == {"staff_group", "organisation"}
    assert (grouped.n >= 30).all()
    scores = pd.read_csv(demo / "output" / "results" / "scale_scores.csv")
    overall = scores[scores.group_by == "all"]
    assert len(overall[overall.instrument == "nomad"]) == 8
    assert len(overall[overall.instrument == "pcat"]) == 6
    by_unit = scores[(scores.instrument == "pcat") & (scores.group_by == "organisation")]
    assert set(by_unit.group) == {"hc_home_alvstad", "ch_bjorkgarden", "ch_solglantan"}
    total = overall[(overall.instrument == "pcat") & (overall.scale == "total")]
    assert total["mean"].between(13, 65).all()
    summary = pd.read_csv(demo / "output" / "results" / "ingest_summary.csv")
    assert (summary.rows_read == summary.rows_loaded + summary.rows_quarantined).all()
    markdown = (demo / "output" / "reports" / "report_sv.md").read_text(encoding="utf-8")
    assert "## Personalenkät: P-CAT" in markdown and "## Personalenkät: NoMAD" in markdown


def test_indicators_and_interviews_reach_results_and_report(demo: Path) -> None:
    results = demo / "output" / "results"
    for name in (
        "its",
        "goals",
        "logic",
        "before_after",
        "agreement",
        "coding_frequencies",
        "quotes",
        "outcomes",
    ):
        assert (results / f"{name}.csv").is_file(), name
    its = pd.read_csv(results / "its.csv")
    assert {"pre_trend", "level_change", "slope_change"} <= set(its.term)
    agreement = pd.read_csv(results / "agreement.csv")
    assert {"percent_agreement", "cohen_kappa", "krippendorff_alpha"} <= set(agreement.measure)
    markdown = (demo / "output" / "reports" / "report_sv.md").read_text(encoding="utf-8")
    n2 = markdown[markdown.index("# 7. N2") : markdown.index("# 8. N3")]
    assert "interviews_npt_heatmap_sv.png" in n2
    p1 = markdown[markdown.index("# 3. P1") : markdown.index("# 4. P2")]
    assert ".png" in p1  # the logic diagram


def test_no_email_address_anywhere_in_output_or_store(demo: Path) -> None:
    emails = set()
    for name in ("nomad_T0.xlsx", "nomad_T1.csv"):
        emails |= {
            str(e).strip().casefold() for e in read_table(EXAMPLE / "inbox" / name)["E-post"]
        }
    texts = []
    for path in (demo / "output").rglob("*"):
        if path.suffix in {".csv", ".md", ".html", ".json", ".typ"}:
            texts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".pdf":
            texts.extend(p.extract_text() for p in PdfReader(path).pages)
        elif path.suffix == ".docx":
            document = docx.Document(str(path))
            texts.extend(p.text for p in document.paragraphs)
            texts.extend(c.text for t in document.tables for r in t.rows for c in r.cells)
    con = duckdb.connect(str(demo / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        for (table,) in con.execute("SHOW TABLES").fetchall():
            texts.append(con.execute(f"SELECT * FROM {table}").df().to_csv())
    finally:
        con.close()
    blob = "\n".join(texts).casefold()
    leaked = [e for e in emails if e in blob or e.split("@")[0] in blob]
    assert leaked == []
    assert len(emails) == 244  # 203 at T0 + 151 at T1 - 110 who answered both


def _run_in_python(entry: str, demo: Path, env: dict[str, str], loaded: str) -> list[str]:
    """``impleval run -p DEMO`` through ``entry``'s ``main`` (``cli`` or ``quick``) in a fresh
    Python; what it printed, then whether module ``loaded`` was imported."""
    code = (
        f"import sys; from flows import {entry}; sys.argv = ['impleval', 'run', '-p', sys.argv[1]]; "
        f"{entry}.main(); print('{loaded} loaded:', '{loaded}' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(demo)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_run_after_a_run_is_up_to_date_without_prefect(demo: Path, env: dict[str, str]) -> None:
    lines = _run_in_python("cli", demo, env, "prefect")
    reports = [f"  {demo}/output/reports/report_sv.{fmt}" for fmt in ("html", "pdf", "docx")]
    assert lines == ["up to date", "Reports:", *reports, "prefect loaded: False"]


def test_an_unchanged_project_is_answered_without_loading_the_command_line(
    demo: Path, env: dict[str, str]
) -> None:
    """The console entry point (flows.quick) gives a plain run's up-to-date answer from the record
    the full check left, the same lines; a touched file sends it back to the full check."""

    def run() -> list[str]:
        return _run_in_python("quick", demo, env, "flows.cli")

    # A touched file (same content) no longer matches any record: the full check decides.
    touched = demo / "narrative" / "n3_key_figures.md"
    touched.touch()
    full = run()
    if full[0] != "up to date":  # another test of the module left a stage to redo (and that
        touched.touch()  # run, having done work, recorded its answer): touch again
        full = run()
    assert full[0] == "up to date" and full[-1] == "flows.cli loaded: True", full
    # ... and recorded its answer: given again without loading the command line
    assert run() == [*full[:-1], "flows.cli loaded: False"]
    assert run() == [*full[:-1], "flows.cli loaded: False"]


def test_a_narrative_edit_reruns_only_the_report(demo: Path, env: dict[str, str]) -> None:
    before = (demo / "output" / "results" / "reliability.csv").stat().st_mtime_ns
    narrative = demo / "narrative" / "n3_key_figures.md"
    narrative.write_text("Nyckeltalen redovisas i nästa rapport.\n", encoding="utf-8")
    done = impleval("run", "-p", str(demo), env=env)
    assert done.returncode == 0, done.stderr
    reports = [f"  {demo}/output/reports/report_sv.{fmt}" for fmt in ("html", "pdf", "docx")]
    lines = done.stdout.splitlines()
    gaps = [line for line in lines if line.startswith("  narrative missing")]
    assert len(gaps) == 1 and "narrative/p3_public_debate.md" in gaps[0]
    assert "n3_key_figures" not in gaps[0]  # written just now
    assert [line for line in lines if line not in gaps] == [
        "ingest: up to date",
        "analyse: up to date",
        "report: done",
        "Reports:",
        *reports,
    ]
    assert (demo / "output" / "results" / "reliability.csv").stat().st_mtime_ns == before
    assert "Nyckeltalen redovisas i nästa rapport." in (
        demo / "output" / "reports" / "report_sv.md"
    ).read_text(encoding="utf-8")
    # The run that did work checked again under its lock and left the record: the next plain
    # run is answered from it, without loading the command line.
    assert _run_in_python("quick", demo, env, "flows.cli") == [
        "up to date",
        "Reports:",
        *reports,
        "flows.cli loaded: False",
    ]


def test_english_report_on_request(demo: Path, env: dict[str, str]) -> None:
    done = impleval("report", "-p", str(demo), "--lang", "en", "--format", "pdf", env=env)
    assert done.returncode == 0, done.stderr
    text = "\n".join(
        p.extract_text() for p in PdfReader(demo / "output" / "reports" / "report_en.pdf").pages
    )
    assert "1. Basic information" in text and "Synthetic example" in text


def test_survey_statistics_results_exist(demo: Path) -> None:
    results = demo / "output" / "results"
    waves = pd.read_csv(results / "wave_comparison.csv")
    nomad = waves[(waves["instrument"] == "nomad") & (waves["sample"] == "all")]
    assert set(nomad["scale"]) == {
        "coherence",
        "cognitive_participation",
        "collective_action",
        "reflexive_monitoring",
    }
    assert nomad["method"].str.startswith("linear mixed model").all()
    assert (nomad["contrast"] == "T1 - T0").all()
    assert nomad["estimate"].notna().all()
    # the simple model plus the one with staff group and organisations (10 in the example)
    assert len(nomad) == 2 * 4
    extended = nomad[nomad["formula"].str.contains("organisation/respondent_id")]
    assert (
        extended["formula"] == "score ~ wave + staff_group + (1 | organisation/respondent_id)"
    ).all()
    assert len(extended) == 4 and (extended["n_organisations"] == 10).all()
    assert extended["converged"].all()
    assert (waves.loc[waves["instrument"] == "nomad", "n_present_both"] == 108).all()
    markdown = (demo / "output" / "reports" / "report_sv.md").read_text(encoding="utf-8")
    assert "108 personer svarade vid båda mättillfällena" in " ".join(markdown.split())
    assert "## Reliabilitet per grupp: NoMAD" in markdown
    rates = pd.read_csv(results / "response_rates.csv")
    assert {
        "instrument",
        "wave",
        "organisation",
        "staff_group",
        "invited",
        "responded",
        "rate",
    } <= set(rates.columns)
    assert set(rates.loc[rates["instrument"] == "nomad", "wave"]) == {"T0", "T1"}
