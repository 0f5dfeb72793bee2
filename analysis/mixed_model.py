"""A linear mixed model of score on wave: every score from two waves, linked and unlinked
respondents alike, with a random intercept per respondent (optionally within organisations).

The model is fitted by REML with statsmodels ``MixedLM``; it equals
``lme4::lmer(score ~ wave + (1 | respondent_id), REML = TRUE)`` and, with a unit,
``lmer(score ~ wave + ... + (1 | unit/respondent_id))``. The interval and p-value are Wald
(normal), as statsmodels reports them (lme4 gives no p-values).

The model is ``score ~ follow_up [+ C(covariate)]`` with ``follow_up`` = 1 in the later wave;
without a unit the groups are the respondents. With a unit, groups = the unit with a variance
component for ``respondent_id`` within it (``vc_formula``). A respondent recorded in two units is
two level-2 clusters in that model (their answers are not linked); statsmodels can fit crossed
effects only as one dense group, which does not scale. The unit model is fitted with Powell and
BFGS and the fit with the higher REML criterion is kept (BFGS alone stalls near a zero unit
variance). Standard errors are lme4's :math:`(X'V^{-1}X)^{-1}` at the REML variance components.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Bates D, Mächler M, Bolker B, Walker S. Fitting linear mixed-effects models using lme4.
   J Stat Softw 2015;67(1). doi:10.18637/jss.v067.i01
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

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
    """Score on wave with a random intercept per respondent (statsmodels ``MixedLM``, REML),
    optionally within units (organisations).

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


def _fit_respondents(frame: pd.DataFrame, rhs: str) -> _Fitted:
    """The model with a random intercept per respondent."""
    import statsmodels.formula.api as smf

    model = smf.mixedlm(f"score ~ {rhs}", frame, groups=frame["respondent_id"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = model.fit(reml=True, method=["bfgs"])
        except np.linalg.LinAlgError:  # a singular path; Powell needs no gradient
            fit = model.fit(reml=True, method=["powell"])
    converged = bool(fit.converged) and not _failed(caught)
    tau2 = float(fit.cov_re.iloc[0, 0])
    sigma2 = float(fit.scale)
    cov_fe = _fixed_effects_covariance(model.exog, model.exog_li, tau2, sigma2)
    variances = {
        "variance_respondent": tau2,
        "variance_residual": sigma2,
        "variance_organisation": math.nan,
    }
    return (*_follow_up_effect(model, fit, cov_fe), variances, converged)


def _fit_units(frame: pd.DataFrame, rhs: str, unit: str) -> _Fitted:
    """The model with random intercepts per unit and per respondent within unit."""
    import statsmodels.formula.api as smf

    frame = frame.assign(**{unit: frame[unit].astype(str)})
    model = smf.mixedlm(
        f"score ~ {rhs}",
        frame,
        groups=frame[unit],
        re_formula="1",
        vc_formula={"respondent": "0 + C(respondent_id)"},
    )
    fit, converged = _best_fit(model)
    unit_var = float(fit.cov_re.iloc[0, 0])
    tau2 = float(np.asarray(fit.vcomp)[0])
    sigma2 = float(fit.scale)
    cov_fe = _nested_fixed_effects_covariance(
        model.exog,
        frame[unit].to_numpy(),
        frame["respondent_id"].astype(str).to_numpy(),
        (unit_var, tau2, sigma2),
    )
    variances = {
        "variance_respondent": tau2,
        "variance_residual": sigma2,
        "variance_organisation": unit_var,
    }
    return (*_follow_up_effect(model, fit, cov_fe), variances, converged)


def _follow_up_effect(model: Any, fit: Any, cov_fe: np.ndarray) -> tuple[float, float, float]:
    """(estimate, standard error) of the wave effect and the intercept."""
    j = list(model.exog_names).index("follow_up")
    estimate = float(fit.fe_params["follow_up"])
    return estimate, math.sqrt(cov_fe[j, j]), float(fit.fe_params["Intercept"])


def _failed(caught: Sequence[warnings.WarningMessage]) -> bool:
    return any("failed to converge" in str(w.message).lower() for w in caught)


def _best_fit(model: Any) -> tuple[Any, bool]:
    """Fit with Powell and with BFGS; keep the converged fit with the higher REML criterion."""
    fits = []
    for method in ("powell", "bfgs"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = model.fit(reml=True, method=[method])
            except (np.linalg.LinAlgError, ValueError):
                continue
        ok = bool(fit.converged) and not _failed(caught)
        if math.isfinite(float(fit.llf)):
            fits.append((ok, float(fit.llf), fit))
    if not fits:
        raise RuntimeError("fit_wave_mixed_model: neither Powell nor BFGS could fit the model")
    ok, _, fit = max(fits, key=lambda f: (f[0], f[1]))
    return fit, ok


def _fixed_effects_covariance(
    exog: np.ndarray, blocks: Sequence[np.ndarray], tau2: float, sigma2: float
) -> np.ndarray:
    """:math:`(X'V^{-1}X)^{-1}` for a random-intercept model, as ``vcov()`` of lme4.

    statsmodels' own ``bse_fe`` comes from the Hessian of the whole REML criterion, which differs
    from lme4's conditional covariance by up to a few per cent near a singular fit.
    """
    p = exog.shape[1]
    info = np.zeros((p, p))
    for x in blocks:
        m = x.shape[0]
        # V = sigma2 I + tau2 J  =>  V^-1 = (I - tau2 / (sigma2 + m tau2) J) / sigma2
        colsum = x.sum(axis=0)
        info += (x.T @ x - tau2 / (sigma2 + m * tau2) * np.outer(colsum, colsum)) / sigma2
    return np.linalg.inv(info)


def _nested_fixed_effects_covariance(
    exog: np.ndarray,
    units: np.ndarray,
    respondents: np.ndarray,
    variances: tuple[float, float, float],
) -> np.ndarray:
    """:math:`(X'V^{-1}X)^{-1}` with :math:`V = \\sigma^2 I + \\tau_u^2 J_{unit} +
    \\tau_r^2 J_{respondent within unit}`, block by unit (lme4's ``vcov()``); ``variances`` are
    :math:`(\\tau_u^2, \\tau_r^2, \\sigma^2)`."""
    unit_var, tau2, sigma2 = variances
    p = exog.shape[1]
    info = np.zeros((p, p))
    for u in pd.unique(units):
        rows = units == u
        x = exog[rows]
        r = respondents[rows]
        same = (r[:, None] == r[None, :]).astype("float64")
        v = sigma2 * np.eye(len(x)) + unit_var + tau2 * same
        info += x.T @ np.linalg.solve(v, x)
    return np.linalg.inv(info)


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
