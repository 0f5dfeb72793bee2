"""Survey exports mapped to the canonical form: answer labels to codes, "not applicable" options and
the profile's declared missing values ("Vet ej", 99, SPSS user-missing) kept apart, organisations,
units and staff groups to project ids, identifiers to keyed pseudonyms.

What cannot be mapped becomes a *problem* (row, column, rule, detail) for the quarantine; nothing is
dropped silently. Raw identifiers stay in :class:`MappedSurvey` only until
:func:`pseudonymise_survey` replaces them. Every step works on whole columns, once per distinct
value (an export repeats its labels thousands of times), not row by row.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.identifiers import check_identifier
from ingest.long_chunks import long_table
from ingest.read import (
    UserMissing,
    blank_cells,
    is_blank,
    map_cells,
    read_csv_chunks,
    read_table,
)
from ingest.survey_columns import missing_items_message
from ingest.survey_profile import (
    PROFILE_DIR,
    ExportProfile,
    find_column,
    find_item_columns,
    load_profile,
    long_to_wide,
    norm_header,
)
from instruments.spec import InstrumentSpec, ResponseSet
from privacy.keys import ProjectKey, pseudonymise
from project.config import Project
from project.errors import ConfigError, ResponseDataError
from project.labels import normalise_label
from validation.quarantine import cell_detail, problem

KEY_COLUMNS = ["source_row", "respondent_id", "submitted_at", "organisation", "unit", "staff_group"]
_ISO = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"


@dataclass
class MappedSurvey:
    """The canonical form of one export, before validation."""

    keys: pd.DataFrame  # KEY_COLUMNS; respondent_id is the raw identifier until pseudonymised
    codes: pd.DataFrame  # one float column per item (canonical code, NaN when not scored)
    not_applicable: pd.DataFrame  # one column per item: the not-applicable key or NA
    declared_missing: pd.DataFrame  # one column per item: the declared-missing key or NA
    problems: list[dict] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    pseudonymised: bool = False
    free_text: pd.DataFrame = field(default_factory=pd.DataFrame)  # profile's free_text columns

    @property
    def rows(self) -> int:
        return len(self.keys)


# -- mapping ---------------------------------------------------------------------------------------
def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip().replace("\u00a0", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None  # "NaN", "inf": not an answer


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


#: The declared-missing key of an SPSS user-missing value the profile does not name.
USER_MISSING = "user_missing"


@dataclass(frozen=True)
class MissingValues:
    """A profile's declared missing values: normalised label → key, numeric code → key."""

    labels: dict[str, str]
    codes: dict[float, str]

    def of_label(self, text: str) -> str | None:
        return self.labels.get(normalise_label(text)) or self.labels.get(
            normalise_label(text, fold_diacritics=True)
        )

    def of_user_missing(self, cell: UserMissing) -> str:
        inner = cell.value
        key = self.of_label(inner) if isinstance(inner, str) else None
        number = _as_number(inner)
        if key is None and number is not None:
            key = self.codes.get(number)
        return key or USER_MISSING


def _valid_code(number: float, rs: ResponseSet) -> bool:
    if rs.type == "ordinal":
        return number in {float(c) for c in rs.codes}
    return rs.low <= number <= rs.high


def _map_cell(
    value: object,
    rs: ResponseSet,
    lookup: dict,
    flip: bool,
    na_codes: dict[int, str],
    missing: MissingValues | None = None,
) -> tuple[str, object]:
    """→ ("missing", None) | ("scored", code) | ("na", key) | ("declared", key) |
    ("unknown", detail).

    The instrument's labels win over the profile's missing labels; a profile's missing code is
    declared missing only where it is not a valid answer of the item; an SPSS user-missing cell
    always is."""
    missing = missing or MissingValues({}, {})
    if isinstance(value, UserMissing):
        return "declared", missing.of_user_missing(value)
    if is_blank(value):
        return "missing", None
    if isinstance(value, str):
        hit = lookup.get(normalise_label(value)) or lookup.get(
            normalise_label(value, fold_diacritics=True)
        )
        if hit:
            return hit
        key = missing.of_label(value)
        if key:
            return "declared", key
    number = _as_number(value)
    if number is None:
        return "unknown", cell_detail(value)
    if na_codes and number.is_integer() and int(number) in na_codes:
        return "na", na_codes[int(number)]
    if number in missing.codes and not _valid_code(number, rs):
        return "declared", missing.codes[number]
    if rs.type == "ordinal" and flip:
        number = rs.low + rs.high - number
    return "scored", number


def _parse_timestamp(value: object) -> pd.Timestamp | None:
    if is_blank(value):
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


def parse_timestamps(column: pd.Series) -> pd.Series:
    """Each cell as a ``Timestamp`` (object dtype; ``None`` when blank or not a date).

    ISO dates and times (``2019-02-04 07:22``, as survey tools write them) are parsed together;
    anything else (datetimes from a workbook, other layouts, day-first dates) one by one.
    """
    values = column.astype(object)
    texts = map_cells(values, lambda v: v.strip() if isinstance(v, str) else None)
    iso = texts.str.fullmatch(_ISO).fillna(False).astype(bool)
    out = pd.Series(None, index=column.index, dtype=object)
    if iso.any():
        fast = pd.to_datetime(texts[iso], format="ISO8601", errors="coerce")
        out[iso] = fast.astype(object).where(fast.notna(), None)
    rest = out.isna()
    out[rest] = values[rest].map(_parse_timestamp)
    return out


def _named(
    column: pd.Series, lookup: dict[str, str], fold: bool = True
) -> tuple[pd.Series, pd.Series]:
    """Cells → project ids (``None`` when blank or unknown), and the mask of unknown cells."""

    def hit(value: object) -> str | None:
        if is_blank(value):
            return None
        text = str(value)
        found = lookup.get(normalise_label(text))
        if found is None and fold:
            found = lookup.get(normalise_label(text, fold_diacritics=True))
        return found

    ids = map_cells(column, hit)
    return ids, ids.isna() & ~blank_cells(column)


def _problems(table: pd.DataFrame, mask: pd.Series, column: str, rule: str) -> list[dict]:
    """One problem per masked row, the detail taken from the cell."""
    details = map_cells(table[column], cell_detail)
    return [
        problem(r, column, rule, d) for r, d in zip(table.index[mask], details[mask], strict=True)
    ]


def _map_keys(
    table: pd.DataFrame, project: Project, profile: ExportProfile, id_col: str
) -> tuple[pd.DataFrame, list[dict], list[str | None]]:
    """Identifier, submission time, organisation, unit and staff group; their problems; the
    columns used."""
    columns = list(table.columns)
    problems: list[dict] = []
    keys = pd.DataFrame(index=table.index)
    keys["source_row"] = table.index.astype("int64")
    keys["respondent_id"] = map_cells(table[id_col], lambda v: None if is_blank(v) else str(v))
    ts_col = find_column(columns, profile.timestamp) if profile.timestamp else None
    if ts_col is not None:
        stamps = parse_timestamps(table[ts_col])
        bad = stamps.isna() & ~blank_cells(table[ts_col])
        problems += [
            problem(r, ts_col, "bad_timestamp", "not a date and time") for r in table.index[bad]
        ]
        keys["submitted_at"] = pd.to_datetime(stamps)
    else:
        keys["submitted_at"] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[us]")
    for kind, candidates, lookup in (
        ("organisation", profile.organisation, project.organisation_lookup),
        ("staff_group", profile.staff_group, project.staff_group_lookup),
    ):
        col = find_column(columns, candidates) if candidates else None
        keys[kind] = None
        if col is not None:
            keys[kind], unknown = _named(table[col], lookup)
            problems += _problems(table, unknown, col, f"unknown_{kind}")
    unit_col = find_column(columns, profile.unit) if profile.unit else None
    keys["unit"] = None
    if unit_col is not None:
        units = {spelling: ids[1] for spelling, ids in project.unit_lookup.items()}
        keys["unit"], unknown = _named(table[unit_col], units, fold=False)
        problems += _problems(table, unknown, unit_col, "unknown_unit")
    return keys, problems, [ts_col, unit_col]


def _check_columns(
    table: pd.DataFrame, spec: InstrumentSpec, profile: ExportProfile, file_name: str
) -> tuple[str, dict[str, str]]:
    """The identifier column and item id → column; a missing one refuses the file."""
    columns = list(table.columns)
    shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    id_col = find_column(columns, profile.identifier)
    if id_col is None:
        raise ResponseDataError(
            f"{file_name}: no respondent identifier column. Expected one of "
            f"{', '.join(profile.identifier[:4])}; found {shown}. Hint: keep the e-mail or "
            f"respondent column in the export, or name it in an export profile (--profile)."
        )
    # A long layout's items become columns named by their codes (see long_to_wide).
    forms = profile.forms(spec.id) if profile.layout == "wide" else ("{code}",)
    item_cols = find_item_columns(columns, spec, forms, file_name=file_name)
    if len(item_cols) < len(spec.items):
        raise ResponseDataError(
            missing_items_message(
                columns,
                spec,
                item_cols,
                profile_id=profile.id,
                forms=forms,
                file_name=file_name,
                fits=_profiles_that_fit(columns, spec) if profile.layout == "wide" else (),
            )
        )
    known_na = {n.key for rs in spec.response_sets.values() for n in rs.not_applicable}
    unknown_na = sorted(set(profile.not_applicable_codes.values()) - known_na)
    if unknown_na:
        raise ConfigError(
            f"profiles/{profile.id}.yaml: not_applicable_codes names {', '.join(unknown_na)}, "
            f"which {spec.id} does not have. Expected one of {', '.join(sorted(known_na)) or '(none)'}."
        )
    return id_col, item_cols


def _profiles_that_fit(columns: list[str], spec: InstrumentSpec) -> tuple[str, ...]:
    """The built-in profiles whose item-name forms find every item column among ``columns``."""
    fits = []
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        try:
            found = find_item_columns(columns, spec, load_profile(path.stem).forms(spec.id))
        except ResponseDataError:  # ambiguous under that profile: not a fit
            continue
        if len(found) == len(spec.items):
            fits.append(path.stem)
    return tuple(fits)


def _map_answers(
    column: pd.Series, func: Callable[[object], tuple[str, object]]
) -> tuple[pd.Series, pd.Series]:
    """``func`` (→ kind, payload) once per distinct cell value; the kinds and payloads per cell."""
    codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    kinds = np.empty(len(uniques) + 1, dtype=object)
    payloads = np.empty(len(uniques) + 1, dtype=object)
    for position, value in enumerate([*uniques, None]):
        kinds[position], payloads[position] = func(value)
    index = column.index
    return pd.Series(kinds[codes], index=index), pd.Series(payloads[codes], index=index)


def _of_kind(kinds: pd.Series, payload: pd.Series, kind: str) -> pd.Series:
    """``payload.where(kinds == kind)`` (object dtype), with one NaN object shared by every other
    cell: ``where`` makes a new float object per cell (8 million for a 4-million-line export)."""
    out = np.full(len(payload), np.nan, dtype=object)
    mask = (kinds == kind).to_numpy()
    out[mask] = payload.to_numpy()[mask]
    return pd.Series(out, index=payload.index, dtype=object)


def _map_items(
    table: pd.DataFrame, spec: InstrumentSpec, profile: ExportProfile, item_cols: dict[str, str]
) -> tuple[tuple[pd.DataFrame, ...], list[dict]]:
    """Item codes, not-applicable keys, declared-missing keys and problems (unknown labels,
    empty responses)."""
    codes, nas, declared, problems = {}, {}, {}, []
    answered_any = np.zeros(len(table), dtype=bool)
    flip = profile.code_direction == "descending"
    missing = MissingValues(*profile.missing_lookup())
    for item in spec.items:
        col, rs = item_cols[item.id], spec.response_sets[item.response_set]
        lookup = _label_lookup(rs)
        own = {n.key for n in rs.not_applicable}
        na_codes = {c: k for c, k in profile.not_applicable_codes.items() if k in own}
        mapper = partial(
            _map_cell, rs=rs, lookup=lookup, flip=flip, na_codes=na_codes, missing=missing
        )
        kinds, payload = _map_answers(table[col], mapper)
        target = spec.column(item.id)
        scored = _of_kind(kinds, payload, "scored")
        codes[target] = pd.to_numeric(scored, errors="coerce").astype("float64")
        nas[target] = _of_kind(kinds, payload, "na")
        declared[target] = _of_kind(kinds, payload, "declared")
        answered_any |= kinds.isin(["scored", "na", "declared"]).to_numpy()
        rule = "unknown_label" if rs.type == "ordinal" else "not_a_number"
        unknown = kinds == "unknown"
        problems += [
            problem(r, col, rule, d)
            for r, d in zip(table.index[unknown], payload[unknown], strict=True)
        ]
    problems += [
        problem(r, "(all items)", "empty_response", "no item answered")
        for r in table.index[~answered_any]
    ]
    index = table.index
    frames = tuple(pd.DataFrame(part, index=index) for part in (codes, nas, declared))
    return frames, problems


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
    id_col, item_cols = _check_columns(table, spec, profile, file_name)
    table = blank_user_missing(table, keep=set(item_cols.values()))
    check_identifier(
        table[id_col],
        column=id_col,
        file_name=file_name,
        profile_id=profile.id,
        stable=profile.identifier_is_stable,
    )
    keys, problems, used = _map_keys(table, project, profile, id_col)
    (codes, nas, declared), item_problems = _map_items(table, spec, profile, item_cols)
    columns = list(table.columns)
    free = {norm_header(x) for x in profile.free_text}
    items = set(item_cols.values())
    text_cols = [c for c in columns if norm_header(c) in free and c not in items | {id_col}]
    free_text = pd.DataFrame(
        {c: map_cells(table[c], lambda v: None if is_blank(v) else str(v)) for c in text_cols},
        index=table.index,
    )
    named = {norm_header(x) for x in profile.organisation + profile.staff_group}
    ignored = [
        c
        for c in columns
        if c not in items | {id_col, *used} | set(text_cols) and norm_header(c) not in named
    ]
    return MappedSurvey(
        keys.reset_index(drop=True),
        codes.reset_index(drop=True),
        nas.reset_index(drop=True),
        declared.reset_index(drop=True),
        problems + item_problems,
        ignored,
        free_text=free_text.reset_index(drop=True),
    )


def blank_user_missing(table: pd.DataFrame, keep: set[str]) -> pd.DataFrame:
    """SPSS user-missing cells outside the ``keep`` columns as blanks (as SPSS treats them): only
    item answers are counted as declared missing."""
    marked = [
        c
        for c in table.columns
        if c not in keep
        and table[c].dtype == object
        and map_cells(table[c], lambda v: isinstance(v, UserMissing)).astype(bool).any()
    ]
    if not marked:
        return table
    out = table.copy()
    for c in marked:
        out[c] = map_cells(table[c], lambda v: None if isinstance(v, UserMissing) else v)
    return out


def pseudonymise_survey(mapped: MappedSurvey, key: ProjectKey) -> MappedSurvey:
    """Replace raw identifiers by keyed pseudonyms; the raw identifier leaves memory here."""
    keys = mapped.keys.copy()
    keys["respondent_id"] = map_cells(
        keys["respondent_id"], lambda v: None if v is None else pseudonymise(str(v), key)
    )
    return replace(mapped, keys=keys, pseudonymised=True)


def read_survey_export(
    path: Path, *, spec: InstrumentSpec, project: Project, profile: ExportProfile, file_name: str
) -> MappedSurvey:
    """Read and map one export as the profile says (sheet, header finding, wide or long layout).

    A long CSV export is read and turned into one row per respondent part by part
    (:mod:`ingest.long_chunks`), so its lines are never in memory together."""
    if profile.layout == "long" and path.suffix.lower() in (".csv", ".txt", ".tsv"):
        parts = read_csv_chunks(
            path, display_name=file_name, header_names=profile.header_matcher(spec)
        )
        pivoted, found = long_table(parts, spec, profile, file_name)
        mapped = map_survey(
            pivoted, spec=spec, project=project, profile=profile, file_name=file_name
        )
        mapped.problems.extend(found)
        return mapped
    table = read_table(
        path,
        display_name=file_name,
        sheet=profile.sheet,
        header_names=profile.header_matcher(spec),
        value_labels=profile.value_labels,
        user_missing=True,
    )
    layout_problems: list[dict] = []
    if profile.layout == "long":
        value_col = find_column(list(table.columns), profile.value_column)
        table = blank_user_missing(table, keep={value_col} if value_col else set())
        table, layout_problems = long_to_wide(
            table, spec=spec, profile=profile, file_name=file_name
        )
    mapped = map_survey(table, spec=spec, project=project, profile=profile, file_name=file_name)
    mapped.problems.extend(layout_problems)
    return mapped
