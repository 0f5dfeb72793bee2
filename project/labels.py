"""Texts in Swedish and English, and how labels seen in exports are matched."""

from __future__ import annotations

import re
import unicodedata
from typing import overload

from pydantic import BaseModel, ConfigDict, Field


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    """A text in Swedish and English."""

    sv: str = Field(description="The Swedish text.")
    en: str = Field(description="The English text.")

    def get(self, lang: str) -> str:
        return self.sv if lang == "sv" else self.en


@overload
def in_language(text: str | Labels, lang: str) -> str: ...
@overload
def in_language(text: str | Labels | None, lang: str) -> str | None: ...
def in_language(text: str | Labels | None, lang: str) -> str | None:
    """A free text of project.yaml in ``lang``: a plain string is the same in both languages,
    ``{sv, en}`` gives each its own.

    >>> in_language("Exempelfonden", "en"), in_language(Labels(sv="Fonden", en="The Fund"), "en")
    ('Exempelfonden', 'The Fund')
    """
    return text.get(lang) if isinstance(text, Labels) else text


def normalise_label(text: str, *, fold_diacritics: bool = False) -> str:
    """Normalise an answer label for matching: case, whitespace, typographic quotes and dashes.

    >>> normalise_label("  Instämmer   HELT ")
    'instämmer helt'
    >>> normalise_label("Inte relevant för ”min” roll")
    'inte relevant för "min" roll'
    >>> normalise_label("Instämmer helt", fold_diacritics=True)
    'instammer helt'
    """
    text = unicodedata.normalize("NFC", str(text))
    text = re.sub(r"[\u201c\u201d\u201e\u00ab\u00bb]", '"', text)
    text = re.sub(r"[\u2018\u2019\u201a]", "'", text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s+", " ", text).strip().casefold()
    if fold_diacritics:
        text = "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
        )
    return text
