"""Which export column holds which item: the forms an export profile accepts for item names.

A profile lists *forms* built from placeholders — ``{code}`` (the item's code in the instrument's
numbering: ``CO1``, ``1``), ``{item}`` (its id: ``co1``, ``q1``), ``{instrument}`` (``nomad``,
``pcat``), ``{n}`` (its position in the instrument, 1 = first) and ``{label}`` (its short label in
Swedish or English, our own words). A header matches a form when the two are equal ignoring case,
spaces, dots, dashes and underscores, so ``q{code}`` accepts ``q1``, ``Q1`` and ``Q_1``. With the
``{code}`` form, a header that starts with the code followed by text (``CO1. ...``) matches too,
unless another header names the item exactly.

Matching is unambiguous or refused: a header matching two items, or two headers matching one item,
stop the ingest with a one-line error naming them; so do missing items, with the closest headers
found and the forms the profile accepts.
"""

from __future__ import annotations

import difflib
import itertools
import re
import string
from collections.abc import Iterable

from instruments.spec import InstrumentSpec
from project.errors import ResponseDataError
from project.labels import normalise_label

#: The placeholders an item-name form may use.
PLACEHOLDERS = ("code", "item", "instrument", "n", "label")

#: The forms of the generic profile (and of any profile that does not list its own).
DEFAULT_FORMS: tuple[str, ...] = ("{code}", "{item}", "{instrument}_{code}", "{instrument}_{item}")


def norm_header(text: str) -> str:
    """A header as matched: case, spaces, dots, dashes and underscores do not matter."""
    return re.sub(r"[\s._-]+", "", normalise_label(text))


def form_fields(form: str) -> list[str]:
    """The placeholders of one form (``ValueError`` when the form is malformed)."""
    return [f for _, f, _, _ in string.Formatter().parse(form) if f is not None]


def check_forms(forms: Iterable[str]) -> None:
    """Raise ``ValueError`` for a form without a placeholder or with an unknown one."""
    for form in forms:
        try:
            fields = form_fields(form)
        except ValueError as exc:
            raise ValueError(f"item_columns: {form!r} is not a form ({exc})") from None
        unknown = [f for f in fields if f not in PLACEHOLDERS]
        if unknown or not fields:
            raise ValueError(
                f"item_columns: {form!r} needs placeholders among "
                f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
            )


def item_names(spec: InstrumentSpec, forms: Iterable[str]) -> dict[str, set[str]]:
    """Item id → the normalised headers that name it under ``forms``."""
    out: dict[str, set[str]] = {}
    forms = tuple(forms)
    for position, item in enumerate(spec.items, start=1):
        values = {
            "code": [item.source_code],
            "item": [item.id],
            "instrument": [spec.id],
            "n": [str(position)],
            "label": [item.label.sv, item.label.en],
        }
        names = set()
        for form in forms:
            fields = form_fields(form)
            for combo in itertools.product(*(values[f] for f in fields)):
                names.add(norm_header(form.format(**dict(zip(fields, combo, strict=True)))))
        out[item.id] = names
    return out


def name_lookup(spec: InstrumentSpec, forms: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Normalised header → the item ids it names (more than one: ambiguous)."""
    lookup: dict[str, list[str]] = {}
    for item_id, names in item_names(spec, forms).items():
        for name in names:
            lookup.setdefault(name, []).append(item_id)
    return {name: tuple(ids) for name, ids in lookup.items()}


def _code_prefix(spec: InstrumentSpec) -> dict[str, re.Pattern[str]]:
    return {
        item.id: re.compile(rf"^{re.escape(item.source_code)}(?![0-9A-Za-z])", re.IGNORECASE)
        for item in spec.items
    }


def _matches(
    columns: list[str], spec: InstrumentSpec, forms: tuple[str, ...]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Column → the item ids it names exactly, and column → those it names by the item's code
    followed by text (only for columns without an exact match)."""
    lookup = name_lookup(spec, forms)
    prefixes = _code_prefix(spec) if "{code}" in forms else {}
    exact: dict[str, tuple[str, ...]] = {}
    by_prefix: dict[str, tuple[str, ...]] = {}
    for column in columns:
        hit = lookup.get(norm_header(column), ())
        if hit:
            exact[column] = hit
        elif prefixes:
            text = column.replace(" ", "", 1)
            hits = tuple(item_id for item_id, p in prefixes.items() if p.match(text))
            if hits:
                by_prefix[column] = hits
    return exact, by_prefix


def header_names(spec: InstrumentSpec, forms: tuple[str, ...]) -> tuple[set[str], bool]:
    """The normalised item headers under ``forms``, and whether ``CO1. ...`` headers count."""
    return set(name_lookup(spec, forms)), "{code}" in forms


def names_for(spec: InstrumentSpec, item_id: str, forms: tuple[str, ...]) -> list[str]:
    """The headers ``forms`` accept for one item, as written (labels in English; deduplicated
    ignoring what matching ignores)."""
    position = next(n for n, i in enumerate(spec.items, start=1) if i.id == item_id)
    item = spec.item(item_id)
    values = {
        "code": item.source_code,
        "item": item.id,
        "instrument": spec.id,
        "n": str(position),
        "label": item.label.en,
    }
    shown: dict[str, str] = {}
    for form in forms:
        name = form.format(**{f: values[f] for f in form_fields(form)})
        shown.setdefault(norm_header(name), name)
    return list(shown.values())


def find_item_columns(
    columns: list[str],
    spec: InstrumentSpec,
    forms: tuple[str, ...] = DEFAULT_FORMS,
    *,
    file_name: str = "the export",
) -> dict[str, str]:
    """Item id → export column, for the items found (see the module docstring).

    Raises
    ------
    ResponseDataError
        When a column names two items, or two columns name one item.
    """
    exact, by_prefix = _matches(columns, spec, forms)
    found: dict[str, str] = {}
    for matches, skip_found in ((exact, False), (by_prefix, True)):
        for column, ids in matches.items():
            if len(ids) > 1:
                raise ResponseDataError(
                    f"{file_name}: column {column!r} could be {spec.id} item "
                    f"{' or '.join(spec.item(i).source_code for i in ids)}. Hint: rename the "
                    f"column to one item's code, or narrow the export profile's item_columns."
                )
            item_id = ids[0]
            if item_id in found and skip_found and found[item_id] in exact:
                continue  # "CO1" is the item; "CO1_kommentar" beside it is something else
            if item_id in found:
                raise ResponseDataError(
                    f"{file_name}: columns {found[item_id]!r} and {column!r} both name {spec.id} "
                    f"item {spec.item(item_id).source_code}. Hint: remove or rename one of them."
                )
            found[item_id] = column
    return found


def missing_items_message(
    columns: list[str],
    spec: InstrumentSpec,
    found: dict[str, str],
    *,
    profile_id: str,
    forms: tuple[str, ...],
    file_name: str,
    fits: tuple[str, ...] = (),
) -> str:
    """The one-line refusal for missing item columns: which, the names the profile accepts, the
    closest headers found, and the first of ``fits`` (profiles that find every item) as the hint."""
    missing = [i for i in spec.items if i.id not in found]
    listed = ", ".join(i.source_code for i in missing[:6]) + (
        f" and {len(missing) - 6} more" if len(missing) > 6 else ""
    )
    used = set(found.values())
    candidates = {norm_header(c): c for c in columns if c not in used}
    names = item_names(spec, forms)
    close: list[str] = []
    for item in missing[:3]:
        for name in sorted(names[item.id]):
            for hit in difflib.get_close_matches(name, list(candidates), n=2, cutoff=0.6):
                if candidates[hit] not in close:
                    close.append(candidates[hit])
    nearest = ", ".join(close[:4]) if close else "none"
    first = missing[0]
    accepted = names_for(spec, first.id, forms)
    shown = ", ".join(accepted[:-1]) + " or " + accepted[-1] if len(accepted) > 1 else accepted[0]
    hint = (
        f"--profile {fits[0]} finds every item column of this file"
        if fits
        else "rename the columns, or choose a profile whose item_columns fit (e.g. --profile "
        "spss or survey-tool)"
    )
    return (
        f"{file_name}: {len(missing)} of {len(spec.items)} {spec.id} item columns are missing: "
        f"{listed}. Profile {profile_id!r} takes item {first.source_code} from a column named "
        f"{shown} (case, spaces and _ do not matter); closest columns found: {nearest}. Hint: "
        f"{hint}."
    )
