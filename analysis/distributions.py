"""Answer distributions of the ordinal items, per wave, with stable categories.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.columns import table
from instruments.spec import InstrumentSpec, Item

__all__ = ["DISTRIBUTION_COLUMNS", "item_distributions"]

#: Columns of :func:`item_distributions` (``item_distributions.csv``, :mod:`analysis.columns`).
DISTRIBUTION_COLUMNS: tuple[str, ...] = table("item_distributions").columns

_STATUSES = ("answered", "not_applicable", "declared_missing", "missing")


def _check_long(long: pd.DataFrame, spec: InstrumentSpec) -> None:
    needed = ["respondent_id", "wave", "item", "status", "value", "not_applicable"]
    missing_columns = [c for c in needed if c not in long.columns]
    if missing_columns:
        raise ValueError(
            f"item_distributions ({spec.id}): missing columns {', '.join(missing_columns)}"
        )
    known = {i.id for i in spec.items}
    unknown = sorted(set(long["item"].dropna().astype(str)) - known)
    if unknown:
        raise ValueError(
            f"item_distributions ({spec.id}): items not in the spec: {', '.join(unknown)}. "
            "Hint: pass one instrument's long table at a time."
        )
    bad_status = sorted(set(long["status"].astype(str)) - set(_STATUSES))
    if bad_status:
        raise ValueError(
            f"item_distributions ({spec.id}): unknown status {', '.join(bad_status)}. "
            f"Expected one of {', '.join(_STATUSES)}."
        )
    if long.duplicated(["respondent_id", "wave", "item"]).any():
        raise ValueError(f"item_distributions ({spec.id}): duplicate respondent × wave × item rows")


def _check_answers(long: pd.DataFrame, spec: InstrumentSpec, item: Item) -> None:
    """Raise when an item's answers hold a code or not-applicable key outside its set."""
    response_set = spec.response_sets[item.response_set]
    mine = long[long["item"] == item.id]
    answered = mine[mine["status"] == "answered"]
    bad_codes = answered.loc[
        ~answered["value"].isin([float(c) for c in response_set.codes]), "value"
    ]
    if not bad_codes.empty:
        raise ValueError(
            f"item_distributions ({spec.id}): item {item.id} has {len(bad_codes)} answered "
            f"rows with a value outside {response_set.codes} (rows "
            f"{', '.join(str(r) for r in bad_codes.index[:5])})"
        )
    keys = [o.key for o in response_set.not_applicable]
    given = mine.loc[mine["status"] == "not_applicable", "not_applicable"]
    bad_keys = sorted(set(given.astype(str)) - set(keys))
    if bad_keys:
        raise ValueError(
            f"item_distributions ({spec.id}): item {item.id} has not-applicable keys "
            f"{', '.join(bad_keys)}. Expected one of {', '.join(keys) or '(none)'}."
        )


def _item_rows(
    counts: tuple[pd.Series, pd.Series, pd.Series],
    spec: InstrumentSpec,
    item: Item,
    wave: object,
    n_wave: int,
) -> list[dict[str, object]]:
    """The rows of one item in one wave: scored codes, not-applicable keys, declared missing,
    missing."""
    code_counts, na_counts, declared_counts = counts
    response_set = spec.response_sets[item.response_set]
    keys = [o.key for o in response_set.not_applicable]
    scored = [
        (str(c), int(code_counts.get((wave, item.id, float(c)), 0))) for c in response_set.codes
    ]
    not_applicable = [(key, int(na_counts.get((wave, item.id, key), 0))) for key in keys]
    n_scored = sum(n for _, n in scored)
    declared_n = int(declared_counts.get((wave, item.id), 0))
    missing_n = int(n_wave) - n_scored - sum(n for _, n in not_applicable) - declared_n
    parts = [("scored", r, n) for r, n in scored]
    parts += [("not_applicable", r, n) for r, n in not_applicable]
    parts.append(("declared_missing", "declared_missing", declared_n))
    parts.append(("missing", "missing", missing_n))
    base = {"instrument": spec.id, "wave": wave, "item": item.id}
    return [
        base
        | {"response_kind": kind, "response": response, "n": n, "share": n / n_wave}
        | {
            "share_of_scored": (n / n_scored if n_scored else math.nan)
            if kind == "scored"
            else math.nan
        }
        for kind, response, n in parts
    ]


def item_distributions(long: pd.DataFrame, spec: InstrumentSpec) -> pd.DataFrame:
    """Count every answer to every ordinal item, per wave, with stable categories.

    Parameters
    ----------
    long : pandas.DataFrame
        The store's long table for this instrument: one row per respondent × wave × item, with
        ``respondent_id``, ``wave``, ``item`` (item id), ``status`` (``"answered"``,
        ``"not_applicable"``, ``"declared_missing"`` or ``"missing"``), ``value`` (the canonical code, NaN unless
        answered) and ``not_applicable`` (the option's key when status is ``"not_applicable"``).
    spec : instruments.spec.InstrumentSpec
        The instrument; its ordinal items are counted, numeric items are skipped.

    Returns
    -------
    pandas.DataFrame
        For every wave in ``long`` (sorted) and every ordinal item (spec order), one row per
        scored code and per not-applicable key (both in spec order), one ``"declared_missing"``
        row (the export profile's "Vet ej", 99, SPSS user-missing) and one ``"missing"`` row —
        zero counts included, so figures get the same categories every time. Columns
        :data:`DISTRIBUTION_COLUMNS`: ``response_kind`` is ``"scored"``, ``"not_applicable"``,
        ``"declared_missing"`` or ``"missing"``; ``response`` the code as a string (as answered —
        not reversed), the not-applicable key, ``"declared_missing"`` or ``"missing"``; ``n`` the respondents giving that response;
        ``share`` ``n`` over the respondents of that wave (per wave and item the shares add up
        to 1); ``share_of_scored``, for scored rows, ``n`` over the item's scored answers in that
        wave (NaN when there are none, and on the other rows). A respondent of the wave without a
        row for an item counts as ``"missing"``.

    Raises
    ------
    ValueError
        When columns are absent, ``long`` has duplicate respondent × wave × item rows, or holds
        an unknown item, status, code or not-applicable key (all bugs upstream: the store only
        holds validated data).

    Examples
    --------
    >>> from instruments.spec import load_instrument
    >>> spec = load_instrument("nomad")
    >>> long = pd.DataFrame({
    ...     "respondent_id": ["r1", "r2", "r3"], "wave": "w1", "item": "co1",
    ...     "status": ["answered", "answered", "not_applicable"],
    ...     "value": [4.0, 5.0, float("nan")],
    ...     "not_applicable": [None, None, "not_relevant_role"]})
    >>> out = item_distributions(long, spec)
    >>> out[out["item"] == "co1"][["response", "n", "share", "share_of_scored"]]
                        response  n     share  share_of_scored
    0                          1  0  0.000000              0.0
    1                          2  0  0.000000              0.0
    2                          3  0  0.000000              0.0
    3                          4  1  0.333333              0.5
    4                          5  1  0.333333              0.5
    5          not_relevant_role  1  0.333333              NaN
    6         not_relevant_stage  0  0.000000              NaN
    7  not_relevant_intervention  0  0.000000              NaN
    8           declared_missing  0  0.000000              NaN
    9                    missing  0  0.000000              NaN
    """
    _check_long(long, spec)
    ordinal = [i for i in spec.items if spec.response_sets[i.response_set].type == "ordinal"]
    for item in ordinal:
        _check_answers(long, spec, item)
    respondents = long.groupby("wave", sort=True, dropna=False)["respondent_id"].nunique()
    answered = long[long["status"] == "answered"]
    not_applicable = long[long["status"] == "not_applicable"]
    counts = (
        answered.groupby(["wave", "item", "value"], dropna=False).size(),
        not_applicable.groupby(["wave", "item", "not_applicable"], dropna=False).size(),
        long[long["status"] == "declared_missing"].groupby(["wave", "item"], dropna=False).size(),
    )
    rows = [
        row
        for wave, n_wave in respondents.items()
        for item in ordinal
        for row in _item_rows(counts, spec, item, wave, int(n_wave))
    ]
    out = pd.DataFrame(rows, columns=list(DISTRIBUTION_COLUMNS))
    return out.astype({"n": "int64", "share": "float64", "share_of_scored": "float64"})
