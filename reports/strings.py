"""The report's own texts (headings, captions, generated sentences) in Swedish and English.

They live in ``reports/templates/strings.yaml``; this module only reads them and fills placeholders.
The texts are Markdown; a placeholder's value is data and is escaped unless it is already
:class:`reports.escaping.Markdown` (see :mod:`reports.escaping`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from reports.escaping import Markdown

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STRINGS_FILE = TEMPLATES_DIR / "strings.yaml"
LANGUAGES = ("sv", "en")


@cache
def _all_strings() -> dict[str, Any]:
    return yaml.safe_load(STRINGS_FILE.read_text(encoding="utf-8"))


class Strings:
    """Look-ups into one language's strings: ``s("survey.heading", instrument="NoMAD")``."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
        self.lang = lang
        self._data: dict[str, Any] = _all_strings()[lang]

    def raw(self, key: str) -> Any:
        node: Any = self._data
        for part in key.split("."):
            node = node[part]
        return node

    def __call__(self, key: str, **values: object) -> Markdown:
        """The text ``key`` with its placeholders filled; values that are not Markdown are
        escaped (labels, quotes, numbers: data)."""
        text = self.raw(key)
        if not isinstance(text, str):
            raise TypeError(f"strings.yaml: {self.lang}.{key} is not a text")
        return Markdown(text).format(**values) if values else Markdown(text)

    def get(self, key: str, default: str) -> str:
        try:
            return self(key)
        except (KeyError, TypeError):
            return default


def report_strings(lang: str) -> Strings:
    """The strings of one language (``"sv"`` or ``"en"``)."""
    return Strings(lang)
