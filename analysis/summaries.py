"""Descriptive summaries of scale scores and of numeric items.

Conventions shared by every function here:

- ``sd`` is the sample standard deviation (``ddof=1``, as R's ``sd``).
- ``median``, ``q1`` and ``q3`` use linear interpolation between order statistics — pandas' and
  numpy's default, identical to R's ``quantile(type = 7)`` (Hyndman & Fan definition 7).
- ``std_error`` is the standard error of the mean, ``sd/√n``; ``ci_low`` and ``ci_high`` bound
  the mean with Student's t: ``mean ± t(1 - γ/2; n - 1) · sd/√n``, as R's ``t.test(x)$conf.int``.
  All three are NaN when ``n < 2``; with ``sd = 0`` both bounds equal the mean (R's ``t.test``
  refuses constant data).
- ``n`` counts non-missing values; statistics of an empty group are NaN.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.columns import table
from analysis.two_sample import check_confidence
from instruments.spec import InstrumentSpec

__all__ = [
    "ITEM_SUMMARY_COLUMNS",
    "SCORE_SUMMARY_COLUMNS",
    "summarise_items",
    "summarise_scores",
]

#: Columns of :func:`summarise_scores` (``scale_scores.csv``, :mod:`analysis.columns`).
SCORE_SUMMARY_COLUMNS: tuple[str, ...] = table("scale_scores").columns
#: Columns of :func:`summarise_items` (``item_summaries.csv``).
ITEM_SUMMARY_COLUMNS: tuple[str, ...] = table("item_summaries").columns
_STAT_COLUMNS = ITEM_SUMMARY_COLUMNS[3:]


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
        sd = se = ci_low = ci_high = nan
    else:
        sd = float(x.std(ddof=1))
        se = sd / math.sqrt(n)
        half = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) * sd / math.sqrt(n)
        ci_low, ci_high = mean - half, mean + half
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "median": median,
        "q1": q1,
        "q3": q3,
        "std_error": se,
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
        lexically; a missing group comes last), columns :data:`SCORE_SUMMARY_COLUMNS`.
        ``group_by`` and ``group`` are ``"all"`` when ``by`` is empty, else the column's name
        and its value; respondents whose grouping value is missing form their own row with
        ``group`` NaN, so the groups' ``n`` add up to the overall ``n``. ``n`` counts the
        respondents with a score (a group whose scores are all NaN has ``n = 0`` and NaN
        statistics); the statistics are as in the module docstring.

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
    check_confidence(confidence)
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
        head = {"instrument": instrument, "wave": wave, "scale": scale}
        head |= {"group_by": group_by, "group": group}
        rows.append(head | _describe(values, confidence=confidence))
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
    check_confidence(confidence)
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
