"""Inter-coder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha (nominal).

Reliability data come as a long table: one row per *unit* × *coder* with the value the coder gave
(a missing value, or no row, means the coder did not judge that unit). What a unit is — a segment
of an interview, a whole document, a segment × code decision — is declared by the caller and written
next to every number (``unit_of_analysis``), because NVivo, ATLAS.ti and MAXQDA each count in
different units (see ``docs/interviews.md``).

:func:`coding_decisions` turns coded segments into such reliability data: binary decisions "coder
c applied code k to unit u" on the double-coded material, at the segment level (segments of
different coders that overlap enough form one unit) or the document level (code present anywhere
in the document); it lives in :mod:`analysis.coding_decisions`. :func:`agreement_by_code` then
computes every measure per code, per construct and over all codes.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
Cohen J (1960). A coefficient of agreement for nominal scales. *Educ Psychol Meas* 20:37–46.
Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted kappa.
*Psychol Bull* 72:323–327.
Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
Communication, University of Pennsylvania, https://repository.upenn.edu/asc_papers/43.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "AGREEMENT_COLUMNS",
    "AgreementResult",
    "agreement_by_code",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "coincidence_matrix",
    "krippendorff_alpha_nominal",
    "percent_agreement",
]

#: Columns of :func:`agreement_by_code` (``agreement.csv``).
AGREEMENT_COLUMNS: tuple[str, ...] = (
    "unit_of_analysis",
    "code_level",
    "code",
    "measure",
    "n_units",
    "n_coders",
    "n_values",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "method",
)

ArrayLikeTable = Sequence[Sequence[float]] | np.ndarray | pd.DataFrame


@dataclass(frozen=True)
class AgreementResult:
    """One agreement coefficient.

    Attributes
    ----------
    measure : str
        ``percent_agreement``, ``cohen_kappa`` or ``krippendorff_alpha``.
    estimate : float
        The coefficient; NaN when it is undefined (e.g. every value the same, so no chance
        correction is possible, or no unit judged by two coders).
    n_units : int
        Units judged by at least two coders (the pairable units the estimate rests on).
    n_coders : int
        Coders with at least one value in those units.
    n_values : int
        Pairable values (Krippendorff's *n*; for two coders without missing data 2 × n_units).
    ci_low, ci_high : float
        Confidence interval where one is computed (Cohen's kappa), else NaN.
    method : str
        How it was computed.
    std_error : float
        Standard error where one is computed (Cohen's kappa), else NaN.
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


# -- reliability data -----------------------------------------------------------------------------
def _pairable(ratings: pd.DataFrame, unit: str, coder: str, value: str) -> pd.DataFrame:
    missing = [c for c in (unit, coder, value) if c not in ratings.columns]
    if missing:
        raise KeyError(f"ratings: columns not in the table: {', '.join(missing)}")
    data = ratings.loc[ratings[value].notna(), [unit, coder, value]]
    dup = data.duplicated([unit, coder])
    if dup.any():
        raise ValueError(
            f"ratings: {int(dup.sum())} unit × coder pair(s) have more than one value; give one "
            f"value per coder and unit"
        )
    m = data.groupby(unit, sort=False)[coder].transform("size")
    return data.loc[m >= 2]


def coincidence_matrix(
    ratings: pd.DataFrame, *, unit: str = "unit", coder: str = "coder", value: str = "value"
) -> pd.DataFrame:
    """Krippendorff's coincidence matrix of nominal values.

    Each unit with ``m_u >= 2`` values contributes every ordered pair of its values from different
    coders with weight ``1 / (m_u - 1)``, so a unit adds exactly ``m_u`` to the matrix total.

    Parameters
    ----------
    ratings
        Long reliability data: one row per unit × coder. Missing values are skipped. Not modified.
    unit, coder, value
        The columns holding the unit, the coder and the value.

    Returns
    -------
    pandas.DataFrame
        Square, indexed and columned by the values seen in pairable units (sorted).
    """
    data = _pairable(ratings, unit, coder, value)
    labels = sorted(data[value].unique().tolist(), key=lambda v: (str(type(v)), v))
    index = {v: i for i, v in enumerate(labels)}
    o = np.zeros((len(labels), len(labels)))
    for _, part in data.groupby(unit, sort=False):
        counts = np.zeros(len(labels))
        for v in part[value]:
            counts[index[v]] += 1
        m = counts.sum()
        o += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    return pd.DataFrame(o, index=labels, columns=labels)


def krippendorff_alpha_nominal(
    ratings: pd.DataFrame, *, unit: str = "unit", coder: str = "coder", value: str = "value"
) -> AgreementResult:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    ``alpha = 1 - D_o / D_e`` computed from the coincidence matrix ``o`` with marginals ``n_c``
    and total ``n``: ``alpha = ((n - 1) * sum_c o_cc - sum_c n_c (n_c - 1)) /
    (n (n - 1) - sum_c n_c (n_c - 1))`` (Krippendorff 2011, section C).

    Parameters
    ----------
    ratings
        Long reliability data (see :func:`coincidence_matrix`). Not modified.
    unit, coder, value
        Column names.

    Returns
    -------
    AgreementResult
        ``estimate`` is NaN when fewer than two values are pairable or all pairable values are
        the same (no variation: expected disagreement is zero).

    References
    ----------
    Krippendorff K (2011). Computing Krippendorff's alpha-reliability, section C ("nominal data,
    any number of observers, missing data"): four observers, twelve units, alpha = 0.743.

    Examples
    --------
    >>> r = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3], "coder": list("ababab"),
    ...                   "value": [1, 1, 0, 0, 1, 0]})
    >>> round(krippendorff_alpha_nominal(r).estimate, 4)
    0.4444
    """
    data = _pairable(ratings, unit, coder, value)
    o = coincidence_matrix(data, unit=unit, coder=coder, value=value).to_numpy()
    n_units = int(data[unit].nunique())
    n_coders = int(data[coder].nunique())
    n = float(o.sum())
    method = "Krippendorff's alpha, nominal; coincidence matrix, pairable values only"
    if n < 2:
        return AgreementResult("krippendorff_alpha", math.nan, n_units, n_coders, 0, method=method)
    n_c = o.sum(axis=1)
    expected = n * (n - 1) - float((n_c * (n_c - 1)).sum())
    if expected <= 0:
        estimate = math.nan
    else:
        estimate = ((n - 1) * float(np.trace(o)) - float((n_c * (n_c - 1)).sum())) / expected
    return AgreementResult(
        "krippendorff_alpha", estimate, n_units, n_coders, round(n), method=method
    )


def percent_agreement(
    ratings: pd.DataFrame, *, unit: str = "unit", coder: str = "coder", value: str = "value"
) -> AgreementResult:
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
    data = _pairable(ratings, unit, coder, value)
    agree = pairs = 0
    for _, part in data.groupby(unit, sort=False):
        values = part[value].tolist()
        for a, b in combinations(values, 2):
            pairs += 1
            agree += a == b
    estimate = agree / pairs if pairs else math.nan
    return AgreementResult(
        "percent_agreement",
        estimate,
        int(data[unit].nunique()),
        int(data[coder].nunique()),
        len(data),
        method="percent agreement over coder pairs within units",
    )


def cohen_kappa_from_table(table: ArrayLikeTable, *, confidence: float = 0.95) -> AgreementResult:
    """Cohen's kappa from a square agreement table (rows: coder 1, columns: coder 2).

    The standard error is the large-sample one of Fleiss, Cohen & Everitt (1969), as in R
    ``psych::cohen.kappa``; the interval is ``kappa ± z * SE``, clipped to [−1, 1].

    Parameters
    ----------
    table
        Counts (or proportions with ``table.sum() == 1``; then the SE needs counts — pass counts).
    confidence
        Level of the interval.

    References
    ----------
    Fleiss, Cohen & Everitt (1969), table 1: 200 subjects, three categories, kappa = .429.

    Examples
    --------
    >>> round(cohen_kappa_from_table([[20, 5], [10, 15]]).estimate, 4)
    0.4
    """
    x = np.asarray(table, dtype=float)
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        raise ValueError(f"the agreement table must be square; got shape {x.shape}")
    total = float(x.sum())
    method = "Cohen's kappa; SE Fleiss, Cohen & Everitt (1969), normal interval"
    n_units = round(total)
    if total <= 0:
        return AgreementResult("cohen_kappa", math.nan, 0, 2, 0, method=method)
    p = x / total
    rs, cs = p.sum(axis=1), p.sum(axis=0)
    po = float(np.trace(p))
    pc = float((rs * cs).sum())
    if pc >= 1:
        return AgreementResult("cohen_kappa", math.nan, n_units, 2, 2 * n_units, method=method)
    kappa = (po - pc) / (1 - pc)
    diag = np.diag(p)
    first = float((diag * ((1 - pc) - (rs + cs) * (1 - po)) ** 2).sum())
    cross = np.add.outer(cs, rs) ** 2  # [i, j] = (p.i + pj.)^2
    off = float((p * cross).sum() - np.trace(p * cross))
    var = (first + (1 - po) ** 2 * off - (po * pc - 2 * pc + po) ** 2) / (total * (1 - pc) ** 4)
    if not math.isfinite(var) or var < 0:
        var = 0.0
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    se = math.sqrt(var)
    low, high = max(-1.0, kappa - z * se), min(1.0, kappa + z * se)
    return AgreementResult("cohen_kappa", kappa, n_units, 2, 2 * n_units, low, high, method, se)


def cohen_kappa(
    ratings: pd.DataFrame,
    *,
    unit: str = "unit",
    coder: str = "coder",
    value: str = "value",
    confidence: float = 0.95,
) -> AgreementResult:
    """Cohen's kappa for exactly two coders, on the units both judged.

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
    data = _pairable(ratings, unit, coder, value)
    coders = sorted(data[coder].unique().tolist())
    if not coders:
        return AgreementResult("cohen_kappa", math.nan, 0, 0, 0, method="Cohen's kappa")
    if len(coders) != 2:
        raise ValueError(f"Cohen's kappa needs exactly two coders; found {len(coders)}")
    wide = data.pivot(index=unit, columns=coder, values=value)
    labels = sorted(pd.unique(wide.to_numpy().ravel()).tolist(), key=lambda v: (str(type(v)), v))
    table = pd.crosstab(
        pd.Categorical(wide[coders[0]], categories=labels),
        pd.Categorical(wide[coders[1]], categories=labels),
        dropna=False,
    )
    return cohen_kappa_from_table(table.to_numpy(), confidence=confidence)


def _measures(
    ratings: pd.DataFrame, *, unit: str, two_coders: bool, confidence: float
) -> list[AgreementResult]:
    out = [
        percent_agreement(ratings, unit=unit, coder="coder", value="value"),
    ]
    if two_coders:
        out.append(
            cohen_kappa(ratings, unit=unit, coder="coder", value="value", confidence=confidence)
        )
    out.append(krippendorff_alpha_nominal(ratings, unit=unit, coder="coder", value="value"))
    return out


def agreement_by_code(
    decisions: pd.DataFrame,
    *,
    unit_of_analysis: str,
    construct_of: Mapping[str, str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percent agreement, Cohen's kappa (two coders) and Krippendorff's alpha per code and overall.

    Parameters
    ----------
    decisions
        Output of :func:`coding_decisions`. Not modified.
    unit_of_analysis
        Written into every row (``segment`` or ``document``).
    construct_of
        Code → construct. When given, agreement is also computed per construct: a coder "applied"
        a construct to a unit when they applied any of its codes (codes without a construct are
        left out of this level).
    confidence
        Level of kappa's interval.

    Returns
    -------
    pandas.DataFrame
        :data:`AGREEMENT_COLUMNS`. ``code_level`` is ``code`` (one row set per code), ``construct``
        or ``all`` (every unit × code decision pooled as one unit; ``code`` is ``all``).
        Cohen's kappa only appears when exactly two coders judged the material.
    """
    if decisions.empty:
        return pd.DataFrame(columns=list(AGREEMENT_COLUMNS))
    two = decisions["coder"].nunique() == 2
    rows: list[dict] = []

    def add(level: str, code: str, ratings: pd.DataFrame, unit: str) -> None:
        for r in _measures(ratings, unit=unit, two_coders=two, confidence=confidence):
            rows.append(
                {
                    "unit_of_analysis": unit_of_analysis,
                    "code_level": level,
                    "code": code,
                    "measure": r.measure,
                    "estimate": r.estimate,
                    "std_error": r.std_error,
                    "n_units": r.n_units,
                    "n_coders": r.n_coders,
                    "n_values": r.n_values,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "method": r.method,
                }
            )

    for code, part in decisions.groupby("code", sort=True):
        add("code", str(code), part, "unit")
    if construct_of:
        with_construct = decisions.assign(construct=decisions["code"].map(construct_of))
        with_construct = with_construct[with_construct["construct"].notna()]
        rolled = with_construct.groupby(["unit", "construct", "coder"], as_index=False).agg(
            value=("value", "max")
        )
        for construct, part in rolled.groupby("construct", sort=True):
            add("construct", str(construct), part, "unit")
    pooled = decisions.assign(unit_code=decisions["unit"] + "|" + decisions["code"].astype(str))
    add("all", "all", pooled, "unit_code")
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
