"""Internal consistency of scales: Cronbach's alpha with a Feldt confidence interval, and
McDonald's omega total from a one-factor minres (unweighted least squares) solution.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.scoring import reverse_items
from instruments.spec import InstrumentSpec

__all__ = [
    "RELIABILITY_COLUMNS",
    "AlphaResult",
    "OmegaResult",
    "alpha_method",
    "cronbach_alpha",
    "mcdonald_omega",
    "omega_method",
    "reliability_by_scale",
]

#: Columns of :func:`reliability_by_scale` (``reliability.csv``) when ``by=("wave",)``.
RELIABILITY_COLUMNS: tuple[str, ...] = (
    "instrument",
    "wave",
    "scale",
    "n",
    "k_items",
    "estimate",
    "ci_low",
    "ci_high",
    "method",
)


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
    """

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    k_items: int
    method: str


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; found {confidence!r}")


def alpha_method(*, confidence: float = 0.95) -> str:
    """The ``method`` text of :func:`cronbach_alpha` for a confidence level.

    >>> alpha_method()
    "Cronbach's alpha, listwise; 95% CI Feldt (F distribution)"
    >>> alpha_method(confidence=0.975)
    "Cronbach's alpha, listwise; 97.5% CI Feldt (F distribution)"
    """
    _check_confidence(confidence)
    return f"Cronbach's alpha, listwise; {confidence * 100:g}% CI Feldt (F distribution)"


def cronbach_alpha(items: pd.DataFrame, *, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha of a set of items, with a Feldt confidence interval.

    Rows with any missing item are dropped first (listwise deletion), then

    .. math:: \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\sum_i s_i^2}{s_X^2}\\Bigr)

    with :math:`k` items, item variances :math:`s_i^2` and the variance :math:`s_X^2` of the
    item sum. The confidence interval follows Feldt's F-distribution method [2]_, as in
    ``psych::alpha.ci`` and ``pingouin.cronbach_alpha``: with :math:`\\gamma = 1 -`
    ``confidence`` and :math:`F^{-1}(p)` the quantile of :math:`F(n-1, (n-1)(k-1))`,

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
        ``estimate``, ``ci_low``, ``ci_high``, ``n`` (complete cases), ``k_items``, ``method``.
        When the item sum has zero variance (e.g. every item is constant) alpha is undefined and
        ``estimate``, ``ci_low`` and ``ci_high`` are NaN.

    Raises
    ------
    ValueError
        When there are fewer than two items or fewer than two complete cases, or ``confidence``
        is not between 0 and 1. These are programming errors: callers such as
        :func:`reliability_by_scale` check the counts first.

    Notes
    -----
    The estimate is ``psych::alpha(x)$total$raw_alpha`` on complete cases — ``psych::alpha``
    itself defaults to pairwise covariances, so pass it ``na.omit(x)`` to compare. Alpha assumes
    essentially tau-equivalent items; it is a lower bound of reliability otherwise [1]_.

    References
    ----------
    .. [1] Cronbach LJ. Coefficient alpha and the internal structure of tests. Psychometrika
       1951;16:297-334. doi:10.1007/BF02310555
    .. [2] Feldt LS, Woodruff DJ, Salih FA. Statistical inference for coefficient alpha. Applied
       Psychological Measurement 1987;11:93-103. doi:10.1177/014662168701100107
    .. [3] Revelle W. psych: Procedures for Psychological, Psychometric, and Personality
       Research. R package version 2.2.9 (``alpha``, ``alpha.ci``).

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

    _check_confidence(confidence)
    k = items.shape[1]
    if k < 2:
        raise ValueError(f"cronbach_alpha: needs at least 2 items; found {k}")
    values = items.to_numpy(dtype="float64")
    complete = values[~np.isnan(values).any(axis=1)]
    n = complete.shape[0]
    if n < 2:
        raise ValueError(f"cronbach_alpha: needs at least 2 complete cases; found {n}")
    method = alpha_method(confidence=confidence)

    item_variances = complete.var(axis=0, ddof=1)
    total_variance = complete.sum(axis=1).var(ddof=1)
    if not total_variance > 0:
        nan = float("nan")
        return AlphaResult(nan, nan, nan, n, k, method)
    estimate = k / (k - 1) * (1 - item_variances.sum() / total_variance)

    gamma = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ci_low = 1 - (1 - estimate) * stats.f.ppf(1 - gamma / 2, df1, df2)
    ci_high = 1 - (1 - estimate) * stats.f.ppf(gamma / 2, df1, df2)
    return AlphaResult(float(estimate), float(ci_low), float(ci_high), n, k, method)


@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega total of one set of items.

    Attributes
    ----------
    estimate : float
        Omega total; NaN when it cannot be computed (fewer than 3 items, a constant item).
    loadings : tuple of float
        Standardised one-factor loadings (minres), one per item.
    n : int
        Complete cases used.
    k_items : int
        Number of items.
    method : str
        How it was computed (:func:`omega_method`).
    """

    estimate: float
    loadings: tuple[float, ...]
    n: int
    k_items: int
    method: str


def omega_method() -> str:
    """The ``method`` text of :func:`mcdonald_omega`.

    >>> omega_method()
    "McDonald's omega total, one factor (minres), correlations, listwise; no CI"
    """
    return "McDonald's omega total, one factor (minres), correlations, listwise; no CI"


def _one_factor_minres(r: np.ndarray, *, tol: float = 1e-12, max_iter: int = 100_000) -> np.ndarray:
    """Loadings of a one-factor minres (ULS) solution of a correlation matrix.

    Iterated principal axes from squared multiple correlations: at convergence the communalities
    are a fixed point of the ULS (minres) criterion, the sum of squared off-diagonal residuals.
    Communalities are kept in [0.005, 0.995], as ``psych::fa``'s bounds on the uniquenesses.
    """
    k = r.shape[0]
    try:
        h2 = 1 - 1 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        h2 = np.full(k, 0.5)
    h2 = np.clip(h2, 0.005, 0.995)
    loadings = np.zeros(k)
    for _ in range(max_iter):
        reduced = r.copy()
        np.fill_diagonal(reduced, h2)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * math.sqrt(max(values[-1], 0.0))
        new = np.clip(loadings**2, 0.005, 0.995)
        if np.max(np.abs(new - h2)) < tol:
            h2 = new
            break
        h2 = new
    if loadings.sum() < 0:
        loadings = -loadings
    return loadings


def mcdonald_omega(items: pd.DataFrame) -> OmegaResult:
    """McDonald's omega total of a set of items from a one-factor model.

    Rows with any missing item are dropped (listwise). A one-factor model is fitted to the
    items' correlation matrix :math:`R` by minres (unweighted least squares, as
    ``psych::fa(fm = "minres")``), giving loadings :math:`\\lambda_i` and uniquenesses
    :math:`u_i^2 = 1 - \\lambda_i^2`. Then, as ``psych::omega(x, nfactors = 1)$omega.tot``,

    .. math:: \\omega_t = \\frac{\\mathbf{1}'R\\mathbf{1} - \\sum_i u_i^2}{\\mathbf{1}'R\\mathbf{1}}.

    The denominator is the observed variance of the standardised sum, not the model-implied one.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, reverse-keyed items already reversed; NaN marks an unscored answer.

    Returns
    -------
    OmegaResult
        ``estimate`` is NaN with fewer than 3 items (one factor is not identified), fewer than 3
        complete cases, or a constant item.

    Notes
    -----
    No confidence interval is given (psych offers only a bootstrap). Omega total does not assume
    tau-equivalence, unlike alpha [1]_.

    References
    ----------
    .. [1] McDonald RP. Test theory: a unified treatment. Mahwah (NJ): Erlbaum; 1999.
    .. [2] Revelle W, Zinbarg RE. Coefficients alpha, beta, omega, and the glb. Psychometrika
       2009;74:145-154. doi:10.1007/s11336-008-9102-z

    Examples
    --------
    Checked against R 4.2.2, psych 2.2.9 and GPArotation: ``omega(d, nfactors = 1)$omega.tot``
    is 0.937161479685:

    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2, 4],
    ...                   "b": [2, 2, 3, 5, 4, 3, 1, 4],
    ...                   "c": [1, 3, 3, 4, 5, 2, 2, 5]})
    >>> round(mcdonald_omega(d).estimate, 5)
    0.93716
    """
    k = items.shape[1]
    values = items.to_numpy(dtype="float64")
    complete = values[~np.isnan(values).any(axis=1)]
    n = complete.shape[0]
    method = omega_method()
    nan = float("nan")
    if k < 3 or n < 3 or not (complete.std(axis=0) > 0).all():
        return OmegaResult(nan, (nan,) * k, n, k, method)
    r = np.corrcoef(complete, rowvar=False)
    loadings = _one_factor_minres(r)
    total = float(r.sum())
    uniqueness = float((1 - loadings**2).sum())
    estimate = (total - uniqueness) / total
    return OmegaResult(float(estimate), tuple(float(x) for x in loadings), n, k, method)


def reliability_by_scale(
    wide: pd.DataFrame,
    spec: InstrumentSpec,
    *,
    by: Sequence[str] = ("wave",),
    confidence: float = 0.95,
    omega: bool = False,
) -> pd.DataFrame:
    """Cronbach's alpha (and optionally McDonald's omega total) of every scale, per wave (and
    optionally per group).

    Reverse-keyed items are reversed first (:func:`analysis.scoring.reverse_items`); each scale
    then uses the respondents who answered all its items (listwise), so ``n`` can be smaller
    than the number of respondents with a scale score (scores need only
    ``scale.required_answers()`` items).

    Parameters
    ----------
    wide : pandas.DataFrame
        The store's wide table (see :mod:`analysis.scoring`), codes not yet reversed.
    spec : instruments.spec.InstrumentSpec
        The instrument whose scales are analysed.
    by : sequence of str, default ("wave",)
        Grouping columns. Must contain ``"wave"``; at most one further column (e.g.
        ``"organisation"``) may be given, which adds the columns ``group_by`` (its name) and
        ``group`` (its value; a missing value forms its own group, shown as NaN).
    confidence : float, default 0.95
        Confidence level of the Feldt interval.
    omega : bool, default False
        Also give McDonald's omega total (:func:`mcdonald_omega`): a second row per scale,
        right after the alpha row, with the same columns, ``ci_low``/``ci_high`` NaN and
        ``method`` :func:`omega_method`.

    Returns
    -------
    pandas.DataFrame
        One row per wave (× group) × scale (× coefficient), waves (and groups) sorted, scales in spec order,
        with the columns ``instrument, wave, scale, n, k_items, estimate, ci_low, ci_high,
        method`` (``group_by, group`` after ``wave`` when grouping further). ``n`` is the number
        of complete cases. ``estimate``, ``ci_low`` and ``ci_high`` are NaN when ``n < 2`` or the
        scale sum has zero variance.

    Raises
    ------
    ValueError
        When ``by`` is not ``("wave",)`` or ``("wave", column)``, or a needed column is absent.

    See Also
    --------
    cronbach_alpha : the statistic, its formula and references.

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
    >>> out = reliability_by_scale(wide, spec)
    >>> out[["scale", "n", "k_items"]]
                         scale  n  k_items
    0                coherence  8        4
    1  cognitive_participation  0        4
    2        collective_action  0        7
    3     reflexive_monitoring  0        5
    """
    by = tuple(by)
    if not by or by[0] != "wave" or len(by) > 2 or len(set(by)) != len(by):
        raise ValueError(
            f"reliability_by_scale: by must be ('wave',) or ('wave', <column>); found {by!r}"
        )
    method = alpha_method(confidence=confidence)
    item_columns = [spec.column(i) for scale in spec.scales for i in scale.items]
    missing = [c for c in (*by, *item_columns) if c not in wide.columns]
    if missing:
        raise ValueError(f"reliability_by_scale ({spec.id}): missing columns {', '.join(missing)}")
    reversed_wide = reverse_items(wide, spec)
    group_column = by[1] if len(by) == 2 else None

    rows: list[dict[str, object]] = []
    for keys, frame in reversed_wide.groupby(list(by), sort=True, dropna=False):
        wave = keys[0]
        for scale in spec.scales:
            items = frame.loc[:, [spec.column(i) for i in scale.items]]
            k = len(scale.items)
            n = int(items.notna().all(axis=1).sum())
            row: dict[str, object] = {"instrument": spec.id, "wave": wave}
            if group_column is not None:
                row["group_by"] = group_column
                row["group"] = keys[1]
            row |= {"scale": scale.id, "n": n, "k_items": k}
            if n >= 2 and k >= 2:
                res = cronbach_alpha(items, confidence=confidence)
                row |= {"estimate": res.estimate, "ci_low": res.ci_low, "ci_high": res.ci_high}
            else:
                row |= {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan}
            row["method"] = method
            rows.append(row)
            if omega:
                res_omega = mcdonald_omega(items)
                rows.append(
                    row
                    | {
                        "estimate": res_omega.estimate,
                        "ci_low": math.nan,
                        "ci_high": math.nan,
                        "method": res_omega.method,
                    }
                )

    columns = list(RELIABILITY_COLUMNS)
    if group_column is not None:
        columns[2:2] = ["group_by", "group"]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype(
        {
            "n": "int64",
            "k_items": "int64",
            "estimate": "float64",
            "ci_low": "float64",
            "ci_high": "float64",
        }
    )


#: Columns of :func:`item_rest_statistics` (``item_statistics.csv``).
ITEM_STATISTICS_COLUMNS: tuple[str, ...] = (
    "instrument",
    "wave",
    "scale",
    "item",
    "n",
    "r_item_rest",
    "alpha_if_deleted",
    "method",
)


def item_rest_statistics(
    wide: pd.DataFrame, spec: InstrumentSpec, *, by: Sequence[str] = ("wave",)
) -> pd.DataFrame:
    """Item–rest correlations and alpha if item deleted, per scale and wave.

    For each scale the respondents who answered every item are used (as in
    :func:`reliability_by_scale`), reverse-keyed items reversed first. The item–rest correlation
    is the Pearson correlation of an item with the sum of the scale's *other* items
    (``psych::alpha``'s ``r.drop``); alpha if deleted is Cronbach's alpha of the other items
    (``alpha.drop$raw_alpha``). A negative item–rest correlation usually means an item whose
    reverse key is missing.

    Parameters
    ----------
    wide : pandas.DataFrame
        The store's wide table, codes not yet reversed.
    spec : instruments.spec.InstrumentSpec
        The instrument.
    by : sequence of str, default ("wave",)
        Grouping columns; must be ``("wave",)`` for now.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ITEM_STATISTICS_COLUMNS`; NaN where fewer than 3 complete cases or the
        statistic is undefined (a constant item, or a two-item scale's alpha if deleted).

    Examples
    --------
    Checked against R 4.2.2, psych 2.2.9: ``alpha(d)$item.stats$r.drop`` is 0.9276014470,
    0.8094446585, 0.8599394155 and ``alpha(d)$alpha.drop$raw_alpha`` is 0.8533333333,
    0.9434889435, 0.9090909091:

    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2, 4],
    ...                   "b": [2, 2, 3, 5, 4, 3, 1, 4],
    ...                   "c": [1, 3, 3, 4, 5, 2, 2, 5]})
    >>> _item_rest(d.to_numpy(dtype="float64"))[0].round(10).tolist()
    [0.927601447, 0.8094446585, 0.8599394155]
    >>> _item_rest(d.to_numpy(dtype="float64"))[1].round(10).tolist()
    [0.8533333333, 0.9434889435, 0.9090909091]
    """
    if tuple(by) != ("wave",):
        raise ValueError(f"item_rest_statistics: by must be ('wave',); got {tuple(by)}")
    reversed_wide = reverse_items(wide, spec)
    rows: list[dict] = []
    for wave in sorted(reversed_wide["wave"].dropna().unique(), key=str):
        part = reversed_wide[reversed_wide["wave"] == wave]
        for scale in spec.scales:
            if len(scale.items) < 2:
                continue
            values = part[[spec.column(i) for i in scale.items]].to_numpy(dtype="float64")
            complete = values[~np.isnan(values).any(axis=1)]
            n = complete.shape[0]
            if n >= 3:
                r, alpha_drop = _item_rest(complete)
            else:
                r = alpha_drop = np.full(len(scale.items), np.nan)
            for j, item_id in enumerate(scale.items):
                rows.append(
                    {
                        "instrument": spec.id,
                        "wave": wave,
                        "scale": scale.id,
                        "item": item_id,
                        "n": n,
                        "r_item_rest": float(r[j]),
                        "alpha_if_deleted": float(alpha_drop[j]),
                        "method": "Pearson item-rest correlation and alpha if item deleted, listwise",
                    }
                )
    out = pd.DataFrame(rows, columns=list(ITEM_STATISTICS_COLUMNS))
    return out.astype({"n": "int64", "r_item_rest": "float64", "alpha_if_deleted": "float64"})


def _item_rest(complete: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(item–rest correlations, alpha if deleted) for a complete n × k array."""
    k = complete.shape[1]
    total = complete.sum(axis=1)
    r = np.full(k, np.nan)
    alpha_drop = np.full(k, np.nan)
    for j in range(k):
        rest = total - complete[:, j]
        if complete[:, j].std() > 0 and rest.std() > 0:
            r[j] = np.corrcoef(complete[:, j], rest)[0, 1]
        others = np.delete(complete, j, axis=1)
        if others.shape[1] >= 2:
            variance = others.sum(axis=1).var(ddof=1)
            if variance > 0:
                m = others.shape[1]
                alpha_drop[j] = m / (m - 1) * (1 - others.var(axis=0, ddof=1).sum() / variance)
    return r, alpha_drop
