"""What of one language's headings, captions and table headers a report in the other must not
hold: read from reports/templates/strings.yaml, so a heading added there is checked too."""

from __future__ import annotations

import html
import re
import zipfile
from functools import cache
from pathlib import Path

import yaml
from pypdf import PdfReader

from reports.strings import STRINGS_FILE

_TITLES = ("heading", "caption", "figure", "title", "appendix", "contents")
"""A key whose last part holds one of these is a heading or caption (figure: a figure caption)."""


def _flat(node: object, prefix: str = "") -> dict[str, str]:
    if isinstance(node, dict):
        out: dict[str, str] = {}
        for key, value in node.items():
            out |= _flat(value, f"{prefix}{key}.")
        return out
    return {prefix[:-1]: node} if isinstance(node, str) else {}


def _is_title(key: str) -> bool:
    parts = key.split(".")
    return (
        parts[0] == "sections"
        or "headers" in parts[:-1]
        or any(word in parts[-1] for word in _TITLES)
    )


@cache
def foreign_fragments(lang: str) -> tuple[str, ...]:
    """Literal pieces (two words or more, at least 10 characters) of every heading, caption and
    table header of the language other than ``lang`` (those the same in both languages, such as
    "Kruskal–Wallis p", left out)."""
    strings = yaml.safe_load(STRINGS_FILE.read_text(encoding="utf-8"))
    other = "en" if lang == "sv" else "sv"
    theirs, ours = _flat(strings[other]), _flat(strings[lang])
    found: set[str] = set()
    for key, text in theirs.items():
        if not _is_title(key) or ours.get(key) == text:
            continue
        for piece in re.split(r"\{[^}]*\}|[*_`()\[\]:;,.]", text):
            piece = " ".join(piece.split())
            if len(piece) >= 10 and " " in piece:
                found.add(piece)
    return tuple(sorted(found))


def left_in(text: str, lang: str) -> list[str]:
    """The other language's fragments found as whole words in ``text``, a report in ``lang``
    (whitespace and hyphenation at line ends evened out, as text extraction leaves them)."""
    flat = " ".join(re.sub(r"-\n", "", text).split())
    return [f for f in foreign_fragments(lang) if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", flat)]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def html_text(path: Path) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", document))
