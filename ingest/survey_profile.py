"""Export profiles: how one survey tool's export maps to the canonical form.

A profile (``ingest/profiles/<id>.yaml``, or ``profiles/<id>.yaml`` in the project folder, which
wins) names the identifier, timestamp, organisation, unit and staff-group columns as the tool
writes them, how answers are coded (label or number, ascending or descending, numbers for "not
relevant"), the forms of its item column names (:mod:`ingest.survey_columns`), the labels and
codes it uses for declared missing values ("Vet ej", 99), the free-text columns kept, the workbook
sheet, and a wide or long layout. Column names are matched loosely (case, spaces, dots, dashes and
underscores do not matter). A profile may ``extends:`` another; its keys replace the base's, except
``item_columns``, which merges per instrument.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.read import blank_cells, is_blank, map_cells
from ingest.survey_columns import (
    DEFAULT_FORMS,
    check_forms,
    find_item_columns,
    header_names,
    name_lookup,
    norm_header,
)
from instruments.spec import InstrumentSpec
from project.errors import ConfigError, ResponseDataError, format_pydantic_error
from project.labels import normalise_label
from validation.quarantine import cell_detail, problem

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

__all__ = [
    "PROFILE_DIR",
    "ExportProfile",
    "find_column",
    "find_item_columns",
    "load_profile",
    "long_to_wide",
    "norm_header",
]


class ExportProfile(BaseModel):
    """How one tool's export maps to the canonical form (see ``ingest/profiles/*.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    description: str = ""
    identifier: tuple[str, ...]
    identifier_is_stable: bool = Field(
        default=False,
        description="true when the identifier column is the same person's id in every wave "
        "even though it looks like a row counter (1…n) or a time; such a column is refused "
        "otherwise.",
    )
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
    item_columns: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: {"default": DEFAULT_FORMS},
        description="How the export names item columns: a list of forms, or instrument id → "
        "forms with a 'default' for the others. Forms are built from {code} (the item's code: "
        "CO1, 1), {item} (its id: co1, q1), {instrument} (nomad, pcat), {n} (its position, 1 = "
        "first) and {label} (its short label, sv or en). Case, spaces, dots, dashes and "
        "underscores do not matter, so q{code} takes q1, Q1 and Q_1.",
    )
    missing_values: dict[str, tuple[str | int, ...]] = Field(
        default_factory=dict,
        description="Declared missing values: a key (dont_know, no_answer) → the labels and "
        "numeric codes the export uses for it, e.g. {dont_know: [Vet ej, Don't know, 99]}. "
        "Counted per item, kept apart from answers and from the instrument's not-relevant "
        "options; a code that is a valid answer of the item (9 on a 0-10 item) stays an answer.",
    )
    layout: Literal["wide", "long"] = "wide"
    item_column: tuple[str, ...] = Field(
        default=(), description="Long layout: the column naming the item (e.g. CO1)."
    )
    value_column: tuple[str, ...] = Field(
        default=(), description="Long layout: the column holding the answer."
    )

    @field_validator("item_columns", mode="before")
    @classmethod
    def _forms_for_all(cls, value: object) -> object:
        return {"default": value} if isinstance(value, list | tuple) else value

    def forms(self, instrument: str) -> tuple[str, ...]:
        """The item-name forms this profile accepts for one instrument."""
        return self.item_columns.get(instrument) or self.item_columns.get("default", DEFAULT_FORMS)

    @model_validator(mode="after")
    def _check(self) -> ExportProfile:
        if self.layout == "long" and not (self.item_column and self.value_column):
            raise ValueError("layout: long needs item_column and value_column")
        for forms in self.item_columns.values():
            if not forms:
                raise ValueError("item_columns needs at least one form, e.g. {code}")
            check_forms(forms)
        bad = [k for k in self.missing_values if not _KEY.match(k)]
        if bad:
            raise ValueError(
                f"missing_values: key {bad[0]!r} must be lower case letters, digits and _ "
                f"(e.g. dont_know)"
            )
        seen: dict[str, str] = {}
        for key, values in self.missing_values.items():
            for value in values:
                spelled = missing_value_key(value)
                if seen.setdefault(spelled, key) != key:
                    raise ValueError(
                        f"missing_values: {value!r} is listed under both {seen[spelled]} and {key}"
                    )
        return self

    def missing_lookup(self) -> tuple[dict[str, str], dict[float, str]]:
        """Declared missing values as (normalised label → key, numeric code → key)."""
        labels: dict[str, str] = {}
        codes: dict[float, str] = {}
        for key, values in self.missing_values.items():
            for value in values:
                number = _number(value)
                if number is not None:
                    codes[number] = key
                else:
                    text = str(value)
                    labels.setdefault(normalise_label(text), key)
                    labels.setdefault(normalise_label(text, fold_diacritics=True), key)
        return labels, codes

    def header_matcher(self, spec: InstrumentSpec) -> Callable[[str], bool]:
        """Recognises this profile's column names and the spec's item columns (header finding)."""
        names = {
            norm_header(c)
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
        items, by_prefix = header_names(spec, self.forms(spec.id))
        names |= items
        prefix = re.compile(
            r"^(?:" + "|".join(re.escape(c) for c in codes) + r")(?![0-9A-Za-z])", re.IGNORECASE
        )

        def matches(cell: str) -> bool:
            return norm_header(cell) in names or (by_prefix and bool(prefix.match(cell.strip())))

        return matches


def missing_value_key(value: object) -> str:
    """How a declared missing value is compared: a number as a number, a label as a label."""
    number = _number(value)
    return f"{number:g}" if number is not None else normalise_label(str(value))


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _profile_paths(name: str, project_dir: Path | None) -> list[Path]:
    local = [project_dir / "profiles" / f"{name}.yaml"] if project_dir else []
    return [p for p in (*local, PROFILE_DIR / f"{name}.yaml") if p.is_file()]


def _profile_yaml(path: Path, project_dir: Path | None, seen: tuple[Path, ...] = ()) -> dict:
    """The YAML of one profile with ``extends: <name>`` resolved (its keys replace the base's)."""
    where = f"profiles/{path.name}"
    if path in seen:
        chain = " → ".join(p.stem for p in (*seen, path))
        raise ConfigError(f"{where}: extends loops ({chain}). Hint: remove one extends.")
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:  # one line, never a traceback
        detail = " ".join(str(exc).split())[:160]
        raise ConfigError(
            f"{where}: not a readable UTF-8 YAML file ({detail}). Hint: save it as UTF-8 and check "
            f"its indentation (spaces, not tabs)."
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of keys (id:, identifier:, ...).")
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    # A project profile may extend the built-in of its own name: skip its own file.
    bases = [p for p in _profile_paths(str(base_name), project_dir) if p != path]
    if not bases:
        raise ConfigError(
            f"{where}: extends {base_name!r}, which is not a profile. Expected one of "
            f"{', '.join(_known(project_dir))}."
        )
    base = _profile_yaml(bases[0], project_dir, (*seen, path))
    merged = {**base, **raw}
    if isinstance(base.get("item_columns"), dict | list) and "item_columns" in raw:
        # Item-name forms merge per instrument: a list is the forms of every other instrument.
        merged["item_columns"] = {**_per_instrument(base), **_per_instrument(raw)}
    return merged


def _per_instrument(raw: dict) -> dict:
    forms = raw.get("item_columns")
    return {"default": forms} if isinstance(forms, list) else dict(forms or {})


def _known(project_dir: Path | None) -> list[str]:
    local = list((project_dir / "profiles").glob("*.yaml")) if project_dir else []
    return sorted({p.stem for p in (*PROFILE_DIR.glob("*.yaml"), *local)})


def load_profile(name: str = "generic", *, project_dir: Path | None = None) -> ExportProfile:
    """Load an export profile by name; a project's ``profiles/<name>.yaml`` wins over a built-in,
    and may ``extends:`` a built-in (its own name included) to change only some keys."""
    paths = _profile_paths(name, project_dir)
    if not paths:
        raise ConfigError(
            f"export profile {name!r} not found. Expected one of "
            f"{', '.join(_known(project_dir))}. Hint: check --profile, or add "
            f"profiles/{name}.yaml to the project folder."
        )
    path = paths[0]
    raw = _profile_yaml(path, project_dir)
    try:
        return ExportProfile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_pydantic_error(f"profiles/{path.name}", exc)) from exc


def find_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first of ``candidates`` found among ``columns`` (loosely matched), as the file spells it."""
    wanted = [norm_header(c) for c in candidates]
    by_norm = {norm_header(c): c for c in columns}
    for w in wanted:
        if w in by_norm:
            return by_norm[w]
    return None


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
    id_col, item_col, value_col = (
        long_column(columns, candidates, role, profile, file_name)
        for role, candidates in (
            ("identifier", profile.identifier),
            ("item", profile.item_column),
            ("value", profile.value_column),
        )
    )
    source_row = pd.Series(table.index, index=table.index)
    group = map_cells(table[id_col], lambda v: "" if is_blank(v) else str(v).strip().casefold())
    first_row = source_row.groupby(group, sort=False).transform("min")
    by_code = {
        name: spec.item(ids[0]).source_code
        for name, ids in name_lookup(spec, profile.forms(spec.id)).items()
        if len(ids) == 1
    }
    raw_item = table[item_col].astype(object)
    item = map_cells(raw_item, lambda v: None if is_blank(v) else by_code.get(norm_header(str(v))))
    unknown = item.isna()
    details = map_cells(raw_item, lambda v: "no item named" if is_blank(v) else cell_detail(v))
    problems = [
        problem(r, item_col, "unknown_item", d)
        for r, d in zip(first_row[unknown], details[unknown], strict=True)
    ]
    known = ~unknown
    dup = known & pd.DataFrame({"g": group, "i": item}).duplicated(keep="first")
    problems += [
        problem(r, item_col, "duplicate_answer", f"line {line}")
        for r, line in zip(first_row[dup], table.index[dup], strict=True)
    ]
    keep = known & ~dup
    answers = pd.DataFrame(
        {"row": first_row[keep], "item": item[keep], "value": table[value_col][keep].astype(object)}
    )
    wide = answers.pivot(index="row", columns="item", values="value")
    others = [c for c in columns if c not in (item_col, value_col)]
    respondents = pd.Index(np.sort(first_row.unique()), name="row")
    firsts = pd.DataFrame(
        {c: _first_non_blank(table[c], first_row, respondents) for c in others}, index=respondents
    )
    out = firsts.join(wide.reindex(columns=[i.source_code for i in spec.items]), how="left")
    out.index.name = None
    out.columns = [str(c) for c in out.columns]
    return out, problems


def _first_non_blank(column: pd.Series, first_row: pd.Series, respondents: pd.Index) -> pd.Series:
    """Each respondent's first non-blank cell of ``column`` in file order (``None`` when all are
    blank), by respondent: only those cells are turned into Python objects, not every line's."""
    filled = ~blank_cells(column)
    rows = first_row[filled]
    first = ~rows.duplicated()
    values = pd.Series(
        column[filled][first].astype(object).to_numpy(), index=rows[first].to_numpy()
    )
    values = values.reindex(respondents).astype(object)
    return values.where(values.notna(), None)


def long_column(
    columns: list[str],
    candidates: tuple[str, ...],
    role: str,
    profile: ExportProfile,
    file_name: str,
) -> str:
    col = find_column(columns, candidates)
    if col is None:
        shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
        raise ResponseDataError(
            f"{file_name}: no {role} column for the long layout. Expected one of "
            f"{', '.join(candidates[:4])}; found {shown}. Hint: check the export profile "
            f"{profile.id!r} (identifier, item_column, value_column)."
        )
    return col
