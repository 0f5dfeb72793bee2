"""Internal consistency of scales: Cronbach's alpha with a Feldt confidence interval, and (from
:mod:`analysis.omega`) McDonald's omega total, per scale and wave (and group).

Alpha is the estimate of ``psych::alpha(x)$total$raw_alpha`` on complete cases — ``psych::alpha``
itself defaults to pairwise covariances, so pass it ``na.omit(x)`` to compare — computed with
``pingouin.cronbach_alpha``'s arithmetic in numpy (:func:`_alpha_of`: the same bits). Alpha
assumes essentially tau-equivalent items; it is a lower bound of reliability otherwise [1]_. Its
interval follows Feldt's F-distribution method [2]_, as ``psych::alpha.ci``; that interval is
ours, because pingouin 0.7 rounds its interval to three decimals and takes its degrees of freedom
from the rows before listwise deletion.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Cronbach LJ. Coefficient alpha and the internal structure of tests. Psychometrika
   1951;16:297-334. doi:10.1007/BF02310555
.. [2] Feldt LS, Woodruff DJ, Salih FA. Statistical inference for coefficient alpha. Applied
   Psychological Measurement 1987;11:93-103. doi:10.1177/014662168701100107
.. [3] Revelle W. psych: Procedures for Psychological, Psychometric, and Personality
   Research. R package version 2.2.9 (``alpha``, ``alpha.ci``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.columns import table
from analysis.omega import mcdonald_omega, omega_method
from analysis.scoring import reverse_items
from analysis.two_sample import check_confidence
from instruments.spec import InstrumentSpec

__all__ = [
    "NO_OMEGA_INTERVAL",
    "RELIABILITY_COLUMNS",
    "AlphaResult",
    "OmegaInterval",
    "alpha_method",
    "cronbach_alpha",
    "omega_method",
    "reliability_by_scale",
]

#: Columns of :func:`reliability_by_scale` when ``by=("wave",)``: the ``reliability`` table's
#: without ``group_by`` and ``group`` (:mod:`analysis.columns`).
RELIABILITY_COLUMNS: tuple[str, ...] = tuple(
    c for c in table("reliability").columns if c not in ("group_by", "group")
)

ZERO_VARIANCE = "the item sum has zero variance"


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of one set of items.

    Attributes
    ----------
    estimate : float
        Cronbach's alpha; NaN when the total score has zero variance.
    ci_low, ci_high : float
        Feldt confidence interval; NaN when ``estimate`` is NaN.
    n : int
        Complete cases used (respondents who answered every item).
    k_items : int
        Number of items.
    method : str
        How it was computed, e.g. ``"Cronbach's alpha, listwise; 95% CI Feldt (F distribution)"``.
    note : str
        Why ``estimate`` is NaN; empty otherwise.
    """

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    k_items: int
    method: str
    note: str = ""


def alpha_method(*, confidence: float = 0.95) -> str:
    """The ``method`` text of :func:`cronbach_alpha` for a confidence level.

    >>> alpha_method()
    "Cronbach's alpha, listwise; 95% CI Feldt (F distribution)"
    >>> alpha_method(confidence=0.975)
    "Cronbach's alpha, listwise; 97.5% CI Feldt (F distribution)"
    """
    check_confidence(confidence)
    return f"Cronbach's alpha, listwise; {confidence * 100:g}% CI Feldt (F distribution)"


def cronbach_alpha(items: pd.DataFrame, *, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha of a set of items, with a Feldt confidence interval.

    Rows with any missing item are dropped first (listwise deletion), then

    .. math:: \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\sum_i s_i^2}{s_X^2}\\Bigr)

    with :math:`k` items, item variances :math:`s_i^2` and the variance :math:`s_X^2` of the
    item sum. With :math:`\\gamma = 1 -` ``confidence`` and :math:`F^{-1}(p)` the quantile of
    :math:`F(n-1, (n-1)(k-1))` the interval is

    .. math:: [\\,1 - (1-\\alpha)F^{-1}(1-\\gamma/2),\\; 1 - (1-\\alpha)F^{-1}(\\gamma/2)\\,].

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent, numeric codes with reverse-keyed items
        already reversed. NaN marks an unscored answer.
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    AlphaResult
        When the item sum has zero variance alpha is undefined: ``estimate``, ``ci_low`` and
        ``ci_high`` are NaN and ``note`` says so.

    Raises
    ------
    ValueError
        Fewer than two items or two complete cases, or ``confidence`` outside (0, 1): programming
        errors, since callers such as :func:`reliability_by_scale` check the counts first.

    Examples
    --------
    Checked against R 4.2.2 with psych 2.2.9: ``alpha(d)$total$raw_alpha`` is
    0.93317132442284334 and ``alpha.ci(0.9331713, n.obs = 8, n.var = 3)`` gives
    0.77412356224676671 to 0.98545968177982124.

    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2, 4],
    ...                   "b": [2, 2, 3, 5, 4, 3, 1, 4],
    ...                   "c": [1, 3, 3, 4, 5, 2, 2, 5]})
    >>> res = cronbach_alpha(d)
    >>> round(res.estimate, 12), round(res.ci_low, 12), round(res.ci_high, 12)
    (0.933171324423, 0.774123562247, 0.98545968178)
    >>> res.n, res.k_items
    (8, 3)
    """
    from scipy import stats

    check_confidence(confidence)
    k = items.shape[1]
    if k < 2:
        raise ValueError(f"cronbach_alpha: needs at least 2 items; found {k}")
    values = items.to_numpy(dtype="float64")
    complete = values[~np.isnan(values).any(axis=1)]
    n = complete.shape[0]
    if n < 2:
        raise ValueError(f"cronbach_alpha: needs at least 2 complete cases; found {n}")
    method = alpha_method(confidence=confidence)
    total_variance = complete.sum(axis=1).var(ddof=1)
    if not total_variance > 0:
        return AlphaResult(math.nan, math.nan, math.nan, n, k, method, ZERO_VARIANCE)
    estimate = _alpha_of(complete)
    gamma = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ci_low = 1 - (1 - estimate) * stats.f.ppf(1 - gamma / 2, df1, df2)
    ci_high = 1 - (1 - estimate) * stats.f.ppf(gamma / 2, df1, df2)
    return AlphaResult(float(estimate), float(ci_low), float(ci_high), n, k, method)


def _alpha_of(complete: np.ndarray) -> float:
    """Cronbach's alpha of complete cases (``n × k``), with ``pingouin.cronbach_alpha``'s
    arithmetic operation for operation: its covariance matrix (``DataFrame.cov`` is ``np.cov``
    of the items as C-contiguous rows on complete data; the memory layout changes the last
    bits), trace, and sum of the column sums; the same bits (checked against pingouin in
    tests/analysis/test_alpha_matches_pingouin.py).

    Ours because importing pingouin (seaborn, matplotlib) costs about a second of the analyse
    stage's start and its per-call DataFrame work about as much again, for this one formula.
    """
    k = complete.shape[1]
    cov = np.cov(np.ascontiguousarray(complete.T), ddof=1)
    return float((k / (k - 1)) * (1 - np.trace(cov) / cov.T.sum(axis=1).sum()))


def _alpha_row(items: pd.DataFrame, n: int, *, confidence: float) -> dict[str, object]:
    k = items.shape[1]
    row: dict[str, object] = {"measure": "cronbach_alpha", "n": n, "k_items": k}
    row["method"] = alpha_method(confidence=confidence)
    if n < 2 or k < 2:
        note = "fewer than 2 items" if k < 2 else "fewer than 2 complete cases"
        return row | {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "note": note}
    res = cronbach_alpha(items, confidence=confidence)
    return (
        row
        | {"estimate": res.estimate, "ci_low": res.ci_low, "ci_high": res.ci_high}
        | {"note": res.note}
    )


@dataclass(frozen=True)
class OmegaInterval:
    """Omega's bootstrap interval: ``samples`` resamples (0: none) with ``seed``, only for rows of
    at least ``min_n`` complete cases (the rows the report keeps), at ``confidence``."""

    samples: int = 0
    seed: int = 0
    min_n: int = 0
    confidence: float = 0.95


#: No interval for omega (the default).
NO_OMEGA_INTERVAL = OmegaInterval()


def _omega_row(
    items: pd.DataFrame, alpha_row: dict[str, object], interval: OmegaInterval
) -> dict[str, object]:
    n = alpha_row["n"]
    samples = interval.samples if isinstance(n, int) and n >= interval.min_n else 0
    res = mcdonald_omega(
        items, bootstrap=samples, seed=interval.seed, confidence=interval.confidence
    )
    return alpha_row | {
        "measure": "omega_total",
        "estimate": res.estimate,
        "ci_low": res.ci_low,
        "ci_high": res.ci_high,
        "method": res.method,
        "note": res.note,
    }


def _check_by(by: tuple[str, ...], wide: pd.DataFrame, spec: InstrumentSpec) -> None:
    if not by or by[0] != "wave" or len(by) > 2 or len(set(by)) != len(by):
        raise ValueError(
            f"reliability_by_scale: by must be ('wave',) or ('wave', <column>); found {by!r}"
        )
    item_columns = [spec.column(i) for scale in spec.scales for i in scale.items]
    missing = [c for c in (*by, *item_columns) if c not in wide.columns]
    if missing:
        raise ValueError(f"reliability_by_scale ({spec.id}): missing columns {', '.join(missing)}")


def reliability_by_scale(
    wide: pd.DataFrame,
    spec: InstrumentSpec,
    *,
    by: Sequence[str] = ("wave",),
    confidence: float = 0.95,
    omega: bool = False,
    omega_interval: OmegaInterval = NO_OMEGA_INTERVAL,
) -> pd.DataFrame:
    """Cronbach's alpha (and optionally McDonald's omega total) of every scale, per wave (× group).

    Reverse-keyed items are reversed first; each scale then uses the respondents who answered all
    its items (listwise), so ``n`` can be smaller than the number with a scale score.

    Parameters
    ----------
    wide : pandas.DataFrame
        The store's wide table (see :mod:`analysis.scoring`), codes not yet reversed.
    spec : instruments.spec.InstrumentSpec
        The instrument whose scales are analysed.
    by : sequence of str, default ("wave",)
        ``("wave",)`` or ``("wave", column)``; a further column (e.g. ``"organisation"``) adds
        the columns ``group_by`` (its name) and ``group`` (its value; a missing value forms its
        own group, shown as NaN) after ``wave``.
    confidence : float, default 0.95
        Level of the Feldt interval.
    omega, omega_interval : bool, OmegaInterval
        Also give McDonald's omega total (:func:`analysis.omega.mcdonald_omega`), a second row per
        scale, ``measure`` ``omega_total``, with its bootstrap interval (none by default).

    Returns
    -------
    pandas.DataFrame
        One row per wave (× group) × scale (× coefficient), waves (and groups) sorted, scales in
        spec order, columns :data:`RELIABILITY_COLUMNS`. ``measure`` is ``cronbach_alpha`` or
        ``omega_total``; ``n`` is the number of complete cases; ``estimate`` and its interval are
        NaN when the coefficient cannot be computed, with the reason in ``note``.

    Examples
    --------
    >>> from instruments.spec import load_instrument
    >>> spec = load_instrument("nomad")
    >>> rows = [[1, 2, 1], [2, 2, 3], [3, 3, 3], [4, 5, 4], [5, 4, 5], [3, 3, 2], [2, 1, 2],
    ...         [4, 4, 5]]
    >>> wide = pd.DataFrame({
    ...     "respondent_id": [f"r{i}" for i in range(8)], "wave": "w1",
    ...     **{spec.column(i.id): float("nan") for i in spec.items},
    ... })
    >>> wide[["nomad_co1", "nomad_co2", "nomad_co3", "nomad_co4"]] = [r + [3] for r in rows]
    >>> wide.loc[7, "nomad_co4"] = 4.0  # not constant
    >>> reliability_by_scale(wide, spec)[["scale", "n", "k_items"]]  # listwise: only coherence
                         scale  n  k_items
    0                coherence  8        4
    1  cognitive_participation  0        4
    2        collective_action  0        7
    3     reflexive_monitoring  0        5
    """
    by = tuple(by)
    _check_by(by, wide, spec)
    check_confidence(confidence)
    reversed_wide = reverse_items(wide, spec)
    group_column = by[1] if len(by) == 2 else None
    rows: list[dict[str, object]] = []
    for keys, frame in reversed_wide.groupby(list(by), sort=True, dropna=False):
        head: dict[str, object] = {"instrument": spec.id, "wave": keys[0]}
        if group_column is not None:
            head |= {"group_by": group_column, "group": keys[1]}
        for scale in spec.scales:
            items = frame.loc[:, [spec.column(i) for i in scale.items]]
            n = int(items.notna().all(axis=1).sum())
            row = head | {"scale": scale.id} | _alpha_row(items, n, confidence=confidence)
            rows.append(row)
            if omega:
                rows.append(_omega_row(items, row, omega_interval))
    columns = list(RELIABILITY_COLUMNS)
    if group_column is not None:
        columns[2:2] = ["group_by", "group"]
    out = pd.DataFrame(rows, columns=columns)
    floats = {c: "float64" for c in ("estimate", "ci_low", "ci_high")}
    return out.astype({"n": "int64", "k_items": "int64"} | floats)
