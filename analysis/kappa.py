"""Kappa coefficients of inter-coder agreement: Cohen's kappa, unweighted and weighted (linear,
quadratic or a custom weight matrix) with its standard error and interval, Fleiss' kappa for more
coders, and the Brennan–Prediger kappa (MAXQDA's).

Cohen's and Fleiss' kappa and the Fleiss–Cohen–Everitt standard error are computed by
``statsmodels.stats.inter_rater``; the reliability data are read as in :mod:`analysis.agreement`.
The Brennan–Prediger kappa with missing values (Gwet 2014) is ours: statsmodels has it for
complete data only.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
Cohen J (1960). A coefficient of agreement for nominal scales. *Educ Psychol Meas* 20:37–46.
Cohen J (1968). Weighted kappa. *Psychol Bull* 70:213–220.
Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted kappa.
*Psychol Bull* 72:323–327.
Fleiss JL (1971). Measuring nominal scale agreement among many raters. *Psychol Bull* 76:378–382.
Brennan RL, Prediger DJ (1981). Coefficient kappa: some uses, misuses, and alternatives. *Educ
Psychol Meas* 41:687–699.
Gwet KL (2014). *Handbook of Inter-Rater Reliability*, 4th ed. Advanced Analytics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from analysis.agreement import (
    NO_COMPLETE,
    NO_PAIRS,
    NO_VARIATION,
    ONE_CATEGORY,
    AgreementResult,
    category_counts,
    category_domain,
    category_scores,
    pairable_ratings,
    result_of,
)

__all__ = [
    "Weights",
    "brennan_prediger_kappa",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "fleiss_kappa",
]

#: Kappa's weights: ``None``/``"unweighted"``, ``"linear"``, ``"quadratic"`` or a square matrix of
#: disagreement weights (0 on the diagonal).
Weights = str | Sequence[Sequence[float]] | np.ndarray | None


def _kappa_weights(weights: Weights, k: int, scores: np.ndarray) -> tuple[str, dict]:
    """The metric's name and the ``weights``/``wt`` arguments of statsmodels' ``cohens_kappa``
    (disagreement weights: 0 on the diagonal; kappa and its SE do not depend on their scale)."""
    if weights is None or (isinstance(weights, str) and weights in ("none", "unweighted")):
        return "unweighted", {}
    if isinstance(weights, str):
        if weights not in ("linear", "quadratic"):
            raise ValueError(f"weights must be linear, quadratic or a matrix; got {weights!r}")
        return weights, {"weights": scores, "wt": weights}
    matrix = np.asarray(weights, dtype=float)
    if matrix.shape != (k, k) or np.any(np.diag(matrix) != 0) or np.any(matrix < 0):
        raise ValueError(
            f"a weight matrix must be {k} × {k} disagreement weights, 0 on the diagonal"
        )
    return "custom", {"weights": matrix}


def cohen_kappa_from_table(
    table: Sequence[Sequence[float]] | np.ndarray | pd.DataFrame,
    *,
    weights: Weights = None,
    scores: Sequence[float] | np.ndarray | None = None,
    confidence: float = 0.95,
) -> AgreementResult:
    """Cohen's kappa from a square agreement table (rows: coder 1, columns: coder 2), unweighted
    or weighted (Cohen 1968), by ``statsmodels.stats.inter_rater.cohens_kappa``.

    The standard error is the large-sample one of Fleiss, Cohen & Everitt (1969), weighted or not
    (as SAS ``PROC FREQ``; R ``psych::cohen.kappa`` gives the same for unweighted kappa, but its
    weighted variance changes with the scale of the weights); the interval is ``kappa ± z·SE``,
    clipped to [−1, 1].

    Parameters
    ----------
    table
        Counts.
    weights
        ``None`` (unweighted), ``"linear"``, ``"quadratic"`` (on ``scores``, default 1, 2, …) or
        a square matrix of disagreement weights (0 on the diagonal), as Cohen (1968).
    scores
        The numbers of the categories for linear and quadratic weights.
    confidence
        Level of the interval.

    References
    ----------
    Fleiss, Cohen & Everitt (1969), table 1: 200 subjects, three categories, kappa = .429.
    Cohen (1968): the proportions of his example with disagreement weights 0, 1, 3, 6: kappa =
    .492, weighted kappa = .348.

    Examples
    --------
    >>> round(cohen_kappa_from_table([[20, 5], [10, 15]]).estimate, 4)
    0.4
    """
    from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

    x = np.asarray(table, dtype=float)
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        raise ValueError(f"the agreement table must be square; got shape {x.shape}")
    k = x.shape[0]
    numbers = np.asarray(scores, float) if scores is not None else np.arange(1.0, k + 1)
    metric, kwargs = _kappa_weights(weights, k, numbers)
    total = float(x.sum())
    n = round(total)
    method = f"Cohen's kappa, {metric}; SE Fleiss, Cohen & Everitt (1969), normal interval"
    result = AgreementResult("cohen_kappa", math.nan, n, 2, 2 * n, method=method, metric=metric)
    p = x / total if total > 0 else x
    if total <= 0 or float((p.sum(axis=1) * p.sum(axis=0)).sum()) >= 1 - 1e-12:
        return replace(result, note=NO_PAIRS if total <= 0 else NO_VARIATION)
    with np.errstate(invalid="ignore"):  # statsmodels takes the root of a variance that can be -0
        res = sm_kappa(x, **kwargs)
    se = math.sqrt(max(float(res.var_kappa), 0.0))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    kappa = float(res.kappa)
    return replace(
        result,
        estimate=kappa,
        std_error=se,
        ci_low=max(-1.0, kappa - z * se),
        ci_high=min(1.0, kappa + z * se),
    )


def _agreement_table(first: pd.Series, second: pd.Series, domain: list[object]) -> np.ndarray:
    """The two coders' agreement table over ``domain`` (rows: the first coder), counting the
    units both gave a value (each in ``domain``: :func:`category_domain` checked): what
    ``pd.crosstab`` of the two as categoricals gives, from one ``bincount`` (crosstab costs
    ~10 ms a call, and cohen_kappa is called once per code).

    >>> _agreement_table(pd.Series([1, 1, 0, None]), pd.Series([1, 0, 0, 1]), [0, 1])
    array([[1, 0],
           [1, 1]])
    """
    a = pd.Categorical(first, categories=domain).codes.astype(np.intp)
    b = pd.Categorical(second, categories=domain).codes.astype(np.intp)
    both = (a >= 0) & (b >= 0)
    q = len(domain)
    return np.bincount(a[both] * q + b[both], minlength=q * q).reshape(q, q)


def cohen_kappa(
    ratings: pd.DataFrame,
    *,
    categories: Sequence[object] | None = None,
    weights: Weights = None,
    scores: Sequence[float] | None = None,
    confidence: float = 0.95,
) -> AgreementResult:
    """Cohen's kappa for exactly two coders on the units both judged (:func:`cohen_kappa_from_table`
    on their agreement table over ``categories``, declared or seen).

    Raises
    ------
    ValueError
        When the pairable data hold other than two coders.

    Examples
    --------
    >>> r = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3, 4, 4], "coder": list("abababab"),
    ...                   "value": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> round(cohen_kappa(r).estimate, 4)
    0.5
    """
    data = pairable_ratings(ratings)
    coders = result_of("cohen_kappa", data, "Cohen's kappa").coders
    if not coders:
        return replace(result_of("cohen_kappa", data, "Cohen's kappa"), note=NO_PAIRS)
    if len(coders) != 2:
        raise ValueError(f"Cohen's kappa needs exactly two coders; found {len(coders)}")
    domain = category_domain(data["value"], categories)
    wide = data.assign(coder=data["coder"].astype(str)).pivot(
        index="unit", columns="coder", values="value"
    )
    numbers = category_scores(domain, scores)
    result = cohen_kappa_from_table(
        _agreement_table(wide[coders[0]], wide[coders[1]], domain),
        weights=weights,
        scores=numbers,
        confidence=confidence,
    )
    if len(domain) < 2:
        result = replace(result, estimate=math.nan, note=ONE_CATEGORY)
    return replace(result, coders=coders)


def fleiss_kappa(
    ratings: pd.DataFrame,
    *,
    categories: Sequence[object] | None = None,
) -> AgreementResult:
    """Fleiss' kappa (Fleiss 1971) on the units every coder judged, by
    ``statsmodels.stats.inter_rater.fleiss_kappa`` (it needs the same number of ratings per unit).

    References
    ----------
    Fleiss (1971): 30 patients, 6 psychiatrists each, 5 diagnoses: kappa = .430 (R
    ``irr::kappam.fleiss(diagnoses)`` 0.4302445).
    """
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    data = pairable_ratings(ratings)
    coders = data["coder"].nunique()
    complete = data[data.groupby("unit")["coder"].transform("size") == coders]
    result = result_of("fleiss_kappa", complete, "Fleiss' kappa on the units every coder judged")
    result = replace(result, n_coders=coders, coders=result_of("", data, "").coders)
    if complete.empty:
        return replace(result, note=NO_COMPLETE if len(data) else NO_PAIRS)
    counts = category_counts(complete, category_domain(complete["value"], categories))
    p = counts.sum(axis=0) / counts.sum()
    if float((p**2).sum()) >= 1 - 1e-12:
        return replace(result, note=NO_VARIATION)
    return replace(result, estimate=float(sm_fleiss(counts, method="fleiss")))


def brennan_prediger_kappa(
    ratings: pd.DataFrame,
    *,
    categories: Sequence[object] | None = None,
) -> AgreementResult:
    """The Brennan–Prediger kappa, chance agreement ``1/q`` for ``q`` categories (MAXQDA's kappa).

    ``(p_a - 1/q) / (1 - 1/q)`` with Gwet's (2014) observed agreement for any number of coders and
    missing values: ``p_a`` is the mean over the units with two or more values of the share of
    agreeing coder pairs in the unit (for two coders without missing values, percent agreement).
    statsmodels' ``fleiss_kappa(method="randolph")`` is the same coefficient for complete data
    only, so this one is ours. ``q`` is the number of ``categories`` declared (default: seen).

    References
    ----------
    Gwet (2014), p. 120 data (4 raters, 12 units, missing values; irrCAC ``bp.coeff.raw``):
    p_a 0.818, kappa 0.773. Gwet's ``cont3x3abstractors`` (two raters, 100 women): 0.835.

    Examples
    --------
    >>> r = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3], "coder": list("ababab"),
    ...                   "value": ["x", "x", "y", "x", "x", "x"]})
    >>> round(brennan_prediger_kappa(r).estimate, 4)
    0.3333
    """
    data = pairable_ratings(ratings)
    domain = category_domain(data["value"], categories)
    q = len(domain)
    method = (
        f"Brennan-Prediger kappa, chance agreement 1/{q}; observed agreement per unit (Gwet 2014)"
    )
    result = result_of("brennan_prediger_kappa", data, method)
    if data.empty or q < 2:
        return replace(result, note=NO_PAIRS if data.empty else ONE_CATEGORY)
    counts = category_counts(data, domain)
    m = counts.sum(axis=1)
    p_a = float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())
    return replace(result, estimate=(p_a - 1 / q) / (1 - 1 / q))
