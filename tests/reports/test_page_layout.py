"""Page layout of the rendered report: captions stay with their tables and figures, wide tables
go on landscape pages, and the same report renders to the same bytes."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest
from docx.enum.section import WD_ORIENT
from matplotlib.figure import Figure
from pypdf import PdfReader

from reports.docx_layout import KEEP_WITH_NEXT, keep_captions
from reports.docx_reference import default_reference_doc
from reports.render import markdown_to_typst, render_docx, render_pdf
from reports.render import render_report as render
from reports.writer import LANDSCAPE_BEGIN, LANDSCAPE_END, is_wide, pipe_table
from tests.reports.conftest import REPORT_DATE

FILLER = " ".join(["Ord"] * 60)


def _frame(columns: int, rows: int = 5) -> pd.DataFrame:
    return pd.DataFrame(
        {
            f"Kolumn {c}": [f"rad{r}" if c == 0 else f"{r}.{c}" for r in range(rows)]
            for c in range(columns)
        }
    )


def _pages(pdf: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(pdf).pages]


# -- wide tables -------------------------------------------------------------------------------
def test_a_table_is_wide_by_its_columns_or_its_unbreakable_words():
    assert not is_wide(["a", "b"], [["1", "2"]])
    assert is_wide([f"k{i}" for i in range(9)], [[str(i) for i in range(9)]])
    long = "x" * 40  # four columns of 40-character words: ~4 × 197 pt > 465 pt
    assert is_wide(["a", "b", "c", "d"], [[long, long, long, long]])
    narrow = pipe_table(_frame(3), caption="Smal")
    assert LANDSCAPE_BEGIN not in narrow and LANDSCAPE_END not in narrow
    wide = pipe_table(_frame(10), caption="Bred")
    assert wide.startswith(LANDSCAPE_BEGIN) and wide.rstrip().endswith(LANDSCAPE_END.rstrip())


@pytest.fixture(scope="module")
def wide_report(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("wide")
    md = folder / "wide_sv.md"
    md.write_text(
        "# Rubrik\n\nText.\n\n"
        + pipe_table(_frame(2), caption="SMALFORE")
        + "\n\nMellan.\n\n"
        + pipe_table(_frame(10), caption="BREDTABELL")
        + "\n\nEfter.\n\n"
        + pipe_table(_frame(2), caption="SMALEFTER"),
        encoding="utf-8",
    )
    return render(md, formats=["html", "docx", "pdf"], lang="sv", report_date=REPORT_DATE)


def test_the_wide_table_has_a_landscape_page_in_the_pdf(wide_report):
    source = markdown_to_typst(wide_report["pdf"].with_suffix(".md"), lang="sv")
    assert "#set page(flipped: true)" in source and "#set page(flipped: false)" in source
    reader = PdfReader(wide_report["pdf"])
    shapes = {}
    for page in reader.pages:
        text = page.extract_text()
        landscape = float(page.mediabox.width) > float(page.mediabox.height)
        for caption in ("SMALFORE", "BREDTABELL", "SMALEFTER"):
            if caption in text:
                shapes[caption] = landscape
    assert shapes == {"SMALFORE": False, "BREDTABELL": True, "SMALEFTER": False}
    assert "page(flipped" not in wide_report["html"].read_text(encoding="utf-8")


def test_the_wide_table_has_a_landscape_section_in_the_docx(wide_report):
    document = docx.Document(str(wide_report["docx"]))
    sections = document.sections
    assert [s.orientation for s in sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    assert sections[1].page_width == sections[0].page_height
    assert all(s.footer.paragraphs[0].text for s in sections)  # the page numbers run on
    body = document.element.body.xml
    landscape_end = body.index('w:orient="landscape"')
    assert body.index("BREDTABELL") < landscape_end < body.index("SMALEFTER")
    assert "ImplevalLandscape" not in body


# -- captions ------------------------------------------------------------------------------------
def _keep_next(docx_file: Path) -> dict[str, bool]:
    styles = zipfile.ZipFile(docx_file).read("word/styles.xml").decode("utf-8")
    found = {}
    for style_id in KEEP_WITH_NEXT:
        style = re.search(rf'w:styleId="{style_id}".*?</w:style>', styles, re.S)
        found[style_id] = bool(style and re.search(r"<w:keepNext\s*/>", style.group(0)))
    return found


def test_docx_captions_keep_with_their_table_and_figure_even_if_the_template_does_not(tmp_path):
    reference = default_reference_doc(tmp_path / "ref.docx")
    stripped = tmp_path / "funder.docx"
    with zipfile.ZipFile(reference) as zin, zipfile.ZipFile(stripped, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                data = re.sub(rb"<w:keepNext\s*/>", b"", data)
            zout.writestr(item, data)
    assert _keep_next(stripped) == dict.fromkeys(KEEP_WITH_NEXT, False)
    md = tmp_path / "r.md"
    md.write_text(pipe_table(_frame(2), caption="Tabell"), encoding="utf-8")
    out = render_docx(md, tmp_path / "r.docx", lang="sv", reference_doc=stripped)
    assert _keep_next(out) == dict.fromkeys(KEEP_WITH_NEXT, True)


def test_keep_next_is_added_to_a_style_in_any_shape():
    styles = (
        '<w:style w:styleId="TableCaption"><w:name w:val="T"/><w:rPr><w:i/></w:rPr></w:style>'
        '<w:style w:styleId="CaptionedFigure"><w:name w:val="F"/><w:pPr/></w:style>'
        '<w:style w:styleId="Other"><w:name w:val="O"/></w:style>'
    )
    out = keep_captions(styles)
    assert '<w:name w:val="T"/><w:pPr><w:keepNext/></w:pPr><w:rPr>' in out
    assert '<w:name w:val="F"/><w:pPr><w:keepNext/></w:pPr></w:style>' in out
    assert '<w:style w:styleId="Other"><w:name w:val="O"/></w:style>' in out
    assert keep_captions(out) == out


def _fill(words: int) -> str:
    paragraphs = "\n\n".join(f"Stycke {i}. {FILLER}" for i in range(8))
    return f"# Rubrik\n\n{paragraphs}\n\nSista {' '.join(['ord'] * words)}\n\n"


def test_pdf_table_captions_stay_on_the_page_of_the_tables_first_rows(tmp_path):
    """Filler of growing length pushes a long table down the page; at some lengths its caption
    (above it) fell at the foot of a page and the first rows on the next before the header's
    sticky caption rule."""
    table = pipe_table(_frame(2, rows=40), caption="UNIKTABELL")
    md = tmp_path / "t.md"
    for words in range(120, 600, 24):
        md.write_text(_fill(words) + table, encoding="utf-8")
        pages = _pages(render_pdf(md, tmp_path / "t.pdf", lang="sv"))
        caption = [i for i, t in enumerate(pages) if "UNIKTABELL" in t]
        first = [i for i, t in enumerate(pages) if re.search(r"\brad0\b", t)]
        assert caption == first, (words, caption, first)


def test_pdf_figure_captions_stay_on_the_page_of_their_image(tmp_path):
    """The same for a figure: its caption (below the image) went to the next page at some
    lengths before the figure was made unbreakable."""
    fig = Figure(figsize=(6, 3))
    fig.add_subplot().plot([1, 2])
    fig.savefig(tmp_path / "figur.png")
    md = tmp_path / "f.md"
    for words in range(0, 480, 24):
        md.write_text(_fill(words) + "![UNIKFIGUR](figur.png)\n", encoding="utf-8")
        reader = PdfReader(render_pdf(md, tmp_path / "f.pdf", lang="sv"))
        caption = [i for i, p in enumerate(reader.pages) if "UNIKFIGUR" in p.extract_text()]
        drawn = [i for i, p in enumerate(reader.pages) if p.images]
        assert caption == drawn, (words, caption, drawn)


# -- the same report, the same bytes ----------------------------------------------------------
def test_a_report_renders_to_the_same_bytes_with_its_date(wide_report, tmp_path):
    md = tmp_path / "wide_sv.md"
    shutil.copy(wide_report["pdf"].with_suffix(".md"), md)
    again = render(md, formats=["docx", "pdf"], lang="sv", report_date=REPORT_DATE)
    for fmt in ("docx", "pdf"):
        assert again[fmt].read_bytes() == wide_report[fmt].read_bytes(), fmt
    created = PdfReader(again["pdf"]).metadata.creation_date
    assert created is not None and created.date() == REPORT_DATE
    other = render(md, formats=["pdf"], lang="sv", report_date=dt.date(2025, 1, 2))["pdf"]
    assert PdfReader(other).metadata.creation_date.date() == dt.date(2025, 1, 2)


def test_the_built_report_pdf_carries_the_report_date(report_sv):
    assert PdfReader(report_sv.pdf).metadata.creation_date.date() == REPORT_DATE
