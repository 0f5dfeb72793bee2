"""The DOCX report's page layout after pandoc: captions kept with their tables and figures, wide
tables on landscape pages.

- A table's caption (above it, style "Table Caption") and a figure's image (above its caption,
  style "Captioned Figure") are set *keep with next* in ``styles.xml``, whatever the Word template
  says, so Word never leaves a caption at the foot of a page and its table or figure on the next.
- A wide table comes between two marker paragraphs (:data:`reports.writer.LANDSCAPE_STYLES`,
  written by :func:`reports.writer.pipe_table`). Each marker is made a section break: the one
  before ends a portrait section, the one after a landscape one, both with the page setup,
  headers and footers of the document's own last section (the Word template's), so the page
  numbers run on and a project's template keeps its margins.

The file is rewritten in place with every zip member's name, order and time stamp kept, so the
same report still gives the same bytes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from reports.writer import LANDSCAPE_STYLES, temporary_path
from reports.zips import rewrite_zip

KEEP_WITH_NEXT = ("TableCaption", "CaptionedFigure")
"""The paragraph styles (pandoc's) kept on one page with the paragraph or table after them."""
_A4 = ("11906", "16838")


def finish_docx(path: Path) -> Path:
    """Apply the caption and landscape rules to the DOCX at ``path`` (rewritten in place)."""
    path = Path(path)
    tmp = temporary_path(path)
    try:
        rewrite_zip(path, tmp, _finish_part)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _finish_part(name: str, data: bytes) -> bytes:
    if name == "word/styles.xml":
        return keep_captions(data.decode("utf-8")).encode("utf-8")
    if name == "word/document.xml":
        return landscape_sections(data.decode("utf-8")).encode("utf-8")
    return data


def keep_captions(styles: str) -> str:
    """``styles.xml`` with *keep with next* on the styles of :data:`KEEP_WITH_NEXT`."""
    for style_id in KEEP_WITH_NEXT:
        pattern = re.compile(rf'<w:style\b[^>]*w:styleId="{style_id}"[^>]*>.*?</w:style>', re.S)
        styles = pattern.sub(lambda m: _keep_next(m.group(0)), styles)
    return styles


def _keep_next(style: str) -> str:
    style = re.sub(r"<w:keepNext\b[^>]*/>", "", style)
    if re.search(r"<w:pPr\s*/>", style):
        return re.sub(r"<w:pPr\s*/>", "<w:pPr><w:keepNext/></w:pPr>", style, count=1)
    if "<w:pPr>" in style or "<w:pPr " in style:
        return re.sub(r"(<w:pPr\b[^>]*>)", r"\1<w:keepNext/>", style, count=1)
    at = style.find("<w:rPr")
    at = at if at >= 0 else style.rfind("</w:style>")
    return style[:at] + "<w:pPr><w:keepNext/></w:pPr>" + style[at:]


def _marker(style: str) -> re.Pattern[str]:
    return re.compile(rf'<w:p>\s*<w:pPr>\s*<w:pStyle w:val="{style}"\s*/>\s*</w:pPr>\s*</w:p>')


def landscape_sections(document: str) -> str:
    """``document.xml`` with each wide table's marker paragraphs made section breaks."""
    begin, end = (_marker(s) for s in LANDSCAPE_STYLES)
    if not begin.search(document):
        return document
    start = document.rfind("<w:sectPr")
    stop = document.find("</w:sectPr>", start) + len("</w:sectPr>")
    last = document[start:stop]
    later = _not_first(last)
    portrait = _section_break(last)
    landscape = _section_break(_landscape(later))
    first, *rest = begin.split(document[:start])
    breaks = [portrait] + [_section_break(later)] * (len(rest) - 1)
    body = first + "".join(b + part for b, part in zip(breaks, rest, strict=True))
    body = end.sub(lambda _m: landscape, body)
    return body + later + document[stop:]


def _section_break(section: str) -> str:
    return f"<w:p><w:pPr>{section}</w:pPr></w:p>"


def _not_first(section: str) -> str:
    """A section that is not the document's first: no title page of its own, no restart of the
    page numbers."""
    section = re.sub(r"<w:titlePg\b[^>]*/>", "", section)
    return re.sub(r'(<w:pgNumType\b[^>]*?)\s+w:start="\d+"', r"\1", section)


def _landscape(section: str) -> str:
    size = re.search(r"<w:pgSz\b[^>]*/>", section)
    width, height = _A4
    if size:
        width = _attr(size.group(0), "w") or width
        height = _attr(size.group(0), "h") or height
    short, long = sorted((width, height), key=int)
    page = f'<w:pgSz w:w="{long}" w:h="{short}" w:orient="landscape"/>'
    if size:
        return section[: size.start()] + page + section[size.end() :]
    at = section.find("<w:pgMar")
    at = at if at >= 0 else section.rfind("</w:sectPr>")
    return section[:at] + page + section[at:]


def _attr(element: str, name: str) -> str | None:
    found = re.search(rf'\bw:{name}="(\d+)"', element)
    return found.group(1) if found else None
