"""`impleval report` with a kind, a data cut-off and per organisation, through the real command on
the example project: an interim report computed from the data up to 2018-06-30 beside the final
one, re-created byte for byte; cover, table of contents and page numbers in PDF and DOCX; one
report per organisation with small cells suppressed; gaps in the narrative named, and refused
with --strict; the PDF's tables and headings as a funder reads them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from project.provenance import file_sha256
from tests.flows.conftest import BuiltDemo, copy_demo, impleval

CUTOFF = "2018-06-30"
# Five full report renders of the example through the installed command: an end-to-end case, in
# CI's `make test-slow` (the fast suite stays under five minutes).
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, built_demo: BuiltDemo) -> Path:
    """The example, ingested and analysed, with the final report in PDF and DOCX: this module's
    copy of the run's one `impleval demo` (tests/flows/conftest.py)."""
    return copy_demo(built_demo, tmp_path_factory.mktemp("kinds") / "demo")


@pytest.fixture(scope="module")
def interim(project: Path, env: dict[str, str]) -> Path:
    done = impleval("report", "-p", str(project), "--kind", "interim", "--cutoff", CUTOFF, env=env)
    assert done.returncode == 0, done.stderr
    folder = project / "output" / "reports" / f"interim-{CUTOFF}"
    assert str(folder / "report_sv.pdf") in done.stdout
    # the report's documents one per line, its exports as their folder (not each figure's PDF)
    assert "figur_" not in done.stdout and "tabell_" not in done.stdout
    exports = f"tables and figures on their own (XLSX, CSV, SVG, PDF): {folder / 'exports'}"
    assert exports in done.stdout.splitlines(), done.stdout
    return folder


def _pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _results(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype={"wave": str, "period": str})


def test_the_interim_report_holds_exactly_the_data_up_to_the_cutoff(
    project: Path, interim: Path
) -> None:
    final = project / "output" / "results"
    mine = _results(interim / "results", "scale_scores")
    whole = _results(final, "scale_scores")
    assert set(mine["wave"]) == {"T0", "VT2018"}  # T1 (2019) and HT2018 (November) came after
    assert {"T1", "HT2018"} <= set(whole["wave"])
    keys = ["instrument", "wave", "scale", "group_by", "group"]
    before = whole[whole["wave"].isin(["T0", "VT2018"])].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine.sort_values(keys).reset_index(drop=True), before)
    series, whole_series = (
        _results(interim / "results", "its_series"),
        _results(final, "its_series"),
    )
    assert series["period"].max() <= "2018-06" < whole_series["period"].max()
    observed = whole_series[whole_series["period"] <= "2018-06"]
    assert sorted(series["observed"]) == sorted(observed["observed"])
    manifest = json.loads((interim / "manifest.json").read_text(encoding="utf-8"))
    settings = manifest["reports"]["sv"]["settings"]
    assert (settings["report_kind"], settings["cutoff"]) == ("interim", CUTOFF)


def test_the_interim_report_re_created_later_is_the_same(
    project: Path,
    interim: Path,
    env: dict[str, str],
) -> None:
    before = {p.name: _sha(p) for p in interim.glob("report_sv.*") if p.suffix != ".pdf"}
    pdf_before = _pdf_text(interim / "report_sv.pdf")
    done = impleval("report", "-p", str(project), "--kind", "interim", "--cutoff", CUTOFF, env=env)
    assert done.returncode == 0, done.stderr
    after = {p.name: _sha(p) for p in interim.glob("report_sv.*") if p.suffix != ".pdf"}
    assert set(before) == {"report_sv.md", "report_sv.html", "report_sv.docx"}
    assert after == before
    assert _pdf_text(interim / "report_sv.pdf") == pdf_before


def test_cover_contents_and_page_numbers_in_the_pdf(interim: Path) -> None:
    pages = _pdf_text(interim / "report_sv.pdf")
    cover = pages[0]
    for line in (
        "Delrapport – löpande utvärdering",
        f"Data till och med: {CUTOFF}",
        f"Rapportdatum: {CUTOFF}",
        "Projektperiod: 2017-01-01 – 2019-06-30",
        "Utvärderare: Exempelutvärdering AB (fiktiv)",
    ):
        assert line in cover
    assert pages[1].startswith("Innehåll")
    assert "5. P3 – Offentlig debatt" in pages[1]
    for number, text in enumerate(pages, 1):
        assert text.rstrip().endswith(f"{number} / {len(pages)}"), number


def test_cover_contents_a4_and_page_numbers_in_the_docx(interim: Path) -> None:
    with zipfile.ZipFile(interim / "report_sv.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
        footers = [
            docx.read(n).decode() for n in docx.namelist() if "footer" in n and n.endswith(".xml")
        ]
    assert 'w:w="11906"' in document and 'w:h="16838"' in document  # A4
    assert any("PAGE" in f and "NUMPAGES" in f for f in footers)
    assert "TOC \\o" in document
    text = re.sub(r"<[^>]+>", "", document)
    assert f"Data till och med: {CUTOFF}" in text
    assert "Innehåll" in text


def test_the_pdf_reads_as_a_funder_reads_it(project: Path) -> None:
    pages = _pdf_text(project / "output" / "reports" / "report_sv.pdf")
    text = "\n".join(pages)
    # p-values one way: <0,001, never 0,000 or 0,0000
    assert "<0,001" in text
    assert not re.search(r"(?<![\d,])0,0{3,4}(?![\d])", text)
    # the mixed-model table: headers and numbers apart, formulas only in its note
    header = next(line for line in text.splitlines() if line.startswith("Konstrukt Jämförelse"))
    assert header.startswith("Konstrukt Jämförelse Modell Antal svar Antal svarande Skattning")
    rows = [line for line in text.splitlines() if line.startswith("T1 – T0 B")]
    assert rows and all(re.fullmatch(r"T1 – T0 B [\d ,–<]+", r) for r in rows)
    assert "T1 - T0" not in text
    # a final report: conclusions, recommendations and the questions left out
    for heading in ("Slutsatser", "Rekommendationer", "Frågor som lämnats utan svar"):
        assert heading in text
    # ... and goal attainment in full: goals per level and status (tests/reports/test_attainment)
    assert "Måluppfyllelse per nivå" in text and "Alla mål" in text
    # every heading Swedish
    for english in ("Public debate", "Key figures", "Statistical appendix", "Reliability"):
        assert english not in text


def test_final_report_names_missing_narrative_and_unknown_files(
    project: Path,
    env: dict[str, str],
) -> None:
    stray = project / "narrative" / "process.md"
    stray.write_text("Processen.\n", encoding="utf-8")
    try:
        done = impleval("report", "-p", str(project), "--format", "html", env=env)
        assert done.returncode == 0, done.stderr
        assert "narrative/p3_public_debate.md" in done.stdout
        assert "narrative/n1_key_activities.md" in done.stdout
        assert "narrative/process.md" in done.stdout
        manifest = json.loads(
            (project / "output" / "reports" / "manifest.json").read_text(encoding="utf-8")
        )
        gaps = manifest["reports"]["sv"]["settings"]["narrative"]
        assert "narrative/process.md" in gaps["unknown"]
        assert "narrative/n1_key_activities.md" in gaps["missing"]
        assert "narrative/conclusions.md" not in gaps["missing"]  # the example has them
        strict = impleval("report", "-p", str(project), "--format", "html", "--strict", env=env)
        assert strict.returncode == 2
        assert strict.stderr.count("\n") == 1 and "Traceback" not in strict.stderr
        assert "narrative/process.md" in strict.stderr
    finally:
        stray.unlink()


def test_an_interim_report_needs_a_cutoff(project: Path, env: dict[str, str]) -> None:
    done = impleval("report", "-p", str(project), "--kind", "interim", env=env)
    assert done.returncode == 2
    assert "--cutoff" in done.stderr and "Traceback" not in done.stderr
    bad = impleval("report", "-p", str(project), "--cutoff", "2018-13-01", env=env)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_a_report_for_one_organisation_beside_the_whole_with_small_cells_suppressed(
    project: Path,
    env: dict[str, str],
) -> None:
    # the PDF is what is read here (the Markdown is always written): no HTML or DOCX rendered
    done = impleval(
        "report", "-p", str(project), "--for", "hc_norrmalm", "--format", "pdf", env=env
    )
    assert done.returncode == 0, done.stderr
    folder = project / "output" / "reports" / "organisations" / "hc_norrmalm"
    pages = _pdf_text(folder / "report_sv.pdf")
    assert "Slutrapport – löpande utvärdering – Hälsocentral Norrmalm" in pages[0]
    text = "\n".join(pages)
    assert "Hälsocentral Norrmalm och hela projektet" in text
    scores = _results(folder / "results", "scale_scores")
    small = scores[(scores["group_by"] == "staff_group") & (scores["n"] < 5)]
    assert not small.empty  # the organisation has staff groups of fewer than five
    markdown = (folder / "report_sv.md").read_text(encoding="utf-8")
    assert "– (\\<5)" in markdown  # the mark escaped in the Markdown
    assert not re.search(r"\([1-4]\)", markdown)  # no count below five is shown
    # the tables beside the whole project name both results files, each with its hash
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    beside = [
        e for e in manifest["reports"]["sv"]["provenance"] if "hela projektet" in e["caption"]
    ]
    assert beside
    for entry in beside:
        files = {f["name"]: f for f in entry["results"]}
        whole = files[f"whole project/{next(iter(files))}"]
        assert whole["path"].startswith("output/results/")
        assert whole["sha256"] == file_sha256(project / whole["path"])
    unknown = impleval("report", "-p", str(project), "--for", "nowhere", env=env)
    assert unknown.returncode == 2 and "hc_norrmalm" in unknown.stderr


@pytest.mark.slow
def test_for_all_writes_one_report_per_organisation(
    project: Path,
    env: dict[str, str],
) -> None:
    done = impleval("report", "-p", str(project), "--for", "all", "--format", "html", env=env)
    assert done.returncode == 0, done.stderr
    folder = project / "output" / "reports" / "organisations"
    written = sorted(p.parent.name for p in folder.glob("*/report_sv.html"))
    assert len(written) == 13 and "hc_norrmalm" in written
    shutil.rmtree(folder)


def test_every_table_and_figure_of_the_example_traces_to_its_files(project: Path) -> None:
    """The manifest's provenance: per table and figure (numbered as the exports), the results
    files with their hashes, the rows, and the landed files they derive from."""
    manifest = json.loads((project / "output" / "reports" / "manifest.json").read_text("utf-8"))
    report = manifest["reports"]["sv"]
    entries = report["provenance"]
    exported = {(e["kind"], e["number"]) for e in report["settings"]["exports"]}
    assert {(e["kind"], e["number"]) for e in entries} == exported
    assert len([e for e in entries if e["kind"] == "table"]) >= 20
    raw = project / ".impleval" / "raw"
    for entry in entries:
        where = f"{entry['kind']} {entry['number']}: {entry['caption']}"
        assert entry["results"] and entry["rows"] > 0, where
        for file in entry["results"]:
            assert _sha(project / file["path"]) == file["sha256"], where
        if entry["results"][0]["name"] != "project.yaml":
            assert entry["derived_from"], where
        for landed in entry["derived_from"]:
            (copy,) = raw.glob(f"{landed['sha256']}.*")
            assert _sha(copy) == landed["sha256"], where
    kinds = {d["kind"] for e in entries for d in e["derived_from"]}
    assert {"survey", "indicators", "codings"} <= kinds
    pdf = "\n".join(_pdf_text(project / "output" / "reports" / "report_sv.pdf"))
    appendix = pdf[pdf.rindex("Statistisk bilaga") :]
    assert "Källa: results/agreement.csv" in appendix
    assert "Källa: results/its_diagnostics.csv" in appendix


def test_every_heading_in_the_reports_language(project: Path, env: dict[str, str]) -> None:
    """No English heading, caption or table header in the Swedish report (PDF, HTML, DOCX read
    back as text), no Swedish one in the English report; English quotes marked as Swedish."""
    from tests.reports.language_left import docx_text, html_text, left_in

    reports = project / "output" / "reports"
    swedish = {
        "pdf": "\n".join(_pdf_text(reports / "report_sv.pdf")),
        "html": html_text(reports / "report_sv.html"),
        "docx": docx_text(reports / "report_sv.docx"),
    }
    for fmt, text in swedish.items():
        assert left_in(text, "sv") == [], fmt
        assert len(left_in(text, "en")) >= 30, fmt  # the check finds the report's own
        for english in (
            "McDonald's omega total",
            "percentile bootstrap",
            "Exempelfonden (fictional)",
        ):
            assert english not in text, fmt
    done = impleval("report", "-p", str(project), "--lang", "en", "--format", "pdf", env=env)
    assert done.returncode == 0, done.stderr
    english = " ".join(" ".join(_pdf_text(reports / "report_en.pdf")).split())
    assert left_in(english, "en") == []
    assert "Exempelfonden (fictional)" in english and "(fiktiv)" not in english
    assert english.count("(original in Swedish)") >= 5  # every quote
    assert "Autumn 2018 – Spring 2018" in english  # waves by their short names
    assert "HT2018 – VT2018" not in english
