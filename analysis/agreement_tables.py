"""Agreement tables: every coefficient of :mod:`analysis.agreement` and :mod:`analysis.kappa` per
code, construct and overall on presence/absence decisions, and per code group on the category each
coder gave a unit — each row naming its unit, its metric and its coders.

- :func:`agreement_by_code`: reliability data from :func:`analysis.coding_decisions.coding_decisions`
  (unit × code decisions, 0/1), at the code, construct and pooled (``all``) levels;
- :func:`agreement_by_group`: reliability data from
  :func:`analysis.coding_decisions.category_ratings` (a code group's codes as the categories of one
  variable), at the ``code_group`` level, with weighted kappa and alpha at the group's levels of
  measurement.

Measures: percent agreement; Cohen's kappa with its interval (exactly two coders); Fleiss' kappa
(three or more); the Brennan–Prediger kappa (chance 1/q, q the categories: 2 for decisions, the
group's codes for a group); Krippendorff's alpha with its bootstrap interval.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from analysis.agreement import (
    NO_BOOTSTRAP,
    AgreementResult,
    Bootstrap,
    Level,
    krippendorff_alpha,
    percent_agreement,
)
from analysis.kappa import Weights, brennan_prediger_kappa, cohen_kappa, fleiss_kappa

__all__ = ["AGREEMENT_COLUMNS", "CodeGroupSpec", "agreement_by_code", "agreement_by_group"]

#: Columns of :func:`agreement_by_code` and :func:`agreement_by_group` (the ``agreement`` table
#: without ``n_documents``, which the codings plan adds).
AGREEMENT_COLUMNS: tuple[str, ...] = (
    "unit_of_analysis",
    "code_level",
    "code",
    "measure",
    "metric",
    "coders",
    "n_units",
    "n_coders",
    "n_values",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "method",
    "note",
)

_DECISIONS = (0, 1)


@dataclass(frozen=True)
class CodeGroupSpec:
    """A code group as the analysis needs it.

    Attributes
    ----------
    id
        The group's id (the ``code`` of its rows).
    categories
        Its codes in order: the categories of the variable.
    scores
        The number of each category (interval and ratio alpha, linear and quadratic kappa);
        ``None``: 1, 2, ….
    levels
        The levels of measurement alpha is computed at.
    weights
        Kappa's weights besides the unweighted kappa: ``None``, ``"linear"``, ``"quadratic"`` or a
        matrix of disagreement weights over ``categories``.
    """

    id: str
    categories: tuple[str, ...]
    scores: tuple[float, ...] | None = None
    levels: tuple[Level, ...] = ("nominal",)
    weights: Weights = None


def _row(unit_of_analysis: str, level: str, code: str, r: AgreementResult) -> dict[str, object]:
    return {
        "unit_of_analysis": unit_of_analysis,
        "code_level": level,
        "code": code,
        "measure": r.measure,
        "metric": r.metric,
        "coders": ";".join(r.coders),
        "n_units": r.n_units,
        "n_coders": r.n_coders,
        "n_values": r.n_values,
        "estimate": r.estimate,
        "std_error": r.std_error,
        "ci_low": r.ci_low,
        "ci_high": r.ci_high,
        "method": r.method,
        "note": r.note,
    }


@dataclass(frozen=True)
class _Options:
    n_coders: int
    categories: Sequence[object]
    bootstrap: Bootstrap
    confidence: float


def _measures(ratings: pd.DataFrame, options: _Options) -> list[AgreementResult]:
    """The coefficients of one set of reliability data (``unit``, ``coder``, ``value``)."""
    cats = options.categories
    out = [percent_agreement(ratings)]
    if options.n_coders == 2:
        out.append(cohen_kappa(ratings, categories=cats, confidence=options.confidence))
    if options.n_coders >= 3:
        out.append(fleiss_kappa(ratings, categories=cats))
    out.append(brennan_prediger_kappa(ratings, categories=cats))
    out.append(krippendorff_alpha(ratings, categories=cats, bootstrap=options.bootstrap))
    return out


def agreement_by_code(
    decisions: pd.DataFrame,
    *,
    unit_of_analysis: str,
    construct_of: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    bootstrap: Bootstrap = NO_BOOTSTRAP,
) -> pd.DataFrame:
    """Every agreement measure per code, per construct and over all codes.

    Parameters
    ----------
    decisions
        Output of :func:`analysis.coding_decisions.coding_decisions`. Not modified.
    unit_of_analysis
        Written into every row (``segment`` or ``document``: decisions per unit × code).
    construct_of
        Code → construct. When given, agreement is also computed per construct: a coder "applied"
        a construct to a unit when they applied any of its codes (codes without a construct are
        left out of this level).
    confidence
        Level of kappa's interval.
    bootstrap
        Alpha's bootstrap interval (none by default).

    Returns
    -------
    pandas.DataFrame
        :data:`AGREEMENT_COLUMNS`. ``code_level`` is ``code`` (one row set per code),
        ``construct`` or ``all`` (every unit × code decision pooled as one unit; ``code`` is
        ``all``). Cohen's kappa appears when exactly two coders judged the material, Fleiss'
        kappa when three or more did.
    """
    if decisions.empty:
        return pd.DataFrame(columns=list(AGREEMENT_COLUMNS))
    options = _Options(int(decisions["coder"].nunique()), _DECISIONS, bootstrap, confidence)
    rows: list[dict[str, object]] = []

    def add(level: str, code: str, ratings: pd.DataFrame) -> None:
        for r in _measures(ratings, options):
            rows.append(_row(unit_of_analysis, level, code, r))

    for code, part in decisions.groupby("code", sort=True):
        add("code", str(code), part)
    if construct_of:
        with_construct = decisions.assign(construct=decisions["code"].map(construct_of))
        with_construct = with_construct[with_construct["construct"].notna()]
        rolled = with_construct.groupby(["unit", "construct", "coder"], as_index=False).agg(
            value=("value", "max")
        )
        for construct, part in rolled.groupby("construct", sort=True):
            add("construct", str(construct), part)
    add(
        "all", "all", decisions.assign(unit=decisions["unit"] + "|" + decisions["code"].astype(str))
    )
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


def agreement_by_group(
    ratings: pd.DataFrame,
    *,
    group: CodeGroupSpec,
    unit_of_analysis: str = "segment",
    confidence: float = 0.95,
    bootstrap: Bootstrap = NO_BOOTSTRAP,
    ambiguous: int = 0,
) -> pd.DataFrame:
    """Every agreement measure of one code group (``code_level`` ``code_group``).

    Parameters
    ----------
    ratings
        Output of :func:`analysis.coding_decisions.category_ratings`: ``unit, coder, value``, the
        value one of ``group.categories``. Not modified.
    group
        The categories, their scores, alpha's levels and kappa's weights.
    unit_of_analysis
        Written into every row.
    confidence, bootstrap
        As :func:`agreement_by_code`.
    ambiguous
        Unit × coder pairs left out for holding two categories; said in every row's ``note``.

    Returns
    -------
    pandas.DataFrame
        :data:`AGREEMENT_COLUMNS`: percent agreement, Cohen's kappa unweighted (two coders) and
        ``weighted_kappa`` with ``group.weights``, Fleiss' kappa (three or more coders), the
        Brennan–Prediger kappa over the group's categories, and one alpha per level.
    """
    n_coders = int(ratings["coder"].nunique()) if not ratings.empty else 0
    options = _Options(n_coders, group.categories, bootstrap, confidence)
    results = _measures(ratings, options)
    alphas = [r for r in results if r.measure == "krippendorff_alpha"]
    results = [r for r in results if r.measure != "krippendorff_alpha"]
    if n_coders == 2 and group.weights is not None:
        weighted = cohen_kappa(
            ratings,
            categories=group.categories,
            weights=group.weights,
            scores=group.scores,
            confidence=confidence,
        )
        results.append(replace(weighted, measure="weighted_kappa"))
    for level in group.levels:
        results.append(
            alphas[0]
            if level == "nominal"
            else krippendorff_alpha(
                ratings,
                level=level,
                categories=group.categories,
                scores=group.scores,
                bootstrap=bootstrap,
            )
        )
    left_out = f"{ambiguous} unit × coder pair(s) with two categories left out" if ambiguous else ""
    rows = [_row(unit_of_analysis, "code_group", group.id, _noted(r, left_out)) for r in results]
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


def _noted(r: AgreementResult, text: str) -> AgreementResult:
    if not text:
        return r
    note = f"{r.note}; {text}" if r.note else text
    return replace(r, note=note)
