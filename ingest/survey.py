"""Map a survey export to the canonical form: columns found by the export profile, answer labels to
codes, "not applicable" options kept apart, organisations and staff groups to project ids.

What cannot be mapped becomes a *problem* (row, column, rule, detail) for the quarantine; nothing is
dropped silently. Raw identifiers stay in :class:`MappedSurvey` only until :func:`pseudonymise_survey`
replaces them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from instruments.spec import InstrumentSpec, ResponseSet
from privacy.keys import ProjectKey, pseudonymise
from project.config import Project
from project.errors import ConfigError, ResponseDataError, format_pydantic_error
from project.labels import normalise_label

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
KEY_COLUMNS = ["source_row", "respondent_id", "submitted_at", "organisation", "unit", "staff_group"]
_MAX_DETAIL = 40


class ExportProfile(BaseModel):
    """How one tool's export maps to the canonical form (see ``ingest/profiles/*.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    description: str = ""
    identifier: tuple[str, ...]
    timestamp: tuple[str, ...] = ()
    organisation: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    staff_group: tuple[str, ...] = ()
    code_direction: Literal["ascending", "descending"] = "ascending"
    not_applicable_codes: dict[int, str] = Field(
        default_factory=dict,
        description="Numeric codes the export uses for not-applicable answers, e.g. {6: "
        "not_relevant_role}; keys of the instrument's not_applicable options.",
    )
    free_text: tuple[str, ...] = Field(
        default=(),
        description="Free-text columns kept for analysis; scanned for personnummer, e-mail "
        "addresses, phone numbers and roster names (privacy.free_text: redact or quarantine).",
    )
    sheet: str | None = Field(default=None, description="Workbook sheet with the answers.")
    value_labels: bool = Field(
        default=True,
        description=".sav/.dta: read labelled values as their labels (direction-free) rather "
        "than as codes.",
    )
    layout: Literal["wide", "long"] = "wide"
    item_column: tuple[str, ...] = Field(
        default=(), description="Long layout: the column naming the item (e.g. CO1)."
    )
    value_column: tuple[str, ...] = Field(
        default=(), description="Long layout: the column holding the answer."
    )

    @model_validator(mode="after")
    def _long_needs_columns(self) -> ExportProfile:
        if self.layout == "long" and not (self.item_column and self.value_column):
            raise ValueError("layout: long needs item_column and value_column")
        return self

    def header_matcher(self, spec: InstrumentSpec) -> Callable[[str], bool]:
        """Recognises this profile's column names and the spec's item columns (header finding)."""
        names = {
            _norm_header(c)
            for c in (
                *self.identifier,
                *self.timestamp,
                *self.organisation,
                *self.unit,
                *self.staff_group,
                *self.item_column,
                *self.value_column,
            )
        }
        codes = [item.source_code for item in spec.items]
        names |= {_norm_header(c) for c in codes} | {
            _norm_header(spec.column(i.id)) for i in spec.items
        }
        prefix = re.compile(
            r"^(?:" + "|".join(re.escape(c) for c in codes) + r")(?![0-9A-Za-z])", re.IGNORECASE
        )

        def matches(cell: str) -> bool:
            return _norm_header(cell) in names or bool(prefix.match(cell.strip()))

        return matches


def load_profile(name: str = "generic", *, project_dir: Path | None = None) -> ExportProfile:
    """Load an export profile by name; a project's ``profiles/<name>.yaml`` wins over a built-in."""
    candidates = ([project_dir / "profiles" / f"{name}.yaml"] if project_dir else []) + [
        PROFILE_DIR / f"{name}.yaml"
    ]
    for path in candidates:
        if path.is_file():
            try:
                return ExportProfile.model_validate(yaml.safe_load(path.read_text("utf-8")))
            except ValidationError as exc:
                raise ConfigError(format_pydantic_error(f"profiles/{path.name}", exc)) from exc
    known = sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))
    raise ConfigError(
        f"export profile {name!r} not found. Expected one of {', '.join(known)}. Hint: check "
        f"--profile, or add profiles/{name}.yaml to the project folder."
    )


@dataclass
class MappedSurvey:
    """The canonical form of one export, before validation."""

    keys: pd.DataFrame  # KEY_COLUMNS; respondent_id is the raw identifier until pseudonymised
    codes: pd.DataFrame  # one float column per item (canonical code, NaN when not scored)
    not_applicable: pd.DataFrame  # one column per item: the not-applicable key or NA
    problems: list[dict] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    pseudonymised: bool = False
    free_text: pd.DataFrame = field(default_factory=pd.DataFrame)  # profile's free_text columns

    @property
    def rows(self) -> int:
        return len(self.keys)


def _norm_header(text: str) -> str:
    return re.sub(r"[\s._-]+", "", normalise_label(text))


def _find_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    wanted = [_norm_header(c) for c in candidates]
    by_norm = {_norm_header(c): c for c in columns}
    for w in wanted:
        if w in by_norm:
            return by_norm[w]
    return None


def find_item_columns(columns: list[str], spec: InstrumentSpec) -> dict[str, str]:
    """Item id → export column: the item's code alone, ``<instrument>_<item>``, or the code first
    followed by text (``"CO1. ..."``)."""
    found: dict[str, str] = {}
    for item in spec.items:
        code = _norm_header(item.source_code)
        exact = {code, _norm_header(spec.column(item.id))}
        match = next((c for c in columns if _norm_header(c) in exact), None)
        if match is None:
            pattern = re.compile(rf"^{re.escape(item.source_code)}(?![0-9A-Za-z])", re.IGNORECASE)
            match = next((c for c in columns if pattern.match(c.replace(" ", "", 1))), None)
        if match is not None:
            found[item.id] = match
    return found


def _detail(value: object) -> str:
    text = " ".join(str(value).split())
    if len(text) > _MAX_DETAIL:
        return f"(text of {len(text)} characters)"
    return text


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _label_lookup(rs: ResponseSet) -> dict[str, tuple[str, object]]:
    lookup: dict[str, tuple[str, object]] = {}
    entries: list[tuple[list[str], tuple[str, object]]] = [
        ([o.labels.sv, o.labels.en, *o.accept], ("scored", o.code)) for o in rs.options
    ]
    entries += [([n.labels.sv, n.labels.en, *n.accept], ("na", n.key)) for n in rs.not_applicable]
    for spellings, target in entries:
        for s in spellings:
            lookup.setdefault(normalise_label(s), target)
    for spellings, target in entries:  # diacritics folded last, so an exact match always wins
        for s in spellings:
            lookup.setdefault(normalise_label(s, fold_diacritics=True), target)
    return lookup


def _map_cell(
    value: object, rs: ResponseSet, lookup: dict, flip: bool, na_codes: dict[int, str]
) -> tuple[str, object]:
    """→ ("missing", None) | ("scored", code) | ("na", key) | ("unknown", detail)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return "missing", None
    if isinstance(value, str):
        hit = lookup.get(normalise_label(value)) or lookup.get(
            normalise_label(value, fold_diacritics=True)
        )
        if hit:
            return hit
    number = _as_number(value)
    if number is None:
        return "unknown", _detail(value)
    if na_codes and number.is_integer() and int(number) in na_codes:
        return "na", na_codes[int(number)]
    if rs.type == "ordinal" and flip:
        number = rs.low + rs.high - number
    return "scored", number


def _parse_timestamp(value: object) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return pd.Timestamp(value)
    text = str(value).strip()
    for dayfirst in (False, True):
        try:
            return pd.Timestamp(pd.to_datetime(text, dayfirst=dayfirst))
        except (ValueError, OverflowError):
            continue
    return None


def map_survey(
    table: pd.DataFrame,
    *,
    spec: InstrumentSpec,
    project: Project,
    profile: ExportProfile,
    file_name: str,
) -> MappedSurvey:
    """Map a raw export table to the canonical form.

    Raises
    ------
    ResponseDataError
        When a required column is missing (nothing can be loaded from such a file).
    """
    columns = list(table.columns)
    shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    id_col = _find_column(columns, profile.identifier)
    if id_col is None:
        raise ResponseDataError(
            f"{file_name}: no respondent identifier column. Expected one of "
            f"{', '.join(profile.identifier[:4])}; found {shown}. Hint: keep the e-mail or "
            f"respondent column in the export, or name it in an export profile (--profile)."
        )
    item_cols = find_item_columns(columns, spec)
    missing = [i.source_code for i in spec.items if i.id not in item_cols]
    if missing:
        listed = ", ".join(missing[:6]) + (" ..." if len(missing) > 6 else "")
        raise ResponseDataError(
            f"{file_name}: {len(missing)} of {len(spec.items)} {spec.id} item columns are missing: "
            f"{listed}. Expected a column per item headed by its code (e.g. "
            f"{spec.items[0].source_code}). Hint: check that this is a {spec.id} export and that "
            f"the headers carry the item codes."
        )
    known_na = {n.key for rs in spec.response_sets.values() for n in rs.not_applicable}
    unknown_na = sorted(set(profile.not_applicable_codes.values()) - known_na)
    if unknown_na:
        raise ConfigError(
            f"profiles/{profile.id}.yaml: not_applicable_codes names {', '.join(unknown_na)}, "
            f"which {spec.id} does not have. Expected one of {', '.join(sorted(known_na)) or '(none)'}."
        )
    problems: list[dict] = []
    flip = profile.code_direction == "descending"
    keys = pd.DataFrame(index=table.index)
    keys["source_row"] = table.index.astype("int64")
    ident = table[id_col].map(lambda v: None if _blank(v) else str(v))
    keys["respondent_id"] = ident
    ts_col = _find_column(columns, profile.timestamp) if profile.timestamp else None
    if ts_col is not None:
        stamps = table[ts_col].map(_parse_timestamp)
        for row in table.index[stamps.isna() & ~table[ts_col].map(_blank)]:
            problems.append(_problem(row, ts_col, "bad_timestamp", "not a date and time"))
        keys["submitted_at"] = pd.to_datetime(stamps)
    else:
        keys["submitted_at"] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[us]")
    for kind, candidates, lookup in (
        ("organisation", profile.organisation, project.organisation_lookup),
        ("staff_group", profile.staff_group, project.staff_group_lookup),
    ):
        col = _find_column(columns, candidates) if candidates else None
        keys[kind] = _map_named(table, col, lookup, kind, problems)
    unit_col = _find_column(columns, profile.unit) if profile.unit else None
    units = project.unit_lookup
    unit_ids = []
    for row, value in table[unit_col].items() if unit_col else []:
        if _blank(value):
            unit_ids.append(None)
            continue
        hit = units.get(normalise_label(str(value)))
        if hit is None:
            problems.append(_problem(row, unit_col, "unknown_unit", _detail(value)))
            unit_ids.append(None)
        else:
            unit_ids.append(hit[1])
    keys["unit"] = unit_ids if unit_col else None

    codes = pd.DataFrame(index=table.index)
    nas = pd.DataFrame(index=table.index)
    answered_any = pd.Series(False, index=table.index)
    for item in spec.items:
        col = item_cols[item.id]
        rs = spec.response_sets[item.response_set]
        lookup = _label_lookup(rs)
        na_codes = {
            code: key
            for code, key in profile.not_applicable_codes.items()
            if key in {n.key for n in rs.not_applicable}
        }
        mapped = {
            v: _map_cell(v, rs, lookup, flip, na_codes)
            for v in pd.unique(table[col].astype(object))
        }
        kinds = table[col].map(lambda v, m=mapped: m[v][0])
        payload = table[col].map(lambda v, m=mapped: m[v][1])
        target = spec.column(item.id)
        codes[target] = pd.to_numeric(payload.where(kinds == "scored"), errors="coerce").astype(
            "float64"
        )
        nas[target] = payload.where(kinds == "na").astype(object)
        answered_any |= kinds.isin(["scored", "na"])
        for row in table.index[kinds == "unknown"]:
            rule = "unknown_label" if rs.type == "ordinal" else "not_a_number"
            problems.append(_problem(row, col, rule, payload[row]))
    for row in table.index[~answered_any]:
        problems.append(_problem(row, "(all items)", "empty_response", "no item answered"))
    text_cols = [
        c
        for c in columns
        if _norm_header(c) in {_norm_header(x) for x in profile.free_text}
        and c not in set(item_cols.values()) | {id_col}
    ]
    free_text = table[text_cols].map(lambda v: None if _blank(v) else str(v))
    ignored = [
        c
        for c in columns
        if c not in set(item_cols.values()) | {id_col, ts_col, unit_col} | set(text_cols)
        and _norm_header(c)
        not in {_norm_header(x) for x in profile.organisation + profile.staff_group}
    ]
    return MappedSurvey(
        keys.reset_index(drop=True),
        codes.reset_index(drop=True),
        nas.reset_index(drop=True),
        problems,
        ignored,
        free_text=free_text.reset_index(drop=True),
    )


def long_to_wide(
    table: pd.DataFrame, *, spec: InstrumentSpec, profile: ExportProfile, file_name: str
) -> tuple[pd.DataFrame, list[dict]]:
    """A long export (one row per respondent × item) as one row per respondent.

    Each respondent's row number is that of their first line; the other columns (timestamp,
    organisation, ...) are taken from their first non-blank line. A line naming an unknown item, or
    a second answer to the same item, quarantines the respondent (rules ``unknown_item`` and
    ``duplicate_answer``); lines without an identifier form one respondent that fails
    ``missing_identifier``.

    Raises
    ------
    ResponseDataError
        When the identifier, item or value column is missing.
    """
    columns = list(table.columns)
    found = {}
    for role, candidates in (
        ("identifier", profile.identifier),
        ("item", profile.item_column),
        ("value", profile.value_column),
    ):
        col = _find_column(columns, candidates)
        if col is None:
            shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
            raise ResponseDataError(
                f"{file_name}: no {role} column for the long layout. Expected one of "
                f"{', '.join(candidates[:4])}; found {shown}. Hint: check the export profile "
                f"{profile.id!r} (identifier, item_column, value_column)."
            )
        found[role] = col
    id_col, item_col, value_col = found["identifier"], found["item"], found["value"]
    source_row = pd.Series(table.index, index=table.index)
    ident = table[id_col].map(lambda v: "" if _blank(v) else str(v).strip())
    group = ident.map(lambda v: v.casefold())
    first_row = source_row.groupby(group, sort=False).transform("min")
    by_code = {}
    for item in spec.items:
        by_code[_norm_header(item.source_code)] = item.source_code
        by_code[_norm_header(spec.column(item.id))] = item.source_code
    raw_item = table[item_col].astype(object)
    norm = {v: _norm_header(str(v)) for v in pd.unique(raw_item) if not _blank(v)}
    item = raw_item.map(lambda v: None if _blank(v) else by_code.get(norm[v]))
    problems: list[dict] = []
    for row in table.index[item.isna()]:
        detail = "no item named" if _blank(raw_item[row]) else _detail(raw_item[row])
        problems.append(_problem(first_row[row], item_col, "unknown_item", detail))
    known = item.notna()
    dup = known & pd.DataFrame({"g": group, "i": item}).duplicated(keep="first")
    for row in table.index[dup]:
        problems.append(_problem(first_row[row], item_col, "duplicate_answer", f"line {row}"))
    keep = known & ~dup
    answers = pd.DataFrame(
        {"row": first_row[keep], "item": item[keep], "value": table[value_col][keep].astype(object)}
    )
    wide = answers.pivot(index="row", columns="item", values="value")
    others = [c for c in columns if c not in (item_col, value_col)]
    firsts = (
        table[others]
        .astype(object)
        .where(~table[others].map(_blank), None)
        .assign(row=first_row)
        .groupby("row", sort=True)
        .first()
    )
    out = firsts.join(wide.reindex(columns=[i.source_code for i in spec.items]), how="left")
    out.index.name = None
    out.columns = [str(c) for c in out.columns]
    return out, problems


def _blank(value: object) -> bool:
    return (
        value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""
    )


def _problem(row: object, column: str, rule: str, detail: object) -> dict:
    return {"source_row": int(row), "column": column, "rule": rule, "detail": str(detail)}  # type: ignore[call-overload]


def _map_named(
    table: pd.DataFrame, col: str | None, lookup: dict[str, str], kind: str, problems: list[dict]
) -> list[str | None] | None:
    if col is None:
        return None
    out: list[str | None] = []
    for row, value in table[col].items():
        if _blank(value):
            out.append(None)
            continue
        hit = lookup.get(normalise_label(str(value))) or lookup.get(
            normalise_label(str(value), fold_diacritics=True)
        )
        if hit is None:
            problems.append(_problem(row, col, f"unknown_{kind}", _detail(value)))
        out.append(hit)
    return out


def pseudonymise_survey(mapped: MappedSurvey, key: ProjectKey) -> MappedSurvey:
    """Replace raw identifiers by keyed pseudonyms; the raw identifier leaves memory here."""
    keys = mapped.keys.copy()
    keys["respondent_id"] = keys["respondent_id"].map(
        lambda v: None if v is None or pd.isna(v) else pseudonymise(v, key)
    )
    return replace(mapped, keys=keys, pseudonymised=True)
