"""Data text versus report Markdown: the one rule for every string that reaches the report.

A string is **data** unless it is a :class:`Markdown`: labels, quotes, codes, group and
organisation names, document names, units and waves (whether from project.yaml or from the
results) are plain ``str`` and are escaped by :func:`escape` wherever they enter the Markdown.
What the report itself writes (``strings.yaml`` through :class:`reports.strings.Strings`, which
returns :class:`Markdown` with every placeholder escaped) is Markdown and passes as it is.

The writer (:mod:`reports.writer`) applies the rule to every block: headings, text, quotes and
their sources, captions, table headers, cells and notes go through :func:`as_markdown`. So a
label such as ``<script>``, ``@z`` or ``$x$`` reaches HTML, typst and DOCX as those characters,
never as raw HTML, a citation or maths. The rule lives in this leaf module (no imports from the
package) so that :mod:`reports.strings` can use it without an import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import SupportsIndex

# Every ASCII mark pandoc's Markdown gives a meaning to (emphasis, code, links, images, raw HTML
# and entities, maths, citations, headings, tables, spans and attributes, sub/superscripts,
# strike-out, smart quotes). Pandoc's Markdown lets a backslash escape any ASCII punctuation, and
# an escaped mark is a plain character in every output format.
_MARKS = re.compile(r"([\\`*_{}\[\]<>#|$@~^&!\"'])")
# A line start that would open a list ("- ", "1. ", "1) ") or a definition (": ").
_LINE_START = re.compile(r"^(\s*\d*)([-+:.)])(?=\s|$)")


class Markdown(str):
    """Text that is already Markdown (the report's own words, or data escaped into them).

    Composition keeps the rule: ``+``, :meth:`join` and :meth:`format` escape whatever is not
    itself :class:`Markdown`.

    >>> Markdown("**{}**").format("a*b")
    '**a\\\\*b**'
    >>> Markdown("; ").join(["<x>", Markdown("*y*")])
    '\\\\<x\\\\>; *y*'
    """

    __slots__ = ()

    def __add__(self, other: str) -> Markdown:
        return Markdown(str.__add__(self, as_markdown(other)))

    def __radd__(self, other: str) -> Markdown:
        return Markdown(str.__add__(as_markdown(other), self))

    def join(self, parts: Iterable[str]) -> Markdown:
        return Markdown(str.join(self, (as_markdown(p) for p in parts)))

    def format(self, *args: object, **kwargs: object) -> Markdown:
        return Markdown(
            str.format(
                self,
                *(as_markdown(a) for a in args),
                **{k: as_markdown(v) for k, v in kwargs.items()},
            )
        )

    def lower(self) -> Markdown:
        return Markdown(str.lower(self))

    def strip(self, chars: str | None = None) -> Markdown:
        return Markdown(str.strip(self, chars))

    def __getitem__(self, key: SupportsIndex | slice) -> str:
        return str.__getitem__(self, key)


def escape(text: object) -> Markdown:
    """A data string made safe for the report's Markdown: one line, every Markdown mark escaped.

    >>> escape("a|b *c*\\nd")
    'a\\\\|b \\\\*c\\\\* d'
    >>> escape("<img src=http://x> @z $x$ # 1")
    '\\\\<img src=http://x\\\\> \\\\@z \\\\$x\\\\$ \\\\# 1'
    >>> escape("- not a list"), escape("1. nor this")
    ('\\\\- not a list', '1\\\\. nor this')
    """
    line = " ".join(str(text).splitlines())
    return Markdown(_LINE_START.sub(r"\1\\\2", _MARKS.sub(r"\\\1", line)))


def as_markdown(text: object) -> Markdown:
    """``text`` as it goes into the Markdown: unchanged if it is :class:`Markdown`, else escaped."""
    return text if isinstance(text, Markdown) else escape(text)
