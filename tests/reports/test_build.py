"""The report stage (reports/build.py): builders of declared kinds only, progress of the long
steps, and the same report whether figures and formats are made one at a time or side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.build import ReportRequest, build_report, draft_report
from reports.content import ReportContext, SectionBuilder, SectionContent, Text
from reports.sections import SECTION_BUILDERS, basic, codings, indicators, logic, survey
from tests.reports.conftest import REPORT_DATE, make_project_dir


def _request(project_dir: Path, project, spec, **options) -> ReportRequest:
    return ReportRequest(
        project=project, project_dir=project_dir, specs=[spec], report_date=REPORT_DATE, **options
    )


def test_one_list_of_builders_each_with_is_declared(project) -> None:
    assert [b.name for b in SECTION_BUILDERS] == [
        "basic",
        "logic",
        "indicators",
        "codings",
        "survey",
    ]
    assert [m.BUILDER for m in (basic, logic, indicators, codings, survey)] == list(
        SECTION_BUILDERS
    )
    # the test project declares survey waves only
    declared = [b.name for b in SECTION_BUILDERS if b.is_declared(project)]
    assert declared == ["basic", "survey"]


def test_only_declared_kinds_are_built(tmp_path: Path, project, spec) -> None:
    def refuse(context: ReportContext) -> list[SectionContent]:
        raise AssertionError("an undeclared kind was built")

    undeclared = SectionBuilder("undeclared", lambda project: False, refuse)
    declared = SectionBuilder(
        "declared", lambda project: True, lambda context: [SectionContent("summary", (Text("X1"),))]
    )
    project_dir = make_project_dir(tmp_path / "p")
    builders = (*SECTION_BUILDERS, undeclared, declared)
    markdown = draft_report(_request(project_dir, project, spec), builders=builders).markdown
    assert "\nX1\n" in markdown
    assert "Indikatorer" not in markdown and "Vad nyckelpersonerna sa" not in markdown


def test_progress_and_the_same_report_from_one_worker_or_two(tmp_path: Path, project, spec) -> None:
    calls: list[tuple[str, int, int]] = []
    one = build_report(
        _request(make_project_dir(tmp_path / "one"), project, spec, workers=1),
        progress=lambda *call: calls.append(call),
    )
    two = build_report(_request(make_project_dir(tmp_path / "two"), project, spec, workers=2))
    steps = {
        step: [c for c in calls if c[0] == step] for step in ("sections", "figures", "formats")
    }
    assert steps["sections"][0] == ("sections", 0, 2) and steps["sections"][-1] == (
        "sections",
        2,
        2,
    )
    assert steps["figures"][0] == ("figures", 0, 3) and steps["figures"][-1] == ("figures", 3, 3)
    assert steps["formats"][0] == ("formats", 0, 3) and steps["formats"][-1] == ("formats", 3, 3)
    assert [c[1] for c in steps["figures"]] == [0, 1, 2, 3]
    assert one.markdown.read_bytes() == two.markdown.read_bytes()
    for a, b in zip(one.figures, two.figures, strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes()
    assert one.html is not None and two.html is not None
    assert one.html.read_bytes() == two.html.read_bytes()


@pytest.mark.parametrize("formats", [(), ("html",)])
def test_formats_may_be_left_out(tmp_path: Path, project, spec, formats) -> None:
    built = build_report(_request(make_project_dir(tmp_path / "p"), project, spec, formats=formats))
    assert built.markdown.is_file() and len(built.figures) == 3
    assert (built.html is not None) == ("html" in formats)
    assert built.docx is None and built.pdf is None
    assert built.files[-1] == built.manifest


def test_tables_and_figures_are_exported_by_their_number(tmp_path: Path, project, spec) -> None:
    import zipfile

    import openpyxl

    project_dir = make_project_dir(tmp_path / "p")
    out = build_report(
        ReportRequest(
            project=project,
            project_dir=project_dir,
            specs=[spec],
            report_date=REPORT_DATE,
            formats=["docx"],
        )
    )
    exports = project_dir / "output" / "reports" / "exports"
    names = sorted(p.name for p in exports.iterdir())
    assert "tabell_01.csv" in names and "tabell_01.xlsx" in names
    assert "figur_01.svg" in names and "figur_01.pdf" in names
    manifest = json.loads(out.manifest.read_text(encoding="utf-8"))
    entries = manifest["reports"]["sv"]["settings"]["exports"]
    first = next(e for e in entries if e["kind"] == "table" and e["number"] == 1)
    assert first["files"] == ["tabell_01.csv", "tabell_01.xlsx"]
    # table 1 of the export is table 1 of the DOCX (Word numbers captions in document order)
    with zipfile.ZipFile(out.docx) as docx_file:
        document = docx_file.read("word/document.xml").decode("utf-8")
    assert first["caption"] in document
    assert document.index(first["caption"]) < min(
        document.index(e["caption"]) for e in entries if e["kind"] == "table" and e["number"] > 1
    )
    sheet = openpyxl.load_workbook(exports / "tabell_01.xlsx").active
    assert sheet.cell(1, 1).value == f"Tabell 1: {first['caption']}"
    recorded = {Path(o["path"]).name for o in manifest["reports"]["sv"]["outputs"]}
    assert {"tabell_01.xlsx", "figur_01.svg"} <= recorded


def test_a_table_export_is_the_same_bytes_when_written_again(tmp_path: Path) -> None:
    """openpyxl stamps the time of saving; the export carries the report's date instead."""
    import datetime as dt
    import zipfile

    import pandas as pd

    from reports.content import Table
    from reports.exports import _xlsx

    table = Table(pd.DataFrame({"grupp": ["A", "B"], "n": ["12", "<5"]}), "Svarande per grupp")
    day = dt.date(2018, 6, 30)
    first = _xlsx(table, tmp_path / "a.xlsx", number=3, prefix="tabell", day=day)
    second = _xlsx(table, tmp_path / "b.xlsx", number=3, prefix="tabell", day=day)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:  # no clock in it: every stamp is the report's date
        assert {i.date_time for i in z.infolist()} == {(2018, 6, 30, 0, 0, 0)}
        assert b"2018-06-30T00:00:00Z</dcterms:modified>" in z.read("docProps/core.xml")
