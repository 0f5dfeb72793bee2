"""Scale scores from item answers, as the instrument spec says.

Both functions take the store's *wide* table: one row per respondent × wave, the key columns
``respondent_id``, ``wave``, ``organisation``, ``unit`` and ``staff_group``, and one float column
per item named ``spec.column(item.id)`` (e.g. ``nomad_co1``). An item column holds the canonical
code of a scored answer, and NaN when the item was not scored: left blank *or* answered with a
"not applicable" option (NoMAD's option B). Codes arrive as answered, not yet reversed.

NoMAD has no official scoring manual. This project's default — construct score = mean of the
answered agreement items after reversing CA2, with a minimum number of answered items, and "not
relevant" answers kept out of the mean — follows the practice reported in the literature (see
``instruments/nomad/instrument.yaml`` and [1]_, [2]_).

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Finch TL, Girling M, May CR, et al. Improving the normalization of complex
   interventions: part 2 - validation of the NoMAD instrument. BMC Med Res Methodol
   2018;18:135. doi:10.1186/s12874-018-0591-x
.. [2] Rapley T, Girling M, Mair FS, et al. Improving the normalization of complex
   interventions: part 1 - development of the NoMAD instrument. BMC Med Res Methodol
   2018;18:133. doi:10.1186/s12874-018-0590-y
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from instruments.spec import InstrumentSpec, ResponseSet, Scale

__all__ = ["KEY_COLUMNS", "SCORE_COLUMNS", "reverse_items", "score_scales"]

#: Key columns of the wide table, carried into every per-respondent result.
KEY_COLUMNS: tuple[str, ...] = ("respondent_id", "wave", "organisation", "unit", "staff_group")

#: Columns of :func:`score_scales`, in order.
SCORE_COLUMNS: tuple[str, ...] = (
    *KEY_COLUMNS,
    "instrument",
    "scale",
    "n_items",
    "n_answered",
    "score",
)


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what}: missing columns {', '.join(missing)}. Expected the store's wide table with "
            f"{', '.join(KEY_COLUMNS)} and one float column per item (spec.column(item_id))."
        )


def _check_codes(values: pd.Series, response_set: ResponseSet, *, column: str) -> None:
    """Raise when a column holds a value its response set cannot take (a bug upstream)."""
    present = values.dropna()
    if response_set.type == "ordinal":
        bad = present[~present.isin([float(c) for c in response_set.codes])]
        expected = f"codes {', '.join(str(c) for c in response_set.codes)} or NaN"
    else:
        bad = present[(present < response_set.low) | (present > response_set.high)]
        expected = f"{response_set.low:g}–{response_set.high:g} or NaN"
    if not bad.empty:
        rows = ", ".join(str(r) for r in bad.index[:5])
        raise ValueError(
            f"wide: column {column} has {len(bad)} values outside its response set. "
            f"Expected {expected}; found them in rows {rows}. "
            "Hint: wide tables should come from the store, after validation."
        )


def reverse_items(wide: pd.DataFrame, spec: InstrumentSpec) -> pd.DataFrame:
    """Return a copy of ``wide`` with the reverse-keyed items of ``spec`` reversed.

    A reverse-keyed item's code ``x`` becomes ``low + high - x``, where ``low`` and ``high`` are
    the lowest and highest codes of its ordinal response set (for NoMAD's CA2 on ``agree_5``:
    ``6 - x``). NaN stays NaN. Applying the function twice gives back the input.

    Parameters
    ----------
    wide : pandas.DataFrame
        The store's wide table for this instrument (see the module docstring). Columns other than
        the reverse-keyed items are copied unchanged.
    spec : instruments.spec.InstrumentSpec
        The instrument; items with ``reverse: true`` are reversed.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same index, columns and dtypes (item columns as float64).

    Raises
    ------
    ValueError
        When a reverse-keyed item's column is absent, or holds a code outside its response set.

    Examples
    --------
    >>> from instruments.spec import load_instrument
    >>> spec = load_instrument("nomad")
    >>> wide = pd.DataFrame({"nomad_ca1": [1.0, 5.0], "nomad_ca2": [1.0, float("nan")]})
    >>> reverse_items(wide, spec)
       nomad_ca1  nomad_ca2
    0        1.0        5.0
    1        5.0        NaN
    """
    out = wide.copy()
    for item in spec.items:
        if not item.reverse:
            continue
        column = spec.column(item.id)
        _require_columns(wide, [column], what=f"reverse_items ({spec.id})")
        response_set = spec.response_set_of(item.id)
        values = wide[column].astype("float64")
        _check_codes(values, response_set, column=column)
        out[column] = (response_set.low + response_set.high) - values
    return out


def score_scales(wide: pd.DataFrame, spec: InstrumentSpec) -> pd.DataFrame:
    """Score every scale of an instrument for every respondent × wave.

    Reverse-keyed items are reversed first (:func:`reverse_items`). A scale's score is the mean
    (``method: mean``) or the sum (``method: sum``) of the respondent's *scored* answers to the
    scale's items. Items that are NaN in ``wide`` — left blank or answered "not applicable" — are
    never scored and do not count as answered. When fewer than ``scale.required_answers()`` items
    are answered the score is NaN. A ``sum`` over fewer than all items (allowed only when the scale
    sets a minimum) is prorated: mean of the answered items × number of items.

    ``wide`` is the store's wide table (the module docstring), codes not yet reversed; ``spec``
    the instrument whose ``scales`` are scored.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per input row × scale, scale-major (all rows for the first scale of the
        spec, in input order, then the next scale), with a fresh ``RangeIndex`` and the columns
        :data:`SCORE_COLUMNS`: the key columns copied from ``wide``, ``instrument``, ``scale``,
        ``n_items`` (items in the scale), ``n_answered`` (those with a scored answer) and
        ``score`` (mean or prorated sum of the answered items after reversing; NaN when
        ``n_answered < scale.required_answers()``).

    Raises
    ------
    ValueError
        When key or item columns are absent, or an item holds a code outside its response set.

    Examples
    --------
    Coherence needs 3 of its 4 items; CA2 is reversed (6 - 1 = 5) before averaging. Checked in R:
    ``mean(c(4, 5, 3))`` is 4 and ``mean(c(2, 5, 4, 4, 4))`` is 3.8.

    >>> from instruments.spec import load_instrument
    >>> spec = load_instrument("nomad")
    >>> nan = float("nan")
    >>> wide = pd.DataFrame({
    ...     "respondent_id": ["r1", "r2"], "wave": ["w1", "w1"], "organisation": ["a", "a"],
    ...     "unit": ["u1", "u1"], "staff_group": ["nurse", None],
    ...     **{spec.column(i.id): [4.0, nan] for i in spec.items},
    ... })
    >>> wide.loc[0, ["nomad_co1", "nomad_co2", "nomad_co3"]] = [4.0, 5.0, 3.0]
    >>> wide.loc[0, "nomad_co4"] = nan
    >>> wide.loc[1, ["nomad_co1", "nomad_co2"]] = [2.0, 2.0]
    >>> wide.loc[0, ["nomad_ca1", "nomad_ca2", "nomad_ca3"]] = [2.0, 1.0, 4.0]
    >>> wide.loc[0, ["nomad_ca4", "nomad_ca5", "nomad_ca6", "nomad_ca7"]] = [4.0, 4.0, nan, nan]
    >>> scores = score_scales(wide, spec)
    >>> scores[["respondent_id", "scale", "n_answered", "score"]]
      respondent_id                    scale  n_answered  score
    0            r1                coherence           3    4.0
    1            r2                coherence           2    NaN
    2            r1  cognitive_participation           4    4.0
    3            r2  cognitive_participation           0    NaN
    4            r1        collective_action           5    3.8
    5            r2        collective_action           0    NaN
    6            r1     reflexive_monitoring           5    4.0
    7            r2     reflexive_monitoring           0    NaN
    """
    item_columns = [spec.column(item_id) for scale in spec.scales for item_id in scale.items]
    _require_columns(wide, [*KEY_COLUMNS, *item_columns], what=f"score_scales ({spec.id})")
    for scale in spec.scales:
        for item_id in scale.items:
            column = spec.column(item_id)
            _check_codes(
                wide[column].astype("float64"), spec.response_set_of(item_id), column=column
            )
    reversed_wide = reverse_items(wide, spec)
    keys = wide.loc[:, list(KEY_COLUMNS)].reset_index(drop=True)
    blocks = [_score_block(reversed_wide, keys, spec, scale) for scale in spec.scales]
    if not blocks:  # an instrument without scales
        return keys.iloc[0:0].assign(
            instrument=pd.Series(dtype="str"),
            scale=pd.Series(dtype="str"),
            n_items=pd.Series(dtype="int64"),
            n_answered=pd.Series(dtype="int64"),
            score=pd.Series(dtype="float64"),
        )
    return pd.concat(blocks, ignore_index=True).loc[:, list(SCORE_COLUMNS)]


def _score_block(
    reversed_wide: pd.DataFrame, keys: pd.DataFrame, spec: InstrumentSpec, scale: Scale
) -> pd.DataFrame:
    """One scale's scores for every row of ``keys`` (items already reversed)."""
    values = reversed_wide.loc[:, [spec.column(i) for i in scale.items]].to_numpy(dtype="float64")
    answered = ~np.isnan(values)
    n_answered = answered.sum(axis=1).astype("int64")
    total = np.where(answered, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n_answered
    # A sum over fewer items than the scale has is prorated (mean × k) so that it stays on the
    # scale's full range; with every item answered it is the plain sum.
    raw = mean if scale.method == "mean" else mean * len(scale.items)
    score = np.where(n_answered >= scale.required_answers(), raw, np.nan)
    block = keys.copy()
    block["instrument"] = spec.id
    block["scale"] = scale.id
    block["n_items"] = np.int64(len(scale.items))
    block["n_answered"] = n_answered
    block["score"] = score.astype("float64")
    return block
