"""Inter-coder agreement: reliability data, percent agreement and Krippendorff's alpha at every level
of measurement (the kappas are in :mod:`analysis.kappa`).

Reliability data come as a long table with the columns ``unit``, ``coder`` and ``value``
(:data:`RATING_COLUMNS`): one row per unit × coder with the value the coder gave (a missing value,
or no row, means the coder did not judge that unit). What a unit is — a segment
× code decision, a document × code decision, a segment given one category of a code group — is
declared by the caller and written next to every number (:mod:`analysis.agreement_tables`), because
NVivo, ATLAS.ti and MAXQDA each count in different units (see ``docs/interviews.md``).

The field's libraries compute the coefficients: Krippendorff's alpha comes from the
``krippendorff`` package, the kappas from ``statsmodels.stats.inter_rater`` (:mod:`analysis.kappa`).
Ours are the parts they leave out: the long-table bookkeeping (pairable units, coders, declared
categories), percent agreement over coder pairs, the bootstrap interval of alpha
(:mod:`analysis.agreement_bootstrap`) and an empty estimate with a reason instead of a warning.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
Communication, University of Pennsylvania, https://repository.upenn.edu/asc_papers/43.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from analysis.agreement_bootstrap import NO_BOOTSTRAP, Bootstrap, alpha_bootstrap, distances

__all__ = [
    "LEVELS",
    "NO_BOOTSTRAP",
    "RATING_COLUMNS",
    "AgreementResult",
    "Bootstrap",
    "Level",
    "category_counts",
    "category_domain",
    "category_scores",
    "coincidence_matrix",
    "krippendorff_alpha",
    "krippendorff_alpha_nominal",
    "pairable_ratings",
    "percent_agreement",
    "result_of",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]

#: Krippendorff's levels of measurement (the metric of alpha).
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

#: Why an estimate is empty (the ``note`` of an agreement row).
NO_PAIRS = "no unit was judged by two coders"
NO_VARIATION = "every value is the same: there is no variation to correct for chance"
ONE_CATEGORY = "fewer than two categories: chance agreement is certain"
NO_COMPLETE = "no unit was judged by every coder"


@dataclass(frozen=True)
class AgreementResult:
    """One agreement coefficient.

    Attributes
    ----------
    measure : str
        ``percent_agreement``, ``cohen_kappa``, ``fleiss_kappa``, ``brennan_prediger_kappa`` or
        ``krippendorff_alpha``.
    estimate : float
        The coefficient; NaN when it is undefined, with the reason in ``note``.
    n_units : int
        Units the estimate rests on (judged by at least two coders; by every coder for Fleiss).
    n_coders : int
        Coders with at least one value in those units.
    n_values : int
        Pairable values (Krippendorff's *n*; for two coders without missing data 2 × n_units).
    ci_low, ci_high : float
        Confidence interval where one is computed (Cohen's kappa; alpha by bootstrap), else NaN.
    method : str
        How it was computed.
    std_error : float
        Standard error where one is computed (Cohen's kappa), else NaN.
    metric : str
        Alpha's level of measurement, or kappa's weights (``unweighted``, ``linear``,
        ``quadratic``, ``custom``); ``nominal`` for the other coefficients.
    coders : tuple of str
        The coders with values, sorted.
    note : str
        Why ``estimate`` (or the interval) is empty; empty otherwise.
    """

    measure: str
    estimate: float
    n_units: int
    n_coders: int
    n_values: int
    ci_low: float = math.nan
    ci_high: float = math.nan
    method: str = ""
    std_error: float = math.nan
    metric: str = "nominal"
    coders: tuple[str, ...] = ()
    note: str = ""


# -- reliability data -----------------------------------------------------------------------------
#: The columns of reliability data: the unit, the coder and the value the coder gave it.
RATING_COLUMNS: tuple[str, ...] = ("unit", "coder", "value")


def pairable_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """The values of the units that at least two coders judged (:data:`RATING_COLUMNS`)."""
    missing = [c for c in RATING_COLUMNS if c not in ratings.columns]
    if missing:
        raise KeyError(f"ratings: columns not in the table: {', '.join(missing)}")
    data = ratings.loc[ratings["value"].notna(), list(RATING_COLUMNS)]
    dup = data.duplicated(["unit", "coder"])
    if dup.any():
        raise ValueError(
            f"ratings: {int(dup.sum())} unit × coder pair(s) have more than one value; give one "
            f"value per coder and unit"
        )
    m = data.groupby("unit", sort=False)["coder"].transform("size")
    return data.loc[m >= 2]


def category_domain(values: pd.Series, categories: Sequence[object] | None) -> list[object]:
    """The categories in order: as declared, else the values seen (sorted)."""
    if categories is not None:
        unknown = sorted({str(v) for v in values if v not in set(categories)})
        if unknown:
            raise ValueError(f"ratings: values not among the categories: {', '.join(unknown)}")
        return list(categories)
    return sorted(pd.unique(values).tolist(), key=lambda v: (str(type(v)), v))


def category_counts(data: pd.DataFrame, domain: list[object]) -> np.ndarray:
    """Units × categories: how many coders gave each category to each unit (units sorted, as
    ``pd.crosstab`` orders them; a value outside ``domain`` is not counted, its unit still a
    row). Counted with one ``bincount``: ``pd.crosstab`` costs ~0.1 s a call."""
    units = data["unit"]
    if units.isna().any():  # crosstab's own rules for a missing unit
        table = pd.crosstab(units, pd.Categorical(data["value"], categories=domain), dropna=False)
        return table.reindex(columns=domain, fill_value=0).to_numpy(dtype=float)
    unit_index, unit_values = pd.factorize(units, sort=True)
    value_index = pd.Categorical(data["value"], categories=domain).codes.astype(np.intp)
    n_units, n_values = len(unit_values), len(domain)
    known = value_index >= 0
    cells = unit_index[known] * n_values + value_index[known]
    counts = np.bincount(cells, minlength=n_units * n_values)
    return counts.reshape(n_units, n_values).astype(float)


def result_of(
    measure: str, data: pd.DataFrame, method: str, metric: str = "nominal"
) -> AgreementResult:
    """An empty result of ``measure`` on the reliability data ``data``: its units, coders and
    values counted, the estimate still NaN."""
    coders = tuple(sorted(str(c) for c in data["coder"].unique()))
    return AgreementResult(
        measure,
        math.nan,
        n_units=int(data["unit"].nunique()),
        n_coders=len(coders),
        n_values=len(data),
        method=method,
        metric=metric,
        coders=coders,
    )


def coincidence_matrix(
    ratings: pd.DataFrame,
    *,
    categories: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Krippendorff's coincidence matrix.

    Each unit with ``m_u >= 2`` values contributes every ordered pair of its values from different
    coders with weight ``1 / (m_u - 1)``, so a unit adds exactly ``m_u`` to the matrix total.

    Parameters
    ----------
    ratings
        Reliability data (:data:`RATING_COLUMNS`): one row per unit × coder. Missing values are
        skipped. Not modified.
    categories
        The categories in order (default: the values seen in pairable units, sorted).

    Returns
    -------
    pandas.DataFrame
        Square, indexed and columned by the categories.
    """
    data = pairable_ratings(ratings)
    domain = category_domain(data["value"], categories)
    counts = category_counts(data, domain)
    m = counts.sum(axis=1)
    o = np.einsum("uc,uk->ck", counts / np.maximum(m - 1, 1)[:, None], counts)
    o -= np.diag((counts / np.maximum(m - 1, 1)[:, None]).sum(axis=0))
    return pd.DataFrame(o, index=domain, columns=domain)


# -- Krippendorff's alpha -------------------------------------------------------------------------
def krippendorff_alpha(
    ratings: pd.DataFrame,
    *,
    level: Level = "nominal",
    categories: Sequence[object] | None = None,
    scores: Sequence[float] | None = None,
    bootstrap: Bootstrap = NO_BOOTSTRAP,
) -> AgreementResult:
    """Krippendorff's alpha at a level of measurement, any number of coders, missing values allowed.

    ``alpha = 1 - D_o / D_e`` from the coincidence matrix of the pairable values and the metric's
    difference function (Krippendorff 2011), computed by ``krippendorff.alpha``.

    Parameters
    ----------
    ratings
        Long reliability data (see :func:`coincidence_matrix`). Not modified.
    level
        ``nominal``, ``ordinal``, ``interval`` or ``ratio``.
    categories
        The categories in order (the value domain; unobserved ones count for the ordinal metric
        only through their absence). Default: the values seen, sorted.
    scores
        The number each category stands for (interval and ratio; ordinal uses only the order).
        Default: the categories themselves when they are numbers, else 1, 2, ….
    bootstrap
        An interval by the bootstrap of Hayes & Krippendorff (2007)
        (:func:`analysis.agreement_bootstrap.alpha_bootstrap`); 0 samples (the default): none.

    Returns
    -------
    AgreementResult
        ``estimate`` is NaN, with ``note``, when no unit has two values or every pairable value
        is the same (no variation: expected disagreement is zero).

    References
    ----------
    Krippendorff K (2011), data C (four observers, twelve units, missing values): nominal 0.743,
    ordinal 0.815, interval 0.849, ratio 0.797.

    Examples
    --------
    >>> r = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3], "coder": list("ababab"),
    ...                   "value": [1, 1, 0, 0, 1, 0]})
    >>> round(krippendorff_alpha(r).estimate, 4)
    0.4444
    """
    import krippendorff

    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    data = pairable_ratings(ratings)
    method = f"Krippendorff's alpha, {level}; coincidence matrix of the pairable values"
    result = result_of("krippendorff_alpha", data, method, level)
    if data.empty or data["value"].nunique() < 2:
        return replace(result, note=NO_PAIRS if data.empty else NO_VARIATION)
    domain = category_domain(data["value"], categories)
    numbers = category_scores(domain, scores)
    counts = category_counts(data, domain)
    estimate = float(
        krippendorff.alpha(value_counts=counts, value_domain=numbers, level_of_measurement=level)
    )
    result = replace(result, estimate=estimate)
    samples, seed, confidence = bootstrap.samples, bootstrap.seed, bootstrap.confidence
    if samples <= 0:
        return result
    o = coincidence_matrix(data, categories=domain).to_numpy()
    low, high, note = alpha_bootstrap(
        o, distances(o, numbers, level), coders=result.n_coders, bootstrap=bootstrap
    )
    return replace(
        result,
        ci_low=low,
        ci_high=high,
        note=note,
        method=f"{method}; {confidence * 100:g}% CI by bootstrap (Hayes & Krippendorff 2007), "
        f"{samples} samples, seed {seed}",
    )


def category_scores(domain: list[object], scores: Sequence[float] | None) -> np.ndarray:
    if scores is not None:
        if len(scores) != len(domain):
            raise ValueError(f"scores: {len(scores)} numbers for {len(domain)} categories")
        return np.asarray(scores, dtype=float)
    if all(isinstance(v, int | float | np.integer | np.floating) for v in domain):
        return np.asarray(domain, dtype=float)
    return np.arange(1, len(domain) + 1, dtype=float)


def krippendorff_alpha_nominal(ratings: pd.DataFrame) -> AgreementResult:
    """Krippendorff's alpha for nominal data (:func:`krippendorff_alpha` with ``level="nominal"``).

    References
    ----------
    Krippendorff K (2011). Computing Krippendorff's alpha-reliability, section C ("nominal data,
    any number of observers, missing data"): four observers, twelve units, alpha = 0.743.
    """
    return krippendorff_alpha(ratings, level="nominal")


# -- agreement and kappas -------------------------------------------------------------------------
def percent_agreement(ratings: pd.DataFrame) -> AgreementResult:
    """Share of agreeing coder pairs within units.

    For two coders this is the share of units (judged by both) where they gave the same value.
    For more coders every pair of coders within a unit counts once: the share of agreeing pairs
    among all pairs.

    Examples
    --------
    >>> r = pd.DataFrame({"unit": [1, 1, 2, 2], "coder": list("abab"), "value": [1, 1, 0, 1]})
    >>> percent_agreement(r).estimate
    0.5
    """
    data = pairable_ratings(ratings)
    result = result_of("percent_agreement", data, "percent agreement over coder pairs within units")
    if data.empty:
        return replace(result, note=NO_PAIRS)
    counts = category_counts(data, category_domain(data["value"], None))
    m = counts.sum(axis=1)
    pairs = float((m * (m - 1) / 2).sum())
    agree = float((counts * (counts - 1) / 2).sum())
    return replace(result, estimate=agree / pairs)
