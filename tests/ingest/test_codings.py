"""The codings ingest on the example project: accounting, redaction, no-op, replace, and the same
analysis from the MAXQDA CSV and from the REFI-QDA .qdpx of the same material."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from flows.analyse import results_of
from ingest.codings import ingest_codings
from project.config import load_project
from project.errors import ConfigError, PipelineError
from reports.build import ReportRequest, build_report
from reports.content import ReportContext, SectionContent
from reports.results import Results
from reports.sections import codings
from tests.conftest import EXAMPLE

CSV = "codings_interviews.csv"
QDPX = "codings_interviews.qdpx"


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".impleval", "output"))
    return dst


@pytest.fixture
def shared_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One key for several project copies (so their pseudonyms agree)."""
    key = tmp_path / "shared.key"
    key.write_text("ab" * 32 + "\n", encoding="ascii")
    key.chmod(0o600)
    monkeypatch.setenv("IMPLEVAL_KEY_FILE", str(key))
    return key


def test_ingest_accounts_for_every_row(example_project: Path) -> None:
    report = ingest_codings(example_project, example_project / "inbox" / CSV)
    assert report.status == "loaded"
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert report.reasons == {"unknown_coder": 1}
    facts = report.facts
    assert set(facts["unmapped_codes"]) == {"Övrigt > Att följa upp"}  # type: ignore[arg-type]
    assert facts["n_documents"] == 29
    redactions = facts["redactions"]
    assert redactions["name"] >= 3 and redactions["email"] == 1  # type: ignore[index]
    text = "\n".join(report.lines())
    assert "unknown_coder" in text and "Övrigt > Att följa upp" in text
    again = ingest_codings(example_project, example_project / "inbox" / CSV)
    assert again.status == "already_loaded"
    assert "nothing to do" in again.lines()[0]


def test_nothing_identifying_is_stored(example_project: Path) -> None:
    ingest_codings(example_project, example_project / "inbox" / CSV)
    con = duckdb.connect(str(example_project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT * FROM codings").df()
        quarantine = con.execute("SELECT * FROM quarantine").df()
        kinds = con.execute("SELECT kind, instrument, wave FROM ingests").fetchall()
    finally:
        con.close()
    blob = rows.astype(str).to_csv() + quarantine.astype(str).to_csv()
    for secret in ("Karin", "Sjöberg", "Nyström", "Rönnqvist", "example.org", "174 06",
                   "Eva Lind", "Omar Haddad", "Personal 01", "Styrgrupp omgång"):  # fmt: skip
        assert secret not in blob, secret
    assert "[namn]" in blob and "[e-post]" in blob and "[telefon]" in blob
    assert set(rows["coder"]) == {"coder_a", "coder_b"}
    assert kinds == [("codings", None, None)]
    assert 0 < (~rows["mapped"]).sum() < 10


def test_overlapping_material_needs_replace(example_project: Path) -> None:
    ingest_codings(example_project, example_project / "inbox" / CSV)
    with pytest.raises(ConfigError, match="--replace"):
        ingest_codings(example_project, example_project / "exports" / QDPX)
    report = ingest_codings(example_project, example_project / "exports" / QDPX, replace=True)
    assert report.superseded == (CSV,)
    con = duckdb.connect(str(example_project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        active = con.execute("SELECT file_name FROM ingests WHERE superseded_by IS NULL").fetchall()
    finally:
        con.close()
    assert active == [(QDPX,)]


def test_dry_run_loads_nothing(example_project: Path) -> None:
    report = ingest_codings(example_project, example_project / "inbox" / CSV, dry_run=True)
    assert report.status == "dry_run"
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert not list((example_project / ".impleval" / "raw").glob("*.csv"))
    assert not (example_project / ".impleval" / "warehouse.duckdb").exists()  # no store created


def test_user_errors_are_pipeline_errors(example_project: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineError):
        ingest_codings(example_project, tmp_path / "missing.csv")
    other = tmp_path / "other.csv"
    other.write_text("E-post;CO1\na@b.se;1\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="not those of a known"):
        ingest_codings(example_project, other)
    with pytest.raises(PipelineError, match="does not exist"):
        ingest_codings(example_project, example_project / "inbox" / CSV, profile="nope")


def test_no_interviews_section(tmp_path: Path) -> None:
    project = _copy(EXAMPLE, tmp_path / "p")
    text = (project / "project.yaml").read_text(encoding="utf-8")
    (project / "project.yaml").write_text(text.split("\n# Interview codings")[0] + "\n",
                                          encoding="utf-8")  # fmt: skip
    assert results_of(project, "codings") == {}
    with pytest.raises(ConfigError, match="no interviews"):
        ingest_codings(project, project / "inbox" / CSV)


def _results(project: Path) -> dict[str, pd.DataFrame]:
    return results_of(project, "codings")


def test_csv_and_qdpx_give_identical_results(tmp_path: Path, shared_key: Path) -> None:
    a = _copy(EXAMPLE, tmp_path / "a")
    b = _copy(EXAMPLE, tmp_path / "b")
    ingest_codings(a, a / "inbox" / CSV)
    ingest_codings(b, b / "exports" / QDPX)
    ra, rb = _results(a), _results(b)
    assert set(ra) == set(rb) == {"coding_frequencies", "co_occurrence", "agreement", "quotes",
                                  "interview_documents"}  # fmt: skip
    for name in ra:
        assert not ra[name].empty, name
        pd.testing.assert_frame_equal(ra[name], rb[name], check_exact=True, obj=name)


def test_analysis_tables(example_project: Path) -> None:
    ingest_codings(example_project, example_project / "inbox" / CSV)
    res = results_of(example_project, "codings")
    agree = res["agreement"]
    for col in ("unit_of_analysis", "code_level", "measure", "estimate", "n_units", "n_coders"):
        assert col in agree.columns
    assert set(agree["unit_of_analysis"]) == {"segment"}
    assert set(agree["measure"]) == {
        "percent_agreement",
        "cohen_kappa",
        "brennan_prediger_kappa",
        "krippendorff_alpha",
    }
    pooled = agree[(agree.code_level == "all") & (agree.measure == "krippendorff_alpha")]
    assert 0.6 < pooled["estimate"].iloc[0] < 0.95
    freq = res["coding_frequencies"]
    docs = res["interview_documents"].set_index(["stakeholder_group", "round"])
    assert docs.loc[("staff", "r2"), "n_documents"] == 12
    assert docs.loc[("steering_group", "r1"), "n_double_coded"] == 3
    assert set(freq["code_type"]) == {"construct", "sub_construct", "project"}
    quotes = res["quotes"]
    assert quotes["segment_id"].is_unique
    assert quotes.groupby(["construct", "stakeholder_group"]).size().max() == 1
    assert not quotes["quote"].str.contains("Karin|Sjöberg|example.org").any()
    assert quotes["speaker_sv"].str.match(r"^(Medarbetare|Styrgruppsledamot|Företrädare) ").all()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_sections(example_project: Path, lang: str) -> None:
    ingest_codings(example_project, example_project / "inbox" / CSV)
    results = example_project / "output" / "results"
    results.mkdir(parents=True)
    for name, frame in results_of(example_project, "codings").items():
        frame.to_csv(results / f"{name}.csv", index=False)
    project = load_project(example_project)
    sections = codings.build(ReportContext(project, Results(results), lang))
    assert [s.section for s in sections] == ["n2_key_persons", "appendix"]
    assert all(isinstance(s, SectionContent) for s in sections)
    built = build_report(ReportRequest(project, example_project, lang=lang, formats=()))
    md = built.markdown.read_text(encoding="utf-8")
    n2 = md[md.index("\n# 7. N2") : md.index("\n# 8. N3")]
    appendix = md[md.index("\n# " + ("Statistisk bilaga" if lang == "sv" else "Statistical")) :]
    out = example_project / "output"
    assert (out / "figures" / f"interviews_npt_heatmap_{lang}.png").is_file()
    assert f"figures/interviews_npt_heatmap_{lang}.png" in n2
    level = "på segmentnivå (n = " if lang == "sv" else "at the segment level (n = "
    assert level in n2 and "κ = " in n2 and "α = " in n2
    assert "<5" in n2  # four relatives' organisations: fewer than the threshold of 5
    note = "färre än 5 intervjuer i gruppen" if lang == "sv" else "fewer than 5 interviews in"
    assert note in n2
    assert "svarande" not in n2 and "respondents" not in n2  # not the survey wording
    assert "> ”" in n2 or '> "' in n2 or "> “" in n2
    assert "Karin" not in n2
    assert "| " in appendix


def test_example_generator_reproduces_committed_files(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_interviews", EXAMPLE / "generate_interviews.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    written = module.generate(tmp_path)
    assert written["csv"].read_bytes() == (EXAMPLE / "inbox" / written["csv"].name).read_bytes()
    assert written["qdpx"].read_bytes() == (EXAMPLE / "exports" / written["qdpx"].name).read_bytes()


def test_a_hidden_interview_count_cannot_be_worked_out_from_the_total() -> None:
    from reports.sections.codings import documents_table
    from reports.strings import report_strings
    from reports.writer import block_markdown

    project = load_project(EXAMPLE)
    docs = pd.DataFrame(
        {
            "stakeholder_group": ["staff", "steering_group", "steering_group", "relatives"],
            "round": ["r1", "r1", "r2", "r2"],
            "n_documents": [12, 7, 6, 4],
            "n_double_coded": [3, 2, 1, 1],
        }
    )
    cfg = project.interviews
    docs["stakeholder_group"] = [
        cfg.stakeholder_groups[i % len(cfg.stakeholder_groups)].id for i in range(4)
    ]
    docs["round"] = [cfg.rounds[i % len(cfg.rounds)].id for i in range(4)]
    table = block_markdown(documents_table(docs, cfg, 5, report_strings("sv")), str)
    rows = [line for line in table.splitlines() if line.startswith("|") and "---" not in line][1:]
    shown = [row.split("|")[3].strip() for row in rows]
    assert "4" not in shown and "\\<5" in shown  # the mark escaped in the Markdown
    assert "6" not in shown and "–" in shown  # the smallest other count is hidden too
    assert {"12", "7"} <= set(shown)
