"""The Word template a DOCX report takes its styles, page size, margins, headers and footers from.

A project names its own (``report.docx_template``: the funder's or the evaluator's .docx). Without
one the report uses :func:`default_reference_doc`: pandoc's own reference document made A4 with
2.5 cm margins and a footer that numbers the pages ("3 (24)"), written once per render into a
temporary folder. pandoc copies a reference document's styles, its last section's page setup and
its headers and footers into the report.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from project.errors import RenderError
from reports.zips import rewrite_zip

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FOOTER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_FOOTER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
A4 = '<w:pgSz w:w="11906" w:h="16838"/>'
"""A4 in twentieths of a point (210 × 297 mm)."""
MARGINS = (
    '<w:pgMar w:top="1418" w:right="1304" w:bottom="1418" w:left="1304" '
    'w:header="709" w:footer="709" w:gutter="0"/>'
)


def _field(instruction: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


FOOTER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:ftr xmlns:w="{_W}" xmlns:r="{_R}"><w:p><w:pPr><w:pStyle w:val="Footer"/>'
    f'<w:jc w:val="center"/></w:pPr>{_field("PAGE")}'
    f'<w:r><w:t xml:space="preserve"> (</w:t></w:r>{_field("NUMPAGES")}'
    "<w:r><w:t>)</w:t></w:r></w:p></w:ftr>"
)


def _pandoc_reference() -> bytes:
    """pandoc's own reference.docx."""
    try:
        import pypandoc

        pandoc = pypandoc.get_pandoc_path()
        return subprocess.run(
            [pandoc, "--print-default-data-file", "reference.docx"],
            check=True,
            capture_output=True,
        ).stdout
    except (ImportError, OSError, subprocess.CalledProcessError) as exc:
        raise RenderError(
            f"pandoc: could not read its reference.docx ({exc}). Hint: reinstall impleval's "
            f"dependencies (pypandoc-binary ships pandoc)."
        ) from exc


def _section(document: str) -> str:
    """The body's last section properties made A4 with margins and the page-number footer."""
    last = document.rfind("<w:sectPr")
    end = document.rfind("</w:sectPr>")
    inner = re.sub(r"<w:(pgSz|pgMar|footerReference)\b[^>]*/>", "", document[last:end])
    inner = re.sub(r"^<w:sectPr[^>]*>", "", inner)
    section = (
        f'<w:sectPr><w:footerReference w:type="default" r:id="rIdImplevalFooter"/>'
        f"{inner}{A4}{MARGINS}</w:sectPr>"
    )
    head = document[:last]
    if 'xmlns:r="' not in head[: head.find(">", head.find("<w:document")) + 1]:
        head = head.replace("<w:document ", f'<w:document xmlns:r="{_R}" ', 1)
    return head + section + document[end + len("</w:sectPr>") :]


def default_reference_doc(target: Path) -> Path:
    """Write the default reference document (A4, margins, page numbers) to ``target``."""
    source = _pandoc_reference()
    target = Path(target)
    tmp = target.with_suffix(".src.docx")
    tmp.write_bytes(source)

    def part(name: str, data: bytes) -> bytes:
        if name == "word/document.xml":
            return _section(data.decode("utf-8")).encode("utf-8")
        if name == "word/_rels/document.xml.rels":
            rel = (
                f'<Relationship Id="rIdImplevalFooter" Type="{_FOOTER_TYPE}" '
                f'Target="footer1.xml"/></Relationships>'
            )
            return data.decode("utf-8").replace("</Relationships>", rel).encode("utf-8")
        if name == "[Content_Types].xml":
            over = f'<Override PartName="/word/footer1.xml" ContentType="{_FOOTER_CONTENT}"/>'
            return data.decode("utf-8").replace("</Types>", over + "</Types>").encode("utf-8")
        return data

    # the footer gets a fixed time stamp: pandoc copies the part with its time, and the report
    # must repeat
    rewrite_zip(tmp, target, part, add={"word/footer1.xml": FOOTER.encode("utf-8")})
    tmp.unlink()
    return target
