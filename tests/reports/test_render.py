"""Rendering: self-contained HTML, a DOCX Word can open, an A4 PDF with Swedish text."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from project.errors import RenderError
from reports.render import render_report

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
    re.IGNORECASE,
)


def pdf_text(path: Path) -> str:
    """The PDF's text, read with pypdf (a locked dev dependency, so this never skips)."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return text.replace("\u00a0", " ")  # typst joins "Tabell 1" with a no-break space


def test_html_is_self_contained(report_sv):
    html = report_sv.html.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert html.count("data:image/png;base64,") == len(report_sv.figures)
    assert 'lang="sv"' in html
    assert "Tabell " in html  # the stylesheet (embedded) numbers captions
    assert "1. Grundinformation" in html


def test_docx_opens_and_has_tables(report_sv):
    document = docx.Document(str(report_sv.docx))
    assert len(document.tables) >= 6
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "1. Grundinformation"
    assert "8. N3 – Nyckeltal" in headings
    assert len(document.inline_shapes) == len(report_sv.figures)
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == ["Uppgift", "Värde"]


def test_pdf_is_a4_with_swedish_text(report_sv):
    data = report_sv.pdf.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(report_sv.pdf)
    assert "1. Grundinformation" in text
    assert "Sammanfattande kommentar och analys" in text
    for ch in "åäöÅÄÖ":
        assert ch in text or ch.lower() in text
    assert "Tabell 1:" in text and "Figur 1:" in text  # numbered once, by typst
    assert "Tabell 1: Tabell" not in text
    assert not report_sv.markdown.with_suffix(".typ").exists()  # intermediate removed
    for page in PdfReader(report_sv.pdf).pages:  # A4: 595.28 x 841.89 pt
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (
            595.28,
            841.89,
        )


def test_english_pdf(report_en):
    text = pdf_text(report_en.pdf)
    assert "1. Basic information" in text and "Table 1:" in text


def test_typst_failure_is_a_clear_error(tmp_path):
    md = tmp_path / "report_sv.md"
    md.write_text("---\ntitle: T\n---\n\n# Rubrik\n\n![Saknas](figures/finns_inte.png)\n")
    with pytest.raises(RenderError, match=r"report_sv\.typ: typst could not compile the PDF"):
        render_report(md, formats=["pdf"], lang="sv")
    assert md.with_suffix(".typ").exists()  # kept for inspection


def test_unknown_format(tmp_path):
    md = tmp_path / "r.md"
    md.write_text("# x\n")
    with pytest.raises(RenderError, match="unknown format odt"):
        render_report(md, formats=["odt"], lang="sv")


def _funder_template(target: Path) -> Path:
    """A Word template as a funder hands it out: pandoc's reference document with a style of
    its own and Letter paper (so that the test sees the template's page setup win over A4)."""
    import zipfile

    from reports.docx_reference import default_reference_doc

    source = default_reference_doc(target.with_name("base.docx"))
    style = (
        '<w:style w:type="paragraph" w:customStyle="1" w:styleId="FunderNote">'
        '<w:name w:val="Funder Note"/><w:rPr><w:color w:val="7A1F5C"/></w:rPr></w:style>'
    )
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                data = data.replace(b"</w:styles>", style.encode() + b"</w:styles>")
            if item.filename == "word/document.xml":
                data = data.replace(b'w:w="11906" w:h="16838"', b'w:w="12240" w:h="15840"')
            zout.writestr(item, data)
    return target


def test_docx_takes_the_styles_and_page_of_the_projects_word_template(
    tmp_path: Path, report_sv
) -> None:
    template = _funder_template(tmp_path / "funder.docx")
    out = tmp_path / "out"
    written = render_report(
        report_sv.markdown, formats=["docx"], lang="sv", out_dir=out, reference_doc=template
    )
    document = docx.Document(str(written["docx"]))
    assert "Funder Note" in [s.name for s in document.styles]
    section = document.sections[-1]
    assert (section.page_width, section.page_height) == (12240 * 635, 15840 * 635)  # Letter


def test_docx_without_a_template_is_a4_with_page_numbers(report_sv) -> None:
    document = docx.Document(str(report_sv.docx))
    section = document.sections[-1]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_a_missing_word_template_is_one_clear_line(tmp_path: Path, report_sv) -> None:
    with pytest.raises(RenderError, match=r"docx_template nowhere\.docx is not a file"):
        render_report(
            report_sv.markdown,
            formats=["docx"],
            lang="sv",
            out_dir=tmp_path,
            reference_doc=tmp_path / "nowhere.docx",
        )


def test_html_figures_are_those_pandoc_embeds_itself(tmp_path: Path, report_sv) -> None:
    """The figures go into the HTML after pandoc (stand-ins, reports.resources): the file is the
    one pandoc writes when it embeds them itself, each figure's bytes inside."""
    import base64

    from reports.render import CSS_FILE, _pandoc, parse_markdown
    from reports.resources import embed_images

    markdown = report_sv.markdown
    style = tmp_path / "style.html"
    style.write_text(f"<style>\n{CSS_FILE.read_text(encoding='utf-8')}</style>\n", "utf-8")
    plain = tmp_path / "plain.html"
    args = ["--standalone", "--embed-resources", "--toc", "--toc-depth=2"]
    args += [f"--include-in-header={style}", "--metadata=lang:sv"]
    ast = embed_images(parse_markdown(markdown), markdown.parent)
    _pandoc(markdown, "html5", outputfile=plain, extra_args=args, ast=ast)
    html = report_sv.html.read_bytes()
    assert html == plain.read_bytes()
    for figure in report_sv.figures:
        assert base64.b64encode(figure.read_bytes()) in html


def test_a_stand_in_missing_from_the_html_is_an_error() -> None:
    from reports.resources import fill_images

    with pytest.raises(RenderError, match="went missing"):
        fill_images("<html></html>", {"data:image/png;base64,eA==": "data:image/png;base64,eQ=="})


def _image_count(pdf: Path) -> int:
    """Raster images the PDF's pages draw."""
    found = 0
    for page in PdfReader(pdf).pages:
        objects = page["/Resources"].get("/XObject")
        found += len(objects.get_object()) if objects is not None else 0
    return found


def test_the_pdf_shows_the_figures_vector_drawing(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from reports.writer import draw_figure

    def make() -> Figure:
        figure = Figure(figsize=(3, 2))
        figure.add_subplot().plot([0, 1, 2], [1, 0, 2])
        return figure

    png, svg = tmp_path / "figures" / "f.png", tmp_path / "out" / "exports" / "figur_01.svg"
    png.parent.mkdir()
    draw_figure(make, png, (svg,))
    md = tmp_path / "out" / "report_sv.md"
    md.write_text("# Figurer\n\n![En figur](../figures/f.png){width=60%}\n", encoding="utf-8")
    raster = render_report(md, formats=["pdf"], lang="sv")["pdf"]
    assert _image_count(raster) == 1  # the PNG
    vector = render_report(md, formats=["pdf"], lang="sv", vector={png: svg})["pdf"]
    assert _image_count(vector) == 0  # the SVG's paths instead
    assert "En figur" in pdf_text(vector)
