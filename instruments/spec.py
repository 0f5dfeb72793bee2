"""Instrument specifications: an instrument is data (``instruments/<id>/instrument.yaml``), read here.

The spec says which items an instrument has, which response set each item uses (codes with sv/en
labels, and "not applicable" options kept apart from scored answers), which items are reverse-keyed,
and how items form scales (mean or sum, and how many answers a score needs). Scoring and validation
are generated from it; no instrument is hard-coded anywhere else.

Canonical codes: for an ordinal response set the codes are declared in the spec and higher codes mean
more of the attribute (for NoMAD: 5 = strongly agree). How a particular export codes its answers is a
property of the export, not of the instrument, and is mapped at ingest.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from project.errors import InstrumentSpecError, format_pydantic_error

BUILTIN_DIR = Path(__file__).resolve().parent
_ID = r"^[a-z][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_Strict):
    """A text in Swedish and English."""

    sv: str
    en: str

    def get(self, lang: str) -> str:
        return self.sv if lang == "sv" else self.en


class ResponseOption(_Strict):
    """One scored answer: its canonical code and its labels."""

    code: int
    labels: Labels
    accept: tuple[str, ...] = Field(
        default=(), description="Further spellings of this answer seen in exports."
    )


class NotApplicableOption(_Strict):
    """An answer that is kept apart from scored answers (e.g. "not relevant to my role")."""

    key: str = Field(pattern=_ID)
    labels: Labels
    accept: tuple[str, ...] = ()


class ResponseSet(_Strict):
    """The answers an item can take."""

    type: Literal["ordinal", "numeric"]
    options: tuple[ResponseOption, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = True
    not_applicable: tuple[NotApplicableOption, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> ResponseSet:
        if self.type == "ordinal":
            if len(self.options) < 2:
                raise ValueError("an ordinal response set needs at least two options")
            codes = [o.code for o in self.options]
            if len(set(codes)) != len(codes):
                raise ValueError(f"option codes must be unique; found {codes}")
        else:
            if self.min is None or self.max is None or self.min >= self.max:
                raise ValueError("a numeric response set needs min < max")
            if self.options:
                raise ValueError("a numeric response set has min/max, not options")
        keys = [n.key for n in self.not_applicable]
        if len(set(keys)) != len(keys):
            raise ValueError(f"not_applicable keys must be unique; found {keys}")
        return self

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options)

    @property
    def low(self) -> float:
        return float(min(self.codes)) if self.type == "ordinal" else float(self.min)  # type: ignore[arg-type]

    @property
    def high(self) -> float:
        return float(max(self.codes)) if self.type == "ordinal" else float(self.max)  # type: ignore[arg-type]


class Item(_Strict):
    """One question."""

    id: str = Field(pattern=_ID)
    source_code: str = Field(description="The item's code in the instrument's own numbering.")
    label: Labels = Field(description="A short label in our own words, not the item's wording.")
    response_set: str
    reverse: bool = False
    npt_construct: str | None = None
    npt_subconstruct: str | None = None


class Scale(_Strict):
    """Items that are scored together."""

    id: str = Field(pattern=_ID)
    label: Labels
    items: tuple[str, ...]
    method: Literal["mean", "sum"] = "mean"
    min_answered: int | None = Field(default=None, ge=1)
    min_answered_share: float | None = Field(default=None, gt=0, le=1)

    def required_answers(self) -> int:
        """The number of answered items a respondent needs for a score on this scale."""
        k = len(self.items)
        if self.method == "sum":
            return k  # a sum over fewer items is not comparable
        if self.min_answered is not None:
            return self.min_answered
        if self.min_answered_share is not None:
            return max(1, math.ceil(round(self.min_answered_share * k, 9)))
        return k


class InstrumentSpec(_Strict):
    """An instrument: items, response sets, scales and the scoring decisions behind them."""

    id: str = Field(pattern=_ID)
    version: str
    name: Labels
    citation: str
    languages: tuple[Literal["sv", "en"], ...] = ("sv", "en")
    response_sets: dict[str, ResponseSet]
    items: tuple[Item, ...]
    scales: tuple[Scale, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_references(self) -> InstrumentSpec:
        ids = [i.id for i in self.items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"item ids must be unique; repeated: {', '.join(dup)}")
        known_sets = sorted(self.response_sets)
        by_id = {i.id: i for i in self.items}
        for item in self.items:
            if item.response_set not in self.response_sets:
                raise ValueError(
                    f"item {item.id}: response_set {item.response_set!r} is not defined. "
                    f"Expected one of {', '.join(known_sets)}"
                )
            if item.reverse and self.response_sets[item.response_set].type != "ordinal":
                raise ValueError(f"item {item.id}: only items on an ordinal set can be reversed")
        scale_ids = [s.id for s in self.scales]
        if len(set(scale_ids)) != len(scale_ids):
            raise ValueError("scale ids must be unique")
        for scale in self.scales:
            missing = [i for i in scale.items if i not in by_id]
            if missing:
                raise ValueError(f"scale {scale.id}: unknown items {', '.join(missing)}")
            if scale.min_answered is not None and scale.min_answered > len(scale.items):
                raise ValueError(
                    f"scale {scale.id}: min_answered {scale.min_answered} is more than its "
                    f"{len(scale.items)} items"
                )
            sets = {by_id[i].response_set for i in scale.items}
            if len(sets) > 1:
                raise ValueError(
                    f"scale {scale.id}: items use different response sets {sorted(sets)}"
                )
        return self

    # -- look-ups -------------------------------------------------------------------------------
    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def column(self, item_id: str) -> str:
        """The canonical column name of an item, ``<instrument>_<item>``."""
        return f"{self.id.replace('-', '_')}_{item_id}"

    @property
    def columns(self) -> list[str]:
        return [self.column(i.id) for i in self.items]

    def response_set_of(self, item_id: str) -> ResponseSet:
        return self.response_sets[self.item(item_id).response_set]

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)


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


def _spec_path(instrument_id: str, search: tuple[Path, ...]) -> Path:
    for base in search:
        candidate = base / instrument_id / "instrument.yaml"
        if candidate.is_file():
            return candidate
    known = sorted({p.parent.name for base in search for p in base.glob("*/instrument.yaml")})
    raise InstrumentSpecError(
        f"instrument {instrument_id!r}: no instrument.yaml found. Expected one of "
        f"{', '.join(known) or '(none)'}. Hint: check the instrument id, or add "
        f"instruments/{instrument_id}/instrument.yaml to the project folder."
    )


def load_instrument(instrument_id: str, *, project_dir: Path | None = None) -> InstrumentSpec:
    """Load an instrument spec by id; a project's own ``instruments/<id>/`` overrides a built-in.

    Raises
    ------
    InstrumentSpecError
        When no spec exists or it is malformed; the message names the file and the key.
    """
    search = ((project_dir / "instruments",) if project_dir else ()) + (BUILTIN_DIR,)
    return load_instrument_file(_spec_path(instrument_id, search))


@cache
def _load_cached(path: Path, mtime_ns: int) -> InstrumentSpec:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InstrumentSpecError(f"{path.name}{where}: not valid YAML ({exc}).") from exc
    if not isinstance(raw, dict):
        raise InstrumentSpecError(f"{path}: expected a mapping of keys at the top level.")
    try:
        spec = InstrumentSpec.model_validate(raw)
    except ValidationError as exc:
        raise InstrumentSpecError(
            format_pydantic_error(f"{path.parent.name}/{path.name}", exc)
        ) from exc
    if spec.id != path.parent.name:
        raise InstrumentSpecError(
            f"{path.parent.name}/{path.name}: id is {spec.id!r} but the folder is "
            f"{path.parent.name!r}. Hint: make them the same."
        )
    return spec


def load_instrument_file(path: Path) -> InstrumentSpec:
    """Load and check one ``instrument.yaml``."""
    path = path.resolve()
    return _load_cached(path, path.stat().st_mtime_ns)
