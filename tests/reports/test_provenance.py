"""Where each table and figure comes from (reports/provenance.py), and the report's words in the
report's language: funder and evaluator per language, waves by their labels, the validation page
in Swedish, the analysis' English method texts put into Swedish."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from project import provenance
from project.config import Project
from project.labels import Labels
from reports.content import Source
from reports.provenance import source_line
from reports.sections import basic
from reports.sections.indicator_tables import diagnostics_table
from reports.sections.survey_common import Instrument, method_in_words
from reports.strings import report_strings
from validation.page import render_validation_page
from validation.page_text import RULES_SV
from validation.quarantine import RULES

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _manifest(report) -> dict:
    return json.loads(report.manifest.read_text(encoding="utf-8"))["reports"]["sv"]


def test_every_table_and_figure_names_its_results_files_rows_and_hashes(report_sv, project_dir):
    manifest = _manifest(report_sv)
    entries = manifest["provenance"]
    exported = {(e["kind"], e["number"]): e["caption"] for e in manifest["settings"]["exports"]}
    assert {(e["kind"], e["number"]): e["caption"] for e in entries} == exported
    assert {"table", "figure"} == {e["kind"] for e in entries}
    ingested = pd.read_csv(project_dir / "output" / "results" / "ingest_summary.csv")
    landed = dict(zip(ingested["file"], ingested["sha256"], strict=True))
    for entry in entries:
        where = f"{entry['kind']} {entry['number']}"
        assert entry["results"], where
        assert entry["rows"] > 0, where
        for file in entry["results"]:
            path = project_dir / file["path"]
            assert path.is_file(), where
            assert HEX64.match(file["sha256"]) and file["sha256"] == provenance.file_sha256(path)
            assert manifest["inputs"][file["name"]]["sha256"] == file["sha256"]
        if entry["caption"] != report_strings("sv")("basic.caption"):  # project.yaml's facts
            assert entry["derived_from"], where
        for derived in entry["derived_from"]:
            assert landed[derived["file"]] == derived["sha256"]
            if "wave" in entry["where"]:
                assert derived["wave"] == entry["where"]["wave"]


def test_the_survey_tables_count_the_rows_they_show(report_sv, project_dir):
    entries = _manifest(report_sv)["provenance"]
    scores = pd.read_csv(project_dir / "output" / "results" / "scale_scores.csv", dtype=str)
    everyone = scores[(scores["group_by"] == "all") & (scores["instrument"] == "nomad")]
    figure = next(e for e in entries if e["kind"] == "figure" and "construct" in e["stem"])
    assert figure["rows"] == len(everyone)
    assert figure["where"] == {"instrument": "nomad", "group_by": "all"}


def test_a_source_line_under_every_table_of_the_appendix(report_sv):
    markdown = report_sv.markdown.read_text(encoding="utf-8")
    appendix = markdown[markdown.index("# Statistisk bilaga") :]
    body = markdown[: markdown.index("# Statistisk bilaga")]
    tables = appendix.count("\n: ")  # pandoc's caption line, one per table
    lines = re.findall(r"^\*Källa:\* (.+), (\d+) rad(?:er)?\.$", appendix, flags=re.M)
    assert tables and len(lines) == tables
    assert "Källa:" not in body
    assert lines[0][0] == r"results/reliability.csv"
    text = " ".join(page.extract_text() for page in PdfReader(report_sv.pdf).pages)
    assert "Källa: results/reliability.csv" in text


def test_a_source_line_is_escaped_and_counts_in_words():
    sv, en = report_strings("sv"), report_strings("en")
    one = source_line(Source(("results/a_b*.csv",), 1), sv).markdown
    assert one == r"*Källa:* results/a\_b\*.csv, 1 rad."
    assert source_line(Source(("results/its.csv",), 1234), sv).markdown.endswith(
        "1\u00a0234 rader."
    )
    assert source_line(Source(("results/its.csv",), 4), en).markdown == (
        r"*Source:* results/its.csv, 4 rows."
    )


def _with(project: Project, **changes) -> Project:
    data = project.model_dump(mode="json", exclude_none=True)
    for key, value in changes.items():
        parent = data
        *path, last = key.split(".")
        for part in path:
            parent = parent[part]
        parent[last] = value
    return Project.model_validate(data)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_funder_and_evaluator_per_language_or_one_text_for_both(project, results_dir, lang):
    from reports.content import ReportContext
    from reports.results import Results

    both = {"sv": "Fonden för test", "en": "The Test Fund"}
    per_language = _with(project, funder=both, **{"report.evaluator": {"sv": "Utv", "en": "Eval"}})
    assert per_language.funder == Labels(**both)

    def facts(p: Project) -> list[str]:
        content = basic.build(ReportContext(p, Results(results_dir), lang))
        return [str(v) for v in content[0].blocks[0].frame.iloc[:, 1]]

    shown = facts(per_language)
    assert both[lang] in shown and {"sv": "Utv", "en": "Eval"}[lang] in shown
    assert both["en" if lang == "sv" else "sv"] not in shown
    assert "Exempelfonden (fiktiv)" in facts(project)  # a plain string, in either language


def test_contrasts_between_waves_by_their_short_names(project, spec):
    short = {"T0": {"sv": "HT2017", "en": "Autumn 2017"}}
    waves = [w.model_dump(mode="json") for w in project.waves]
    waves = [w | ({"short": short[w["id"]]} if w["id"] in short else {}) for w in waves]
    named = _with(project, waves=waves)
    sv = Instrument(named, spec, report_strings("sv"), {})
    en = Instrument(named, spec, report_strings("en"), {})
    assert sv.contrast_label("T1 - T0") == "T1 – HT2017"
    assert en.contrast_label("T1 - T0") == "T1 – Autumn 2017"
    plain = Instrument(project, spec, report_strings("en"), {})
    assert plain.contrast_label("T1 - T0") == "T1 – T0"  # no short name: the ids


def test_the_validation_page_in_the_reports_language():
    assert set(RULES_SV) == set(RULES)
    options = {
        "target": "nomad T1",
        "file_name": "nomad_T1.csv",
        "sha256": "ab" * 32,
        "status": "loaded",
        "counts": (3, 2, 1),
        "rules": {"missing_identifier": 1, "out_of_set": 0},
        "rows": [{"source_row": 4, "column": "id", "rule": "missing_identifier", "detail": ""}],
    }
    sv = render_validation_page(**options, lang="sv")
    en = render_validation_page(**options, lang="en")
    assert '<html lang="sv">' in sv and "<h1>Validering: nomad T1</h1>" in sv
    assert "inläst" in sv and RULES_SV["missing_identifier"] in sv and "i karantän" in sv
    for english in ("Validation", "rows read", "Quarantined rows", "loaded", "meaning"):
        assert english not in sv
    assert "<h1>Validation: nomad T1</h1>" in en and RULES["missing_identifier"] in en
    assert "<script" not in sv + en


def test_the_analysis_method_texts_in_swedish():
    bootstrap = (
        "McDonald's omega total, one factor (minres), correlations, listwise; 95% CI percentile "
        "bootstrap (1000 resamples)"
    )
    words = method_in_words(bootstrap, report_strings("sv"))
    assert words.startswith("McDonalds omega (total), enfaktormodell")
    assert "percentilbootstrap (1\u00a0000 omsamplingar)" in words
    assert "resamples" in method_in_words(bootstrap, report_strings("en"))


def test_model_descriptions_in_english_prose_stay_out_of_the_swedish_appendix():
    from project.config import load_project

    example = Path(__file__).resolve().parents[2] / "examples" / "discharge-planning"
    ind = load_project(example).indicators[0]
    rows = pd.DataFrame(
        {
            "diagnostic": ["n", "design", "interval", "formula"],
            "estimate": [38.0, None, None, None],
            "df": [None] * 4,
            "p_value": [None] * 4,
            "detail": ["periods", "time = months since 2016-01", "auto: Wald", "value ~ time"],
        }
    )
    sv = diagnostics_table(rows, "Vårddygn", ind, report_strings("sv")).frame
    en = diagnostics_table(rows, "Bed days", ind, report_strings("en")).frame
    assert (
        not sv.apply(lambda c: c.astype(str).str.contains("months since|Wald|interval")).any().any()
    )
    assert "time = months since 2016-01" in en.iloc[:, 1].tolist()
    assert "Confidence intervals" in en.iloc[:, 0].tolist()


def test_manifest_paths_are_portable(report_sv):
    raw = report_sv.manifest.read_text(encoding="utf-8")
    entries = json.loads(raw)["reports"]["sv"]["provenance"]
    paths = [f["path"] for e in entries for f in e["results"]]
    assert "project.yaml" in paths  # the basic facts
    assert all(p == "project.yaml" or p.startswith("output/results/") for p in paths)
