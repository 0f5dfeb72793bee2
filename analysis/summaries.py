"""Descriptive summaries of scale scores and items, and item answer distributions.

Conventions shared by every function here:

- ``sd`` is the sample standard deviation (``ddof=1``, as R's ``sd``).
- ``median``, ``q1`` and ``q3`` use linear interpolation between order statistics — pandas' and
  numpy's default, identical to R's ``quantile(type = 7)`` (Hyndman & Fan definition 7).
- ``ci_low`` and ``ci_high`` bound the mean with Student's t: ``mean ± t(1 - γ/2; n - 1) · sd/√n``,
  as R's ``t.test(x)$conf.int``. They are NaN when ``n < 2``; with ``sd = 0`` both equal the mean
  (R's ``t.test`` refuses constant data).
- ``n`` counts non-missing values; statistics of an empty group are NaN.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from instruments.spec import InstrumentSpec

__all__ = [
    "DISTRIBUTION_COLUMNS",
    "ITEM_SUMMARY_COLUMNS",
    "SCORE_SUMMARY_COLUMNS",
    "item_distributions",
    "summarise_items",
    "summarise_scores",
]

_STAT_COLUMNS: tuple[str, ...] = ("n", "mean", "sd", "median", "q1", "q3", "ci_low", "ci_high")

#: Columns of :func:`summarise_scores` (``scale_scores.csv``).
SCORE_SUMMARY_COLUMNS: tuple[str, ...] = (
    "instrument",
    "wave",
    "scale",
    "group_by",
    "group",
    *_STAT_COLUMNS,
)

#: Columns of :func:`summarise_items`.
ITEM_SUMMARY_COLUMNS: tuple[str, ...] = ("instrument", "wave", "item", *_STAT_COLUMNS)

#: Columns of :func:`item_distributions`.
DISTRIBUTION_COLUMNS: tuple[str, ...] = (
    "instrument",
    "wave",
    "item",
    "response_kind",
    "response",
    "n",
    "share",
    "share_of_scored",
)

_STATUSES = ("answered", "not_applicable", "missing")


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; found {confidence!r}")


def _describe(values: np.ndarray, *, confidence: float) -> dict[str, float | int]:
    """n, mean, sd, median, quartiles (type 7) and the t interval of the non-NaN values."""
    from scipy import stats

    x = values[~np.isnan(values)]
    n = int(x.size)
    nan = math.nan
    if n == 0:
        return dict.fromkeys(_STAT_COLUMNS, nan) | {"n": 0}
    mean = float(x.mean())
    q1, median, q3 = (float(q) for q in np.quantile(x, [0.25, 0.5, 0.75], method="linear"))
    if n < 2:
        sd = ci_low = ci_high = nan
    else:
        sd = float(x.std(ddof=1))
        half = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) * sd / math.sqrt(n)
        ci_low, ci_high = mean - half, mean + half
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "median": median,
        "q1": q1,
        "q3": q3,
        "ci_low": ci_low,
        "ci_high": ci_high,
    }


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    dtypes = {c: "float64" for c in _STAT_COLUMNS if c != "n"} | {"n": "int64"}
    return frame.astype(dtypes)


def summarise_scores(
    scores: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Describe scale scores per instrument × wave × scale, overall or by one grouping column.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`analysis.scoring.score_scales`: at least ``instrument``, ``wave``,
        ``scale``, ``score`` and the column named in ``by``. NaN scores (too few answers) are
        left out of every statistic and of ``n``.
    by : sequence of str, default ()
        Empty for the whole wave, or one column, e.g. ``("staff_group",)`` or
        ``("organisation",)``. For a cross-classification, build a combined column first.
    confidence : float, default 0.95
        Confidence level of the interval for the mean.

    Returns
    -------
    pandas.DataFrame
        One row per instrument × wave × scale (× group), sorted by those keys (strings sort
        lexically; a missing group comes last). Columns ``instrument, wave, scale, group_by,
        group, n, mean, sd, median, q1, q3, ci_low, ci_high``:

        ``group_by``, ``group``
            ``"all"`` and ``"all"`` when ``by`` is empty; otherwise the column's name and its
            value. Respondents whose grouping value is missing form their own row with
            ``group`` NaN, so the groups' ``n`` add up to the overall ``n``.
        ``n`` : int64
            Respondents with a score. A group whose scores are all NaN has ``n = 0`` and NaN
            statistics.
        ``mean``, ``sd``, ``median``, ``q1``, ``q3``, ``ci_low``, ``ci_high`` : float64
            See the module docstring: ``sd`` with ``ddof=1``, quartiles R type 7, the interval
            from Student's t.

    Raises
    ------
    ValueError
        When ``by`` names more than one column, or a needed column is absent.

    References
    ----------
    .. [1] Hyndman RJ, Fan Y. Sample quantiles in statistical packages. The American
       Statistician 1996;50:361-365. doi:10.2307/2684934

    Examples
    --------
    Checked against R 4.2.2: for ``x <- c(3.5, 4, 2.25, 5, 3, 4.75, 3)``, ``t.test(x)$conf.int``
    is 2.7193886786217001 to 4.5663256070925859 and ``quantile(x, type = 7)`` gives quartiles
    3 and 4.375.

    >>> scores = pd.DataFrame({"instrument": "nomad", "wave": "w1", "scale": "coherence",
    ...                        "score": [3.5, 4, 2.25, 5, 3, 4.75, 3, float("nan")]})
    >>> out = summarise_scores(scores)
    >>> out[["group_by", "group", "n", "median", "q1", "q3"]]
      group_by group  n  median   q1     q3
    0      all   all  7     3.5  3.0  4.375
    >>> [round(float(out.loc[0, c]), 12) for c in ("ci_low", "ci_high")]
    [2.719388678622, 4.566325607093]
    """
    _check_confidence(confidence)
    by = tuple(by)
    if len(by) > 1:
        raise ValueError(
            f"summarise_scores: by takes at most one column; found {by!r}. "
            "Hint: call it once per column, or build a combined column first."
        )
    needed = ["instrument", "wave", "scale", "score", *by]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ValueError(f"summarise_scores: missing columns {', '.join(missing)}")
    keys = ["instrument", "wave", "scale", *by]

    rows: list[dict[str, object]] = []
    for key, frame in scores.groupby(keys, sort=True, dropna=False):
        instrument, wave, scale = key[0], key[1], key[2]
        group_by, group = (by[0], key[3]) if by else ("all", "all")
        values = frame["score"].to_numpy(dtype="float64")
        rows.append(
            {
                "instrument": instrument,
                "wave": wave,
                "scale": scale,
                "group_by": group_by,
                "group": group,
            }
            | _describe(values, confidence=confidence)
        )
    return _typed(pd.DataFrame(rows, columns=list(SCORE_SUMMARY_COLUMNS)))


def summarise_items(
    wide: pd.DataFrame,
    spec: InstrumentSpec,
    *,
    response_type: Literal["numeric", "ordinal"] = "numeric",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Describe each item of one response type, per wave.

    Meant for NoMAD's general items G1–G3 (0–10), which are reported one by one. With
    ``response_type="ordinal"`` the agreement items are described on their codes *as answered*
    (reverse-keyed items are not reversed here; use :func:`item_distributions` for figures).

    Parameters
    ----------
    wide : pandas.DataFrame
        The store's wide table (see :mod:`analysis.scoring`): ``wave`` and one float column per
        item; NaN (blank or "not applicable") is left out.
    spec : instruments.spec.InstrumentSpec
        The instrument; items whose response set has type ``response_type`` are described.
    response_type : {"numeric", "ordinal"}, default "numeric"
        Which items to describe.
    confidence : float, default 0.95
        Confidence level of the interval for the mean.

    Returns
    -------
    pandas.DataFrame
        One row per wave × item, waves sorted, items in spec order, with the columns
        ``instrument, wave, item, n, mean, sd, median, q1, q3, ci_low, ci_high`` (``item`` is the
        item id, e.g. ``g1``; statistics as in :func:`summarise_scores`).

    Raises
    ------
    ValueError
        When ``response_type`` is unknown or a needed column is absent.

    Examples
    --------
    >>> from instruments.spec import load_instrument
    >>> spec = load_instrument("nomad")
    >>> wide = pd.DataFrame({"wave": ["w1"] * 4, "nomad_g1": [7.0, 8, 10, float("nan")],
    ...                      "nomad_g2": [5.0, 5, 6, 6], "nomad_g3": [0.0, 10, 9, 9]})
    >>> summarise_items(wide, spec)[["item", "n", "mean", "median"]]
      item  n      mean  median
    0   g1  3  8.333333     8.0
    1   g2  4  5.500000     5.5
    2   g3  4  7.000000     9.0
    """
    _check_confidence(confidence)
    if response_type not in ("numeric", "ordinal"):
        raise ValueError(
            f"summarise_items: response_type must be 'numeric' or 'ordinal'; "
            f"found {response_type!r}"
        )
    items = [i for i in spec.items if spec.response_sets[i.response_set].type == response_type]
    needed = ["wave", *(spec.column(i.id) for i in items)]
    missing = [c for c in needed if c not in wide.columns]
    if missing:
        raise ValueError(f"summarise_items ({spec.id}): missing columns {', '.join(missing)}")

    rows: list[dict[str, object]] = []
    for wave, frame in wide.groupby("wave", sort=True, dropna=False):
        for item in items:
            values = frame[spec.column(item.id)].to_numpy(dtype="float64")
            row: dict[str, object] = {"instrument": spec.id, "wave": wave, "item": item.id}
            rows.append(row | _describe(values, confidence=confidence))
    return _typed(pd.DataFrame(rows, columns=list(ITEM_SUMMARY_COLUMNS)))


def item_distributions(long: pd.DataFrame, spec: InstrumentSpec) -> pd.DataFrame:
    """Count every answer to every ordinal item, per wave, with stable categories.

    Parameters
    ----------
    long : pandas.DataFrame
        The store's long table for this instrument: one row per respondent × wave × item, with
        ``respondent_id``, ``wave``, ``item`` (item id), ``status`` (``"answered"``,
        ``"not_applicable"`` or ``"missing"``), ``value`` (the canonical code, NaN unless
        answered) and ``not_applicable`` (the option's key when status is ``"not_applicable"``).
    spec : instruments.spec.InstrumentSpec
        The instrument; its ordinal items are counted, numeric items are skipped.

    Returns
    -------
    pandas.DataFrame
        For every wave in ``long`` (sorted) and every ordinal item (spec order), one row per
        scored code and per not-applicable key (both in spec order) and one ``"missing"`` row —
        zero counts included, so figures get the same categories every time. Columns:

        ``instrument, wave, item``
            ``item`` is the item id, e.g. ``ca2``;
        ``response_kind``
            ``"scored"``, ``"not_applicable"`` or ``"missing"``;
        ``response``
            the code as a string (``"1"`` … ``"5"``, as answered — not reversed), the
            not-applicable key (e.g. ``"not_relevant_role"``), or ``"missing"``;
        ``n`` : int64
            respondents giving that response;
        ``share`` : float64
            ``n`` over the respondents of that wave (distinct ``respondent_id`` in ``long``);
            per wave and item the shares add up to 1;
        ``share_of_scored`` : float64
            for scored rows, ``n`` over the item's scored answers in that wave (NaN when there
            are none); NaN for not-applicable and missing rows.

        A respondent of the wave without a row for an item counts as ``"missing"``.

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
    8                    missing  0  0.000000              NaN
    """
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

    ordinal = [i for i in spec.items if spec.response_sets[i.response_set].type == "ordinal"]
    respondents = long.groupby("wave", sort=True, dropna=False)["respondent_id"].nunique()
    answered = long[long["status"] == "answered"]
    not_applicable = long[long["status"] == "not_applicable"]
    code_counts = answered.groupby(["wave", "item", "value"], dropna=False).size()
    na_counts = not_applicable.groupby(["wave", "item", "not_applicable"], dropna=False).size()

    for item in ordinal:
        response_set = spec.response_sets[item.response_set]
        item_answered = answered[answered["item"] == item.id]
        bad_codes = item_answered.loc[
            ~item_answered["value"].isin([float(c) for c in response_set.codes]), "value"
        ]
        if not bad_codes.empty:
            raise ValueError(
                f"item_distributions ({spec.id}): item {item.id} has {len(bad_codes)} answered "
                f"rows with a value outside {response_set.codes} (rows "
                f"{', '.join(str(r) for r in bad_codes.index[:5])})"
            )
        keys = [o.key for o in response_set.not_applicable]
        item_na = not_applicable.loc[not_applicable["item"] == item.id, "not_applicable"]
        bad_keys = sorted(set(item_na.astype(str)) - set(keys))
        if bad_keys:
            raise ValueError(
                f"item_distributions ({spec.id}): item {item.id} has not-applicable keys "
                f"{', '.join(bad_keys)}. Expected one of {', '.join(keys) or '(none)'}."
            )

    rows: list[dict[str, object]] = []
    for wave, n_wave in respondents.items():
        for item in ordinal:
            response_set = spec.response_sets[item.response_set]
            keys = [o.key for o in response_set.not_applicable]
            scored_n = [
                int(code_counts.get((wave, item.id, float(c)), 0)) for c in response_set.codes
            ]
            na_n = [int(na_counts.get((wave, item.id, key), 0)) for key in keys]
            n_scored = sum(scored_n)
            missing_n = int(n_wave) - n_scored - sum(na_n)
            base = {"instrument": spec.id, "wave": wave, "item": item.id}
            for code, n in zip(response_set.codes, scored_n, strict=True):
                rows.append(
                    base
                    | {
                        "response_kind": "scored",
                        "response": str(code),
                        "n": n,
                        "share": n / n_wave,
                        "share_of_scored": n / n_scored if n_scored else math.nan,
                    }
                )
            for key, n in zip(keys, na_n, strict=True):
                rows.append(
                    base
                    | {
                        "response_kind": "not_applicable",
                        "response": key,
                        "n": n,
                        "share": n / n_wave,
                        "share_of_scored": math.nan,
                    }
                )
            rows.append(
                base
                | {
                    "response_kind": "missing",
                    "response": "missing",
                    "n": missing_n,
                    "share": missing_n / n_wave,
                    "share_of_scored": math.nan,
                }
            )

    out = pd.DataFrame(rows, columns=list(DISTRIBUTION_COLUMNS))
    return out.astype({"n": "int64", "share": "float64", "share_of_scored": "float64"})
