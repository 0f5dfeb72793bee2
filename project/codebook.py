"""The codebook as data: the built-in NPT constructs and sub-constructs, plus a project's own codes.

The NPT part lives in ``npt_codebook.yaml`` beside this module (labels in sv/en, short definitions
in our own words, the coding manual cited). A project adds its own hierarchical codes in
``project.yaml`` (``interviews.project_codes``); a project code may name the NPT construct it
belongs to.

:func:`map_code_path` turns the code path a QDA tool exports (``NPT > Begriplighet >
Differentiering``, ``Codes\\Coherence\\CODI``) into a codebook code: first the project's explicit
``code_map``, then (``auto_map``) the path's parts from the leaf upwards matched against codebook
ids, short codes and labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

from project.labels import Labels, normalise_label

if TYPE_CHECKING:
    import pandas as pd

    from project.interviews import InterviewsConfig, ProjectCode

# The NPT codebook is data, kept beside the instrument specs; no instrument.yaml, so it is never
# taken for a survey instrument.
NPT_FILE = Path(__file__).resolve().parents[1] / "instruments" / "npt-codebook" / "codebook.yaml"
PATH_SEPARATOR = " > "
"""How a tool's code path is written once read (parts joined)."""

_SPLIT = re.compile(r"\s*(?:>|\\|::)\s*")

Level = Literal["construct", "sub_construct", "project"]


@dataclass(frozen=True)
class Code:
    """One code of the codebook."""

    id: str
    level: Level
    labels: Labels
    construct: str | None = None
    parent: str | None = None
    short_code: str | None = None
    definition: Labels | None = None

    def spellings(self) -> set[str]:
        words = {self.id, self.labels.sv, self.labels.en}
        if self.short_code:
            words.add(self.short_code)
        return {normalise_label(w) for w in words}


@dataclass(frozen=True)
class Codebook:
    """The codes a project codes with, in codebook order."""

    codes: tuple[Code, ...]
    source: str = ""

    def __post_init__(self) -> None:
        ids = [c.id for c in self.codes]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"codebook: code ids repeated: {', '.join(dup)}")

    def get(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def constructs(self) -> list[Code]:
        return [c for c in self.codes if c.level == "construct"]

    def children(self, code_id: str) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    def label(self, code_id: str, lang: str) -> str:
        try:
            return self.get(code_id).labels.get(lang)
        except KeyError:
            return code_id

    def lookup(self) -> dict[str, str]:
        """Normalised spelling → code id (ids, short codes, sv and en labels).

        A label with a parenthesis ("Begriplighet (coherence)") is also known without it and by the
        parenthesised word alone.
        """
        out: dict[str, str] = {}
        for c in self.codes:
            for s in sorted(c.spellings()):
                out.setdefault(s, c.id)
        for c in self.codes:
            for s in sorted(c.spellings()):
                m = re.fullmatch(r"(.+?)\s*\((.+)\)", s)
                if m:
                    out.setdefault(m.group(1).strip(), c.id)
                    out.setdefault(m.group(2).strip(), c.id)
        return out

    def frame(self) -> pd.DataFrame:
        """One row per code: ``code, level, construct, parent, short_code, label_sv, label_en,
        order``. (pandas is imported here, not at the top: loading project.yaml imports this
        module, and ``impleval run`` must answer "up to date" quickly.)"""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "code": c.id,
                    "level": c.level,
                    "construct": c.construct,
                    "parent": c.parent,
                    "short_code": c.short_code,
                    "label_sv": c.labels.sv,
                    "label_en": c.labels.en,
                    "order": i,
                }
                for i, c in enumerate(self.codes)
            ]
        )


@cache
def load_npt_codebook() -> Codebook:
    """The four NPT constructs and sixteen sub-constructs (``npt_codebook.yaml``)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster
    raw = yaml.load(NPT_FILE.read_text(encoding="utf-8"), Loader=loader)
    codes: list[Code] = []
    for con in raw["constructs"]:
        codes.append(
            Code(
                id=con["id"],
                level="construct",
                labels=Labels(**con["labels"]),
                construct=con["id"],
                short_code=con["short_code"],
                definition=Labels(**con["definition"]),
            )
        )
        for sub in con["sub_constructs"]:
            codes.append(
                Code(
                    id=sub["id"],
                    level="sub_construct",
                    labels=Labels(**sub["labels"]),
                    construct=con["id"],
                    parent=con["id"],
                    short_code=sub["short_code"],
                    definition=Labels(**sub["definition"]),
                )
            )
    return Codebook(tuple(codes), source=" ".join(str(raw["source"]).split()))


def _project_codes(
    codes: tuple[ProjectCode, ...], parent: str | None, inherited: str | None
) -> list[Code]:
    out: list[Code] = []
    for pc in codes:
        construct = pc.npt_construct or inherited
        out.append(
            Code(
                id=pc.id,
                level="project",
                labels=pc.labels,
                construct=construct,
                parent=parent,
                definition=pc.definition,
            )
        )
        out += _project_codes(pc.children, pc.id, construct)
    return out


def build_codebook(config: InterviewsConfig) -> Codebook:
    """The project's codebook: NPT (unless switched off) followed by the project's codes."""
    npt = load_npt_codebook()
    codes = list(npt.codes) if config.npt else []
    codes += _project_codes(config.project_codes, None, None)
    return Codebook(tuple(codes), source=npt.source if config.npt else "")


def split_code_path(path: str) -> list[str]:
    """The parts of a code path, whatever separator the tool used (``>``, ``\\`` or ``::``).

    >>> split_code_path("Codes\\\\NPT\\\\Begriplighet")
    ['Codes', 'NPT', 'Begriplighet']
    >>> split_code_path(" NPT >  CODI ")
    ['NPT', 'CODI']
    """
    return [p for p in (" ".join(s.split()) for s in _SPLIT.split(str(path))) if p]


def canonical_path(path: str) -> str:
    """A code path written one way: parts joined by ``" > "``."""
    return PATH_SEPARATOR.join(split_code_path(path))


def _path_key(path: str) -> str:
    return PATH_SEPARATOR.join(normalise_label(p) for p in split_code_path(path))


def code_mapper(codebook: Codebook, config: InterviewsConfig):
    """A function ``path → code id or None`` for one project (explicit map, then automatic)."""
    explicit = {_path_key(k): v for k, v in config.code_map.items()}
    spellings = codebook.lookup()
    short = {normalise_label(c.short_code): c.id for c in codebook.codes if c.short_code}

    def part_match(part: str) -> str | None:
        key = normalise_label(part)
        if key in spellings:
            return spellings[key]
        _, colon, rest = part.partition(":")  # "CO: Differentiering" (ATLAS.ti's groups)
        if colon and normalise_label(rest) in spellings:
            return spellings[normalise_label(rest)]
        # A short code leading the name ("CODI Differentiering", "CO: Begriplighet"): only in
        # capitals as written, and a two-letter construct code only with a colon after it, so that
        # names such as "Co-production" or "CA 20 min" are not taken for NPT codes.
        head = re.match(r"([A-Z]{2,4})(:|\s|$)", part.strip())
        if head and (len(head.group(1)) == 4 or head.group(2) == ":"):
            return short.get(normalise_label(head.group(1)))
        return None

    def mapper(path: str) -> str | None:
        key = _path_key(path)
        if key in explicit:
            return explicit[key]
        parts = split_code_path(path)
        # An explicit entry for a parent path maps its children too.
        for i in range(len(parts) - 1, 0, -1):
            parent = _path_key(PATH_SEPARATOR.join(parts[:i]))
            if parent in explicit:
                return explicit[parent]
        if not config.auto_map:
            return None
        for part in reversed(parts):
            found = part_match(part)
            if found:
                return found
        return None

    return mapper
