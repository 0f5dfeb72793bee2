"""A linear mixed model of score on wave: every score from two waves, linked and unlinked
respondents alike, with a random intercept per respondent (optionally within organisations).

The model is fitted by REML (:func:`analysis.reml.fit_random_intercepts`: the profiled REML
criterion from per-respondent sums); it equals
``lme4::lmer(score ~ wave + (1 | respondent_id), REML = TRUE)`` and, with a unit,
``lmer(score ~ wave + ... + (1 | unit/respondent_id))``. The interval and p-value are Wald
(normal), as statsmodels reports them (lme4 gives no p-values).

The model is ``score ~ follow_up [+ C(covariate)]`` with ``follow_up`` = 1 in the later wave,
the design built by patsy as statsmodels' formulas build it; without a unit the clusters are the
respondents. With a unit, respondents are nested in units: a respondent recorded in two units is
two level-2 clusters in that model (their answers are not linked). Standard errors are lme4's
:math:`(X'V^{-1}X)^{-1}` at the REML variance components. Until issue 11 the model was fitted by
statsmodels ``MixedLM`` (a general optimiser looping over respondents in Python: minutes and
gigabytes at ten thousand respondents); the closed form finds the same optimum (within
statsmodels' optimiser tolerance, about 1e-6, and closer to lme4's).

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Bates D, Mächler M, Bolker B, Walker S. Fitting linear mixed-effects models using lme4.
   J Stat Softw 2015;67(1). doi:10.18637/jss.v067.i01
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.reml import RemlFit, fit_random_intercepts
from analysis.two_sample import STATISTICS, check_confidence, normal_quantile

__all__ = [
    "MIN_UNITS",
    "MIN_UNIT_SIZE",
    "MIXED_MODEL",
    "MIXED_MODEL_UNITS",
    "POOLED_GROUP",
    "extended_model_terms",
    "fit_wave_mixed_model",
]

MIXED_MODEL = "linear mixed model (REML), random intercept per respondent"
MIXED_MODEL_UNITS = (
    "linear mixed model (REML), random intercepts per organisation and per respondent within "
    "organisation"
)

#: The extended model gets a random intercept per organisation only when at least this many
#: organisations each have at least :data:`MIN_UNIT_SIZE` respondents in the two waves.
MIN_UNITS = 5
MIN_UNIT_SIZE = 5
#: Level of the staff-group covariate that pools the groups below ``min_cell_size``.
POOLED_GROUP = "_pooled"

#: What an unfitted model leaves empty.
_VARIANCES = ("variance_respondent", "variance_residual", "variance_organisation")
_NOT_FITTED: tuple[str, ...] = (*STATISTICS, "intercept", *_VARIANCES)


def _too_little(frame: pd.DataFrame, n_respondents: int, unit: str | None, n_units: int) -> bool:
    return (
        frame["follow_up"].nunique() < 2
        or len(frame) < 4
        or n_respondents < 2
        or (unit is not None and n_units < 2)
    )


def fit_wave_mixed_model(
    data: pd.DataFrame,
    *,
    baseline: str,
    covariates: Sequence[str] = (),
    unit: str | None = None,
    confidence: float = 0.95,
) -> dict[str, object]:
    """Score on wave with a random intercept per respondent (REML,
    :func:`analysis.reml.fit_random_intercepts`), optionally within units (organisations).

    Parameters
    ----------
    data : pandas.DataFrame
        ``respondent_id``, ``wave`` (two values, one of them ``baseline``), ``score`` (no NaN)
        and the columns in ``covariates`` (and ``unit``).
    baseline : str
        The reference wave; the estimate is the other wave minus it.
    covariates : sequence of str, default ()
        Further categorical fixed effects (e.g. ``("staff_group",)``), entered as ``C(column)``;
        rows where one is missing are dropped.
    unit : str, optional
        A column of units (e.g. ``"organisation"``) that respondents are nested in: adds a random
        intercept per unit, with the respondent intercept nested in the unit (lme4
        ``(1 | unit/respondent_id)``). Rows without a unit are dropped.
    confidence : float, default 0.95
        Level of the Wald interval.

    Returns
    -------
    dict
        ``method, n, estimate, std_error, ci_low, ci_high, statistic (z), df (NaN), p_value,
        formula`` (in lme4 notation), ``variance_respondent``, ``variance_residual``,
        ``variance_organisation`` (the unit variance; NaN without ``unit``), ``n_respondents``,
        ``n_organisations`` (units; missing without ``unit``), ``converged`` and ``intercept``
        (the baseline mean for the reference levels).
    """
    check_confidence(confidence)
    covariates = tuple(covariates)
    keep = ["respondent_id", "wave", "score", *covariates, *([unit] if unit else [])]
    frame = data.loc[:, keep].dropna()
    frame = frame.assign(follow_up=(frame["wave"].astype(str) != str(baseline)).astype("float64"))
    random = f"(1 | {unit}/respondent_id)" if unit else "(1 | respondent_id)"
    method = MIXED_MODEL_UNITS if unit else MIXED_MODEL
    n_respondents = int(frame["respondent_id"].nunique())
    n_units = int(frame[unit].nunique()) if unit else None
    out: dict[str, object] = {
        "method": method + (f", adjusted for {', '.join(covariates)}" if covariates else ""),
        "n": len(frame),
        "formula": " + ".join(["score ~ wave", *covariates, random]),
        "n_respondents": n_respondents,
        "n_organisations": n_units,
        "effect_size_measure": None,
    }
    if _too_little(frame, n_respondents, unit, n_units or 0):
        return out | dict.fromkeys(_NOT_FITTED, math.nan) | {"converged": False}
    rhs = " + ".join(["follow_up", *(f"C({c})" for c in covariates)])
    fitted = _fit_units(frame, rhs, unit) if unit else _fit_respondents(frame, rhs)
    estimate, se, intercept, variances, converged = fitted
    z = estimate / se if se > 0 else math.nan
    h = normal_quantile(confidence) * se
    return (
        out
        | {
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - h,
            "ci_high": estimate + h,
            "statistic": z,
            "df": math.nan,
            "p_value": _wald_p(z),
            "converged": converged,
            "intercept": intercept,
        }
        | variances
    )


def _wald_p(z: float) -> float:
    from scipy import stats

    return float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan


_Fitted = tuple[float, float, float, dict[str, float], bool]


def _design(frame: pd.DataFrame, rhs: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The response and the fixed-effects design of ``score ~ rhs`` (patsy, as statsmodels'
    formula interface builds it: treatment coding, the first level of each factor the
    reference)."""
    import patsy

    y, x = patsy.dmatrices(f"score ~ {rhs}", frame, return_type="matrix")
    return np.asarray(y)[:, 0], np.asarray(x), list(x.design_info.column_names)


def _follow_up_effect(fit: RemlFit, names: list[str]) -> tuple[float, float, float]:
    """(estimate, standard error) of the wave effect and the intercept."""
    j = names.index("follow_up")
    beta = fit.beta
    return float(beta[j]), math.sqrt(fit.cov_beta[j, j]), float(beta[names.index("Intercept")])


def _fit_respondents(frame: pd.DataFrame, rhs: str) -> _Fitted:
    """The model with a random intercept per respondent."""
    y, x, names = _design(frame, rhs)
    fit = fit_random_intercepts(y, x, frame["respondent_id"].astype(str).to_numpy())
    variances = {
        "variance_respondent": fit.cluster_variance,
        "variance_residual": fit.sigma2,
        "variance_organisation": math.nan,
    }
    return (*_follow_up_effect(fit, names), variances, fit.converged)


def _fit_units(frame: pd.DataFrame, rhs: str, unit: str) -> _Fitted:
    """The model with random intercepts per unit and per respondent within unit (a respondent
    in two units is two clusters)."""
    y, x, names = _design(frame, rhs)
    units = frame[unit].astype(str).to_numpy()
    respondents = frame["respondent_id"].astype(str).to_numpy()
    fit = fit_random_intercepts(y, x, respondents, units=units)
    variances = {
        "variance_respondent": fit.cluster_variance,
        "variance_residual": fit.sigma2,
        "variance_organisation": fit.unit_variance,
    }
    return (*_follow_up_effect(fit, names), variances, fit.converged)


def _pool_small_groups(frame: pd.DataFrame, column: str, min_cell_size: int) -> pd.Series:
    """``column`` with the levels held by fewer than ``min_cell_size`` respondents pooled into
    :data:`POOLED_GROUP` (missing values stay missing)."""
    values = frame[column].astype("string")
    sizes = frame.assign(_g=values).groupby("_g")["respondent_id"].nunique()
    small = set(sizes[sizes < min_cell_size].index)
    return values.where(~values.isin(small), POOLED_GROUP)


def extended_model_terms(
    pair: pd.DataFrame,
    *,
    group_column: str | None,
    unit_column: str | None,
    min_cell_size: int,
    min_units: int = MIN_UNITS,
    min_unit_size: int = MIN_UNIT_SIZE,
) -> tuple[pd.DataFrame, tuple[str, ...], str | None]:
    """Which extensions of the mixed model the data of one contrast support.

    The staff group (``group_column``) enters as a fixed effect when, after pooling the groups
    with fewer than ``min_cell_size`` respondents into one level, at least two levels remain; rows
    without a group are then dropped. A random intercept for the unit (``unit_column``) is added
    when at least ``min_units`` units each have at least ``min_unit_size`` respondents.

    Returns
    -------
    tuple
        The data (pooled group column), the covariates and the unit column (or ``None``).
    """
    covariates: tuple[str, ...] = ()
    unit: str | None = None
    if group_column is not None and group_column in pair.columns:
        pooled = _pool_small_groups(pair, group_column, min_cell_size)
        if pooled.dropna().nunique() >= 2:
            pair = pair.assign(**{group_column: pooled})
            covariates = (group_column,)
    if unit_column is not None and unit_column in pair.columns:
        sizes = pair.dropna(subset=[unit_column]).groupby(unit_column)["respondent_id"].nunique()
        if int((sizes >= min_unit_size).sum()) >= min_units:
            unit = unit_column
    return pair, covariates, unit
