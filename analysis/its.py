"""Interrupted time series: segmented regression for one indicator series.

The model (Wagner et al. 2002; Lopez Bernal, Cummins & Gasparrini 2017) is

.. math:: g(E[Y_t]) = \\beta_0 + \\beta_1 t + \\beta_2 X_t + \\beta_3 (t - t_0) X_t
          [+ \\text{season}_t] [+ \\log(\\text{denominator}_t)]

with ``t`` the period number (0 for the first period, counted in periods of the series' frequency,
so gaps are allowed), ``t0`` the number of the first period at or after the intervention and
``X_t = 1`` from ``t0`` on. ``pre_trend`` is :math:`\\beta_1`, ``level_change`` :math:`\\beta_2` (the
change at ``t0`` itself, because the slope term is 0 there) and ``slope_change`` :math:`\\beta_3`.

Families
--------
``gaussian``
    OLS (identity link); standard errors Newey–West HAC with Bartlett weights and the small-sample
    factor ``n / (n - k)`` (R: ``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust =
    TRUE)``). The lag is ``hac_lags`` or, when ``None``, ``floor(4 (n / 100)^(2/9))`` (Newey & West
    1994; statsmodels' default). Tests and intervals use the t distribution with ``n - k`` df
    (as ``lmtest::coeftest`` on an ``lm``). Estimates on the difference scale.
``poisson``, ``quasipoisson``, ``negbin``
    Log link with ``log(denominator)`` as offset when a denominator column is given; estimates
    on the ratio scale (``exp`` of the coefficient: a rate ratio). Quasi-Poisson scales the Poisson
    covariance by the Pearson χ² / (n − k) and uses the t distribution with n − k df (as R's
    ``summary.glm``); Poisson and negative binomial use the normal distribution. The negative
    binomial (NB2, variance ``mu + mu^2 / theta``) estimates ``theta`` by maximum likelihood and
    reports the GLM covariance at that ``theta``, as ``MASS::glm.nb`` does.

Seasonality
-----------
``"fourier"``: ``sin(2πkm/P)`` and ``cos(2πkm/P)`` for ``k = 1..fourier_order``, with ``m`` the
position in the year (month 1–12, ``P = 12``; quarter 1–4, ``P = 4``). ``"month"``: one indicator per
month (quarter), the first as reference. Yearly series take no seasonality.

Effects at a time after the intervention
----------------------------------------
For each ``h`` in ``effect_times`` (periods after ``t0``; ``h = 0`` is the immediate change) and
each ``t = t0 + h`` inside the observed series, the fitted value with the intervention
(:math:`\\mu_1`) is compared with the counterfactual without it (:math:`\\mu_0`, the same period with
``X = 0``; same season and denominator): ``effect_<h>_absolute = μ1 − μ0`` (difference scale) and
``effect_<h>_relative = μ1 / μ0`` (ratio scale). With a denominator, μ is the rate per unit
of the denominator (e.g. days per patient), so the absolute effect is a rate difference. Confidence intervals by the **delta method** with the
model's covariance: for the log link the ratio's interval is exact on the log scale
(``exp(L'β ± z·se)``); the absolute effect and the Gaussian ratio use the first-order gradient.

References
----------
Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D. Segmented regression analysis of interrupted time
series studies in medication use research. J Clin Pharm Ther 2002;27:299–309.
Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for the evaluation of
public health interventions: a tutorial. Int J Epidemiol 2017;46:348–355.
Zhang F, Wagner AK, Soumerai SB, Ross-Degnan D. Methods for estimating confidence intervals in
interrupted time series analyses of health interventions. J Clin Epidemiol 2009;62:143–148.
Newey WK, West KD. Automatic lag selection in covariance matrix estimation. Rev Econ Stud
1994;61:631–653.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.its_design import (
    Frequency,
    Seasonality,
    automatic_hac_lag,
    design_matrix,
    model_formula,
)
from analysis.its_fit import FAMILIES, FamilyFit, autocorrelation, fit_family

__all__ = [
    "DIAGNOSTIC_COLUMNS",
    "ESTIMATE_COLUMNS",
    "FAMILIES",
    "SERIES_COLUMNS",
    "ITSFit",
    "ITSModel",
    "automatic_hac_lag",
    "design_matrix",
    "fit_its",
]

Family = Literal["gaussian", "poisson", "quasipoisson", "negbin"]

ESTIMATE_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "effect_scale",
]
SERIES_COLUMNS = [
    "period",
    "t",
    "post",
    "observed",
    "denominator",
    "fitted",
    "fitted_ci_low",
    "fitted_ci_high",
    "counterfactual",
    "counterfactual_ci_low",
    "counterfactual_ci_high",
]
DIAGNOSTIC_COLUMNS = ["diagnostic", "estimate", "df", "p_value", "detail"]


@dataclass(frozen=True)
class ITSModel:
    """How a series is modelled (see the module docstring).

    Attributes
    ----------
    family
        ``gaussian`` (OLS + Newey–West), ``poisson``, ``quasipoisson`` or ``negbin``.
    frequency
        ``month``, ``quarter`` or ``year``; sets the time unit and the seasonal period.
    seasonality, fourier_order
        ``none``, ``fourier`` (with ``fourier_order`` harmonics) or ``month`` (indicators).
    hac_lags
        Newey–West lag for ``gaussian``; ``None`` = :func:`automatic_hac_lag`.
    effect_times
        Periods after the first post-intervention period at which to report absolute and relative
        effects; times beyond the last observed period are left out.
    confidence
        Level of the confidence intervals.
    ljung_box_lags
        Lag of the Ljung–Box test (default ``min(per-year periods, n // 4)``, at least 1).
    """

    family: Family = "gaussian"
    frequency: Frequency = "month"
    seasonality: Seasonality = "none"
    fourier_order: int = 2
    hac_lags: int | None = None
    effect_times: tuple[int, ...] = (12,)
    confidence: float = 0.95
    ljung_box_lags: int | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {self.family!r}")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1; got {self.confidence}")


@dataclass(frozen=True)
class ITSFit:
    """The tidy results of one segmented regression.

    Attributes
    ----------
    estimates
        One row per term (:data:`ESTIMATE_COLUMNS`). Terms ``pre_trend``, ``level_change``,
        ``slope_change`` (``effect_scale`` ``ratio`` for log-link families, the ``std_error``
        then on the log scale), then ``effect_<h>_absolute`` and ``effect_<h>_relative`` per
        effect time, then the raw coefficients of the linear predictor as ``coef:<name>``
        (``effect_scale = "linear_predictor"``).
    series
        One row per observed period: ``period, t, post, observed, denominator, fitted`` (+ CI),
        ``counterfactual`` (+ CI; the fitted line without the intervention terms).
    diagnostics
        ``diagnostic, estimate, df, p_value, detail``: n, n_pre, n_post, HAC lag, Durbin–Watson,
        Ljung–Box, Breusch–Godfrey (Gaussian), dispersion, theta (negbin), AIC.
    formula
        The model as a reviewable formula string.
    """

    estimates: pd.DataFrame
    series: pd.DataFrame
    diagnostics: pd.DataFrame
    formula: str


@dataclass(frozen=True)
class _Inference:
    """What every row's test and interval need: coefficients, covariance, reference quantile."""

    beta: np.ndarray
    cov: np.ndarray
    dist: Any
    crit: float
    log_link: bool

    def mean(self, eta: Any) -> Any:
        mu: Callable[[Any], Any] = np.exp if self.log_link else _identity
        return mu(eta)

    def p(self, estimate: float, se: float, null: float = 0.0) -> float:
        stat = (estimate - null) / se if se > 0 else math.nan
        return float(2 * self.dist.sf(abs(stat)))


def _identity(x: Any) -> Any:
    return x


def _prepare(
    data: pd.DataFrame, period: str, outcome: str, denominator: str | None, family: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    """The sorted frame, the outcome and the log offset, checked."""
    if denominator is not None and family == "gaussian":
        raise ValueError(
            "a denominator offset needs a count family (poisson, quasipoisson, negbin)"
        )
    cols = [period, outcome] + ([denominator] if denominator else [])
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KeyError(f"fit_its: columns not in the data: {', '.join(missing)}")
    frame = data[cols].copy()
    frame[period] = pd.to_datetime(frame[period])
    frame = frame.sort_values(period, kind="stable").reset_index(drop=True)
    y = frame[outcome].astype(float).to_numpy()
    if np.isnan(y).any():
        raise ValueError("fit_its: the outcome has missing values")
    offset = None
    if denominator is not None:
        den = frame[denominator].astype(float).to_numpy()
        if (den <= 0).any() or np.isnan(den).any():
            raise ValueError("fit_its: the denominator must be positive")
        offset = np.log(den)
    if family != "gaussian" and ((y < 0).any() or not np.allclose(y, np.round(y))):
        raise ValueError(f"fit_its: family {family} needs non-negative whole counts")
    return frame, y, offset


def _check_design(x: pd.DataFrame) -> list[dict[str, object]]:
    """Enough periods on both sides and for the parameters; the design's diagnostic rows."""
    n, k = x.shape
    n_post = int(x["level"].sum())
    n_pre = n - n_post
    if n_pre < 3 or n_post < 3:
        raise ValueError(
            f"fit_its: need at least 3 periods before and 3 after the intervention; found "
            f"{n_pre} before and {n_post} after"
        )
    if n - k < 1:
        raise ValueError(f"fit_its: {n} periods are too few for {k} parameters")
    return [
        {"diagnostic": "n", "estimate": float(n), "detail": "periods"},
        {"diagnostic": "n_pre", "estimate": float(n_pre), "detail": "periods before"},
        {
            "diagnostic": "n_post",
            "estimate": float(n_post),
            "detail": "periods from the intervention",
        },
        {"diagnostic": "parameters", "estimate": float(k), "detail": ", ".join(x.columns)},
    ]


def fit_its(
    data: pd.DataFrame,
    *,
    intervention: pd.Timestamp | str,
    model: ITSModel = ITSModel(),
    period: str = "period",
    outcome: str = "value",
    denominator: str | None = None,
) -> ITSFit:
    """Fit a segmented regression to one series and return tidy tables.

    Parameters
    ----------
    data
        One row per period: ``period`` (first day of the period, or anything
        :func:`pandas.to_datetime` reads), ``outcome`` and, for an offset, ``denominator``. Not
        modified; rows are sorted by period.
    intervention
        The date the intervention took effect; the first period whose start is at or after the
        start of the period containing this date is the first post-intervention period.
    model
        Family, frequency, seasonality, HAC lag, effect times and confidence (:class:`ITSModel`).
    period, outcome, denominator
        Column names; ``denominator`` is the ``log`` offset (count families only).

    Returns
    -------
    ITSFit

    Examples
    --------
    >>> months = pd.date_range("2016-01-01", periods=24, freq="MS")
    >>> y = [100.0 + i for i in range(12)] + [80.0 + i for i in range(12, 24)]
    >>> fit = fit_its(pd.DataFrame({"period": months, "value": y}),
    ...               intervention="2017-01-01", model=ITSModel(hac_lags=1, effect_times=(0,)))
    >>> fit.estimates.set_index("term").loc["level_change", "estimate"].round(6)
    np.float64(-20.0)
    """
    frame, y, offset = _prepare(data, period, outcome, denominator, model.family)
    x = design_matrix(
        frame[period],
        intervention=pd.Timestamp(intervention),
        frequency=model.frequency,
        seasonality=model.seasonality,
        fourier_order=model.fourier_order,
    )
    diagnostics = _check_design(x)
    xv, names = x.to_numpy(), list(x.columns)
    fitted: FamilyFit = fit_family(y, xv, offset, family=model.family, hac_lags=model.hac_lags)
    diagnostics += fitted.diagnostics
    diagnostics += autocorrelation(
        fitted.resid, frequency=model.frequency, lags=model.ljung_box_lags
    )
    crit = float(fitted.dist.ppf(0.5 + model.confidence / 2))
    inf = _Inference(fitted.beta, fitted.cov, fitted.dist, crit, fitted.log_link)
    rows = _term_rows(inf, names)
    rows += _effect_rows(inf, x, model.effect_times)
    rows += _coefficient_rows(inf, names)
    series = _series(inf, x, frame[period], y, offset)
    series["denominator"] = frame[denominator].astype(float).to_numpy() if denominator else np.nan
    return ITSFit(
        estimates=pd.DataFrame(rows, columns=ESTIMATE_COLUMNS),
        series=series[SERIES_COLUMNS],
        diagnostics=pd.DataFrame(diagnostics).reindex(columns=DIAGNOSTIC_COLUMNS),
        formula=model_formula(model.family, names, offset is not None),
    )


def _row(term: str, b: float, se: float, inf: _Inference) -> dict[str, object]:
    """A term on its natural scale: a ratio for log-link models (``std_error`` of the log)."""
    low, high = b - inf.crit * se, b + inf.crit * se
    p = inf.p(b, se)
    if inf.log_link:
        b, low, high = math.exp(b), math.exp(low), math.exp(high)
    return {
        "term": term,
        "estimate": float(b),
        "std_error": float(se),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": p,
        "effect_scale": "ratio" if inf.log_link else "difference",
    }


def _term_rows(inf: _Inference, names: list[str]) -> list[dict[str, object]]:
    se = np.sqrt(np.diag(inf.cov))
    rows = []
    for term, name in (("pre_trend", "time"), ("level_change", "level"), ("slope_change", "slope")):
        j = names.index(name)
        rows.append(_row(term, inf.beta[j], se[j], inf))
    return rows


def _coefficient_rows(inf: _Inference, names: list[str]) -> list[dict[str, object]]:
    se = np.sqrt(np.diag(inf.cov))
    return [
        {
            "term": f"coef:{name}",
            "estimate": float(inf.beta[j]),
            "std_error": float(se[j]),
            "ci_low": float(inf.beta[j] - inf.crit * se[j]),
            "ci_high": float(inf.beta[j] + inf.crit * se[j]),
            "p_value": inf.p(inf.beta[j], se[j]),
            "effect_scale": "linear_predictor",
        }
        for j, name in enumerate(names)
    ]


def _without_intervention(xv: np.ndarray, names: list[str]) -> np.ndarray:
    out = xv.copy()
    out[..., names.index("level")] = 0.0
    out[..., names.index("slope")] = 0.0
    return out


def _effect_rows(
    inf: _Inference, x: pd.DataFrame, effect_times: tuple[int, ...]
) -> list[dict[str, object]]:
    """Absolute and relative effects ``h`` periods after the first post period (delta method).

    With an offset the effect is per unit of the denominator (a rate), so no offset enters.
    """
    names = list(x.columns)
    xv = x.to_numpy()
    t_obs = x["time"].to_numpy()
    t0 = float(t_obs[x["level"].to_numpy() > 0][0])
    rows: list[dict[str, object]] = []
    for h in effect_times:
        where = np.flatnonzero(np.isclose(t_obs, t0 + h))
        if where.size == 0:
            continue
        x1 = xv[int(where[0])].copy()
        x0 = _without_intervention(x1, names)
        m1, m0 = inf.mean(float(x1 @ inf.beta)), inf.mean(float(x0 @ inf.beta))
        if inf.log_link:
            grad_abs = m1 * x1 - m0 * x0
            d = x1 - x0
            rel = _row(
                f"effect_{h}_relative", float(d @ inf.beta), float(np.sqrt(d @ inf.cov @ d)), inf
            )
        else:
            grad_abs = x1 - x0
            rel = _linear_ratio(f"effect_{h}_relative", (m1, m0), (x1, x0), inf)
        se_abs = float(np.sqrt(grad_abs @ inf.cov @ grad_abs))
        est_abs = m1 - m0
        rows.append(
            {
                "term": f"effect_{h}_absolute",
                "estimate": est_abs,
                "std_error": se_abs,
                "ci_low": est_abs - inf.crit * se_abs,
                "ci_high": est_abs + inf.crit * se_abs,
                "p_value": inf.p(est_abs, se_abs),
                "effect_scale": "difference",
            }
        )
        rows.append(rel)
    return rows


def _linear_ratio(
    term: str, means: tuple[float, float], rows: tuple[np.ndarray, np.ndarray], inf: _Inference
) -> dict[str, object]:
    """``μ1 / μ0`` of an identity-link model with its first-order delta-method interval."""
    (m1, m0), (x1, x0) = means, rows
    estimate = m1 / m0
    grad = (x1 * m0 - x0 * m1) / m0**2
    se = float(np.sqrt(grad @ inf.cov @ grad))
    return {
        "term": term,
        "estimate": estimate,
        "std_error": se,
        "ci_low": estimate - inf.crit * se,
        "ci_high": estimate + inf.crit * se,
        "p_value": inf.p(estimate, se, null=1.0),
        "effect_scale": "ratio",
    }


def _series(
    inf: _Inference, x: pd.DataFrame, periods: pd.Series, y: np.ndarray, offset: np.ndarray | None
) -> pd.DataFrame:
    """The fitted and counterfactual series with their pointwise intervals."""
    xv = x.to_numpy()
    names = list(x.columns)
    off = np.zeros(len(y)) if offset is None else offset
    series = pd.DataFrame({"period": periods, "t": x["time"].to_numpy(), "post": x["level"] > 0})
    series["observed"] = y
    for label, mat in (("fitted", xv), ("counterfactual", _without_intervention(xv, names))):
        eta = mat @ inf.beta + off
        se_eta = np.sqrt(np.einsum("ij,jk,ik->i", mat, inf.cov, mat))
        series[label] = inf.mean(eta)
        series[f"{label}_ci_low"] = inf.mean(eta - inf.crit * se_eta)
        series[f"{label}_ci_high"] = inf.mean(eta + inf.crit * se_eta)
    return series
