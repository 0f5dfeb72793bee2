"""Read coded segments from a QDA tool: CSV/XLSX exports through profiles, or a REFI-QDA ``.qdpx``.

Both paths give the same long table, :data:`SEGMENT_COLUMNS`, one row per *coding* (one code
applied to one segment by one coder), with the raw values as the tool wrote them: document
name, code path, segment text, coder name. Nothing is mapped, redacted or pseudonymised here;
:mod:`ingest.codings` does that before anything is stored.

Row numbers (``source_row``) are those a person can find: the spreadsheet row for CSV/XLSX (header
= row 1; an ATLAS.ti quotation with three codes gives three codings with the same row), and the
coding's number in document order for ``.qdpx``.

REFI-QDA projects (``.qdpx``) are read by :mod:`ingest.qdpx` (streaming, with archive limits)
into the same table.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.read import read_table
from project.codebook import PATH_SEPARATOR, canonical_path
from project.errors import CodingsDataError, ConfigError, PipelineError, format_pydantic_error
from project.labels import normalise_label

PROFILES_DIR = Path(__file__).resolve().parent / "profiles" / "qda"

SEGMENT_COLUMNS = (
    "source_row",
    "document",
    "document_group",
    "round_value",
    "code_path",
    "text",
    "coder",
    "start",
    "end",
    "speaker",
    "segment_ref",
)

GROUP_VARIABLES = (
    "stakeholder group",
    "intressentgrupp",
    "document group",
    "dokumentgrupp",
    "group",
    "grupp",
)
ROUND_VARIABLES = ("round", "omgång", "datainsamlingsomgång", "wave")


class CodingProfile(BaseModel):
    """How one QDA tool's coded-segment export is laid out (``codings/profiles/<id>.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    tool: str
    description: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    code_separators: tuple[str, ...] = ("\\",)
    multi_code_separator: str | None = None
    drop_roots: tuple[str, ...] = ()
    position_unit: str = Field(default="paragraph", pattern="^(paragraph|character)$")

    def match(self, headers: list[str]) -> dict[str, str]:
        """Role → the header that fills it (first accepted spelling present)."""
        by_norm = {normalise_label(h): h for h in headers}
        found: dict[str, str] = {}
        for role, spellings in self.columns.items():
            for s in spellings:
                if normalise_label(s) in by_norm:
                    found[role] = by_norm[normalise_label(s)]
                    break
        return found


def profile_ids() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


@cache
def load_coding_profile(profile_id: str) -> CodingProfile:
    """A bundled export profile by id (``maxqda``, ``nvivo``, ``atlasti``)."""
    path = PROFILES_DIR / f"{profile_id}.yaml"
    if not path.is_file():
        raise ConfigError(
            f"codings profile {profile_id!r} does not exist. Expected one of "
            f"{', '.join(profile_ids())}. Hint: check --profile, or leave it out to detect the "
            f"layout from the headers."
        )
    try:
        return CodingProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise ConfigError(format_pydantic_error(path.name, exc)) from exc


@dataclass(frozen=True)
class CodedSegments:
    """What was read: the codings, how, and rows with unreadable positions."""

    frame: pd.DataFrame  # SEGMENT_COLUMNS
    tool: str
    profile: str
    rows: int  # source rows (file rows, or codings in a .qdpx)
    problems: list[dict] = field(default_factory=list)


def is_qdpx(path: Path) -> bool:
    """A REFI-QDA project: a zip holding ``project.qde``."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        return any(n.lower().endswith(".qde") for n in zf.namelist())


def read_codings(path: Path, *, profile: str | None = None, display_name: str | None = None):
    """Read a ``.qdpx`` or a CSV/XLSX coded-segment export.

    Parameters
    ----------
    path
        The file.
    profile
        A profile id for CSV/XLSX; ``None`` detects it from the headers.
    display_name
        The name used in messages (the user's file name).

    Returns
    -------
    CodedSegments

    Raises
    ------
    CodingsDataError, ConfigError
        When the file cannot be read or its layout is not recognised.
    """
    path = Path(path)
    name = display_name or path.name
    suffix = path.suffix.lower()
    if suffix == ".qdpx" or (suffix not in (".csv", ".xlsx", ".tsv", ".txt") and is_qdpx(path)):
        from ingest.qdpx import read_qdpx

        return read_qdpx(path, display_name=name)
    try:
        table = read_table(path, display_name=name, what="coded segments")
    except PipelineError as exc:
        raise CodingsDataError(str(exc).replace("survey", "coded segments")) from exc
    headers = [str(c) for c in table.columns]
    prof = load_coding_profile(profile) if profile else detect_profile(headers, name)
    return read_export(table, prof, display_name=name)


def detect_profile(headers: list[str], name: str) -> CodingProfile:
    """The profile whose required columns are all present (most matched columns wins)."""
    scored = []
    for pid in profile_ids():
        prof = load_coding_profile(pid)
        found = prof.match(headers)
        if all(r in found for r in prof.required):
            scored.append((len(found), pid, prof))
    if not scored:
        profiles = [load_coding_profile(pid) for pid in profile_ids()]
        expected = "; ".join(
            f"{p.id}: " + ", ".join(p.columns[r][0] for r in p.required) for p in profiles
        )
        raise CodingsDataError(
            f"{name}: the columns are not those of a known coded-segment export. Expected "
            f"({expected}); found {', '.join(headers[:8])}. Hint: export the coded segments "
            f"again, or name the layout with --profile."
        )
    scored.sort(key=lambda t: (-t[0], t[1]))
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        raise CodingsDataError(
            f"{name}: the headers fit the {scored[0][1]} and {scored[1][1]} layouts equally. "
            f"Hint: name the layout with --profile."
        )
    return scored[0][2]


def _path_from_tool(raw: str, prof: CodingProfile) -> str:
    text = str(raw)
    for sep in sorted(prof.code_separators, key=len, reverse=True):
        text = text.replace(sep, PATH_SEPARATOR)
    path = canonical_path(text)
    parts = path.split(PATH_SEPARATOR)
    roots = {normalise_label(r) for r in prof.drop_roots}
    while len(parts) > 1 and normalise_label(parts[0]) in roots:
        parts = parts[1:]
    return PATH_SEPARATOR.join(parts)


def _cell(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | str | None:
    """A position as float; None when empty; the raw text when unreadable."""
    text = _cell(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return text


_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:[-–—]\s*(\d+(?:[.,]\d+)?))?\s*$")


def read_export(table: pd.DataFrame, prof: CodingProfile, *, display_name: str) -> CodedSegments:
    """Turn a tool export (as from :func:`ingest.read.read_table`) into :data:`SEGMENT_COLUMNS`."""
    found = prof.match([str(c) for c in table.columns])
    missing = [r for r in prof.required if r not in found]
    if missing:
        raise CodingsDataError(
            f"{display_name}: the {prof.tool} layout needs the columns "
            + ", ".join(f"{r} ({prof.columns[r][0]})" for r in missing)
            + f"; found {', '.join(map(str, table.columns[:10]))}. Hint: include them in the "
            f"export, or choose another --profile."
        )
    rows: list[dict] = []
    problems: list[dict] = []

    def get(row: dict, role: str) -> Any:
        return row[found[role]] if role in found else None

    records = table.to_dict("records")
    for source_row, row in zip(table.index, records, strict=True):
        r = int(source_row)
        start: float | str | None = _number(get(row, "start"))
        end: float | str | None = _number(get(row, "end"))
        if "length" in found and end is None and isinstance(start, float):
            length = _number(get(row, "length"))
            end = start + length if isinstance(length, float) else length
        if "reference" in found:
            ref = _cell(get(row, "reference"))
            m = _RANGE.match(ref or "") if ref else None
            if m:
                start = float(m.group(1).replace(",", "."))
                end = float((m.group(2) or m.group(1)).replace(",", "."))
            elif ref:
                start = end = None  # e.g. media time codes: no text position
        bad = [(c, v) for c, v in (("start", start), ("end", end)) if isinstance(v, str)]
        for column, _ in bad:
            problems.append(
                {
                    "source_row": r,
                    "column": found.get(column, column),
                    "rule": "bad_position",
                    "detail": f"{column} is not a number",
                }
            )
        start_f = start if isinstance(start, float) else None
        end_f = end if isinstance(end, float) else None
        codes_cell = _cell(get(row, "code"))
        codes = (
            [c for c in (codes_cell or "").split(prof.multi_code_separator) if c.strip()]
            if prof.multi_code_separator
            else [codes_cell]
        ) or [None]
        for code in codes:
            rows.append(
                {
                    "source_row": r,
                    "document": _cell(get(row, "document")),
                    "document_group": _cell(get(row, "document_group")),
                    "round_value": _cell(get(row, "round")),
                    "code_path": _path_from_tool(code, prof) if code else None,
                    "text": _cell(get(row, "text")),
                    "coder": _cell(get(row, "coder")),
                    "start": start_f,
                    "end": end_f,
                    "speaker": _cell(get(row, "speaker")),
                    "segment_ref": _cell(get(row, "segment_ref")),
                }
            )
    frame = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))
    frame["start"] = frame["start"].astype("float64")
    frame["end"] = frame["end"].astype("float64")
    return CodedSegments(frame, prof.tool, prof.id, len(table), problems)


# -- REFI-QDA (read in ingest/qdpx.py) ---------------------------------------------------------
def source_variables(
    src: ET.Element, variables: dict[str | None, str], q: Callable[[str], str]
) -> tuple[str | None, str | None]:
    """A source's stakeholder group and round, from its variable values."""
    group = round_value = None
    for vv in src.findall(q("VariableValue")):
        ref = vv.find(q("VariableRef"))
        var = variables.get(ref.get("targetGUID")) if ref is not None else None
        value = next((c.text for c in vv if c.tag != q("VariableRef")), None)
        if var in GROUP_VARIABLES:
            group = _cell(value)
        elif var in ROUND_VARIABLES:
            round_value = _cell(value)
    return group, round_value


@dataclass
class QdpxRows:
    """The codings read so far, numbered in document order."""

    users: dict[str | None, str | None]
    paths: dict[str | None, str]
    rows: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    def add_selection(
        self, sel: ET.Element, base: dict, text: str | None, q: Callable[[str], str]
    ) -> None:
        """One coded selection of a source: one row per coding of it."""
        try:
            start = float(sel.get("startPosition", ""))
            end = float(sel.get("endPosition", ""))
        except ValueError:
            start = end = float("nan")
        known = text is not None and start == start and end == end
        segment = text[int(start) : int(end)] if known and text is not None else sel.get("name")
        for coding in sel.findall(q("Coding")):
            n = len(self.rows) + 1
            if start != start:
                self.problems.append(
                    {
                        "source_row": n,
                        "column": "startPosition",
                        "rule": "bad_position",
                        "detail": "startPosition/endPosition is not a number",
                    }
                )
            ref = coding.find(q("CodeRef"))
            guid = ref.get("targetGUID") if ref is not None else None
            user = coding.get("creatingUser") or sel.get("creatingUser")
            self.rows.append(
                base
                | {
                    "source_row": n,
                    "code_path": self.paths.get(guid),
                    "text": _cell(segment),
                    "coder": _cell(self.users.get(user, user)),
                    "start": start,
                    "end": end,
                    "segment_ref": sel.get("guid"),
                }
            )
