"""Export profiles: how one survey tool's export maps to the canonical form.

A profile (``ingest/profiles/<id>.yaml``, or ``profiles/<id>.yaml`` in the project folder, which
wins) names the identifier, timestamp, organisation, unit and staff-group columns as the tool
writes them, how answers are coded (label or number, ascending or descending, numbers for "not
relevant"), the free-text columns kept, the workbook sheet, and a wide or long layout. Column
names are matched loosely (case, spaces, dots, dashes and underscores do not matter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ingest.read import blank_cells, is_blank, map_cells
from instruments.spec import InstrumentSpec
from project.errors import ConfigError, ResponseDataError, format_pydantic_error
from project.labels import normalise_label
from validation.quarantine import cell_detail, problem

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"


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
        names |= {norm_header(c) for c in codes} | {
            norm_header(spec.column(i.id)) for i in spec.items
        }
        prefix = re.compile(
            r"^(?:" + "|".join(re.escape(c) for c in codes) + r")(?![0-9A-Za-z])", re.IGNORECASE
        )

        def matches(cell: str) -> bool:
            return norm_header(cell) in names or bool(prefix.match(cell.strip()))

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
            except (UnicodeDecodeError, yaml.YAMLError) as exc:  # one line, never a traceback
                where = " ".join(str(exc).split())[:160]
                raise ConfigError(
                    f"profiles/{path.name}: not a readable UTF-8 YAML file ({where}). Hint: save "
                    f"it as UTF-8 and check its indentation (spaces, not tabs)."
                ) from exc
    known = sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))
    raise ConfigError(
        f"export profile {name!r} not found. Expected one of {', '.join(known)}. Hint: check "
        f"--profile, or add profiles/{name}.yaml to the project folder."
    )


def norm_header(text: str) -> str:
    """A header as matched: case, spaces, dots, dashes and underscores do not matter."""
    return re.sub(r"[\s._-]+", "", normalise_label(text))


def find_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first of ``candidates`` found among ``columns`` (loosely matched), as the file spells it."""
    wanted = [norm_header(c) for c in candidates]
    by_norm = {norm_header(c): c for c in columns}
    for w in wanted:
        if w in by_norm:
            return by_norm[w]
    return None


def find_item_columns(columns: list[str], spec: InstrumentSpec) -> dict[str, str]:
    """Item id → export column: the item's code alone, ``<instrument>_<item>``, or the code first
    followed by text (``"CO1. ..."``)."""
    found: dict[str, str] = {}
    for item in spec.items:
        code = norm_header(item.source_code)
        exact = {code, norm_header(spec.column(item.id))}
        match = next((c for c in columns if norm_header(c) in exact), None)
        if match is None:
            pattern = re.compile(rf"^{re.escape(item.source_code)}(?![0-9A-Za-z])", re.IGNORECASE)
            match = next((c for c in columns if pattern.match(c.replace(" ", "", 1))), None)
        if match is not None:
            found[item.id] = match
    return found


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
        _long_column(columns, candidates, role, profile, file_name)
        for role, candidates in (
            ("identifier", profile.identifier),
            ("item", profile.item_column),
            ("value", profile.value_column),
        )
    )
    source_row = pd.Series(table.index, index=table.index)
    group = map_cells(table[id_col], lambda v: "" if is_blank(v) else str(v).strip().casefold())
    first_row = source_row.groupby(group, sort=False).transform("min")
    by_code = {}
    for spec_item in spec.items:
        by_code[norm_header(spec_item.source_code)] = spec_item.source_code
        by_code[norm_header(spec.column(spec_item.id))] = spec_item.source_code
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
    firsts = (
        pd.DataFrame(
            {c: table[c].astype(object).where(~blank_cells(table[c]), None) for c in others},
            index=table.index,
        )
        .assign(row=first_row)
        .groupby("row", sort=True)
        .first()
    )
    out = firsts.join(wide.reindex(columns=[i.source_code for i in spec.items]), how="left")
    out.index.name = None
    out.columns = [str(c) for c in out.columns]
    return out, problems


def _long_column(
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
