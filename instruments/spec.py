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
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from project.errors import InstrumentSpecError, format_pydantic_error
from project.labels import Labels

if TYPE_CHECKING:
    from project.config import Project

BUILTIN_DIR = Path(__file__).resolve().parent
_ID = r"^[a-z][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    range: tuple[float, float] | None = Field(
        default=None, description="The possible scores, as a check on the spec (e.g. [13, 65])."
    )

    @model_validator(mode="after")
    def _one_minimum(self) -> Scale:
        if self.min_answered is not None and self.min_answered_share is not None:
            raise ValueError(f"scale {self.id}: give min_answered or min_answered_share, not both")
        return self

    def required_answers(self) -> int:
        """The number of answered items a respondent needs for a score on this scale.

        Without a minimum every item is needed. A ``sum`` over fewer items is prorated by the
        scorer (mean of the answered items × number of items), so it stays on the full range.
        """
        k = len(self.items)
        if self.min_answered is not None:
            return self.min_answered
        if self.min_answered_share is not None:
            return max(1, math.ceil(round(self.min_answered_share * k, 9)))
        return k


class Variant(_Strict):
    """Another scale structure of the same items (e.g. a translation's factor solution)."""

    label: Labels
    source: str
    scales: tuple[Scale, ...]
    notes: tuple[str, ...] = ()


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
    variants: dict[str, Variant] = Field(default_factory=dict)
    default_variant: str | None = None
    variant: str | None = Field(
        default=None, description="Set by the loader: the variant whose scales are in use."
    )
    reverse_keys_confirmed: bool = Field(
        default=True,
        description="False when the source does not say which items are reverse-keyed; reports "
        "then say that the reverse keys are the project's decision.",
    )
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
            self._check_scale(scale, by_id)
        for name, variant in self.variants.items():
            base = self.model_dump(exclude={"variants", "default_variant", "variant"})
            try:
                InstrumentSpec.model_validate(
                    {**base, "scales": [sc.model_dump() for sc in variant.scales]}
                )
            except ValidationError as exc:
                message = exc.errors()[0]["msg"].removeprefix("Value error, ")
                raise ValueError(f"variant {name}: {message}") from None
        if self.default_variant is not None and self.default_variant not in self.variants:
            raise ValueError(
                f"default_variant {self.default_variant!r} is not among the variants "
                f"({', '.join(self.variants) or 'none'})"
            )
        return self

    def _check_scale(self, scale: Scale, by_id: dict[str, Item]) -> None:
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
            raise ValueError(f"scale {scale.id}: items use different response sets {sorted(sets)}")
        if scale.range is not None:
            rs = self.response_sets[by_id[scale.items[0]].response_set]
            k = len(scale.items) if scale.method == "sum" else 1
            expected = (rs.low * k, rs.high * k)
            if tuple(float(x) for x in scale.range) != expected:
                raise ValueError(
                    f"scale {scale.id}: range {[f'{x:g}' for x in scale.range]} does not "
                    f"match its items and method; expected [{expected[0]:g}, {expected[1]:g}]"
                )

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

    def score_range(self, scale_id: str) -> tuple[float, float]:
        """The lowest and highest possible score of a scale."""
        scale = self.scale(scale_id)
        rs = self.response_set_of(scale.items[0])
        k = len(scale.items) if scale.method == "sum" else 1
        return rs.low * k, rs.high * k

    def with_variant(self, variant: str | None) -> InstrumentSpec:
        """The spec with the scales of ``variant`` (default: ``default_variant``, if any)."""
        chosen = variant or self.default_variant
        if chosen is None:
            return self
        if chosen not in self.variants:
            raise InstrumentSpecError(
                f"instrument {self.id}: variant {chosen!r} does not exist. Expected one of "
                f"{', '.join(self.variants) or '(none)'}. Hint: check the variant in project.yaml."
            )
        return self.model_copy(update={"scales": self.variants[chosen].scales, "variant": chosen})

    def with_reverse(self, item_ids: tuple[str, ...]) -> InstrumentSpec:
        """The spec with exactly ``item_ids`` reverse-keyed (a project's scoring decision)."""
        known = {i.id for i in self.items}
        unknown = [i for i in item_ids if i not in known]
        if unknown:
            raise InstrumentSpecError(
                f"instrument {self.id}: reverse lists unknown items {', '.join(unknown)}. "
                f"Expected item ids such as {self.items[0].id}."
            )
        wrong = [i for i in item_ids if self.response_set_of(i).type != "ordinal"]
        if wrong:
            raise InstrumentSpecError(
                f"instrument {self.id}: only items on an ordinal response set can be reversed; "
                f"not {', '.join(wrong)}."
            )
        items = tuple(i.model_copy(update={"reverse": i.id in item_ids}) for i in self.items)
        return self.model_copy(update={"items": items})


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


def _search_path(project_dir: Path | None) -> tuple[Path, ...]:
    return ((Path(project_dir) / "instruments",) if project_dir else ()) + (BUILTIN_DIR,)


def load_instrument(
    instrument_id: str, *, project_dir: Path | None = None, variant: str | None = None
) -> InstrumentSpec:
    """Load an instrument spec by id; a project's own ``instruments/<id>/`` overrides a built-in.

    Parameters
    ----------
    instrument_id
        The instrument's folder name, e.g. ``nomad``.
    project_dir
        A project folder whose ``instruments/`` is searched first.
    variant
        A scale structure among the spec's ``variants`` (default: its ``default_variant``).

    Raises
    ------
    InstrumentSpecError
        When no spec exists or it is malformed; the message names the file and the key.
    """
    search = _search_path(project_dir)
    path = _spec_path(instrument_id, search)
    return load_instrument_file(path, search=search).with_variant(variant)


def _read_yaml(path: Path) -> dict:
    where = f"{path.parent.name}/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise InstrumentSpecError(
            f"{where}{line}: not valid YAML. Hint: check the indentation and quotes there."
        ) from exc
    if not isinstance(raw, dict):
        raise InstrumentSpecError(f"{where}: expected a mapping of keys (id:, items:, ...).")
    return raw


def _resolve(path: Path, search: tuple[Path, ...], seen: tuple[Path, ...] = ()) -> dict:
    """The YAML of ``path`` with ``extends: <id>`` resolved (top-level keys replace the base's)."""
    if path in seen:
        chain = " → ".join(p.parent.name for p in (*seen, path))
        raise InstrumentSpecError(f"{path.parent.name}/instrument.yaml: extends loops ({chain}).")
    raw = _read_yaml(path)
    base_id = raw.pop("extends", None)
    if base_id is None:
        return raw
    # A project-local spec may extend the built-in of the same id: skip its own folder.
    base_search = tuple(b for b in search if (b / str(base_id) / "instrument.yaml") != path)
    base = _resolve(_spec_path(str(base_id), base_search), base_search, (*seen, path))
    return {**base, **raw}


@cache
def _load_cached(path: Path, mtime_ns: int, search: tuple[Path, ...]) -> InstrumentSpec:
    raw = _resolve(path, search)
    where = f"{path.parent.name}/{path.name}"
    try:
        spec = InstrumentSpec.model_validate(raw)
    except ValidationError as exc:
        message = format_pydantic_error(where, exc, data=raw, model=InstrumentSpec)
        raise InstrumentSpecError(message) from exc
    if spec.id != path.parent.name:
        raise InstrumentSpecError(
            f"{where}: id is {spec.id!r} but the folder is {path.parent.name!r}. Hint: make them "
            f"the same."
        )
    return spec


def load_instrument_file(
    path: Path, *, search: tuple[Path, ...] = (BUILTIN_DIR,)
) -> InstrumentSpec:
    """Load and check one ``instrument.yaml`` (``extends`` resolved along ``search``)."""
    path = Path(path).resolve()
    return _load_cached(path, path.stat().st_mtime_ns, tuple(p.resolve() for p in search))


def project_instrument(project: Project, instrument_id: str, project_dir: Path) -> InstrumentSpec:
    """The instrument as this project scores it: its variant and its reverse keys applied.

    Raises
    ------
    ConfigError
        When the project does not use the instrument.
    InstrumentSpecError
        When the spec, the variant or the reverse list is wrong.
    """
    use = project.check_instrument(instrument_id)
    spec = load_instrument(instrument_id, project_dir=project_dir, variant=use.variant)
    return spec.with_reverse(use.reverse) if use.reverse is not None else spec
