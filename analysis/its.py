"""Interrupted time series: segmented regression for one indicator series.

The model (Wagner et al. 2002; Lopez Bernal, Cummins & Gasparrini 2017) is

.. math:: g(E[Y_t]) = \\beta_0 + \\beta_1 t + \\beta_2 X_t + \\beta_3 (t - t_0 + 1) X_t
          [+ \\text{season}_t] [+ \\log(\\text{offset}_t)]

with ``t`` the period number (0 for the first period, counted in periods of the series' frequency,
so gaps are allowed), ``t0`` the number of the first period at or after the intervention and
``X_t = 1`` from ``t0`` on. The interruption sits at the end of period ``t0 − 1``: the slope term
counts the periods since then (1 in the first post period), as Wagner et al. (2002) code "time
after the intervention" and as the tutorial's ``I(time − 36):smokban`` (Lopez Bernal et al. 2017).
``pre_trend`` is :math:`\\beta_1`, ``level_change`` :math:`\\beta_2` (the change at the
interruption) and ``slope_change`` :math:`\\beta_3`.

Impact models
-------------
Declared a priori, as the tutorial asks: ``level_slope`` (both terms, the default), ``level`` (a
step change only, the tutorial's main model) or ``slope`` (a change in slope only).

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
    covariance by the Pearson χ² / (n − k). The negative binomial (NB2, variance
    ``mu + mu^2 / theta``) estimates ``theta`` by maximum likelihood and reports the GLM covariance
    at that ``theta``, as ``MASS::glm.nb`` does.

Intervals
---------
``interval`` sets the reference distribution of every test and Wald interval: ``wald_normal`` (the
normal quantile, as R's ``confint.default`` and ``Epi::ci.lin``/``ci.exp``, the tutorial's
intervals), ``wald_t`` (t with n − k df, as ``summary.glm`` tests a quasi-Poisson model) or
``auto`` (the default: t where a scale is estimated from the residuals, ``gaussian`` and
``quasipoisson``, as ``summary.lm``/``summary.glm``; normal for ``poisson`` and ``negbin``).

Control series
--------------
A controlled ITS uses a control series of the same periods: ``difference`` models the treated
series minus the control (``gaussian`` only), ``offset`` adds ``log(control)`` as an offset of a
count model (the rate relative to the control).

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
Lopez Bernal J, Cummins S, Gasparrini A. The use of controls in interrupted time series studies of
public health interventions. Int J Epidemiol 2018;47:2082–2093.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.its_design import (
    IMPACTS,
    Formula,
    Frequency,
    Impact,
    Seasonality,
    automatic_hac_lag,
    design_matrix,
    design_text,
    model_formula,
    post_period,
)
from analysis.its_effects import Inference, coefficient_rows, effect_rows, series_rows, term_rows
from analysis.its_fit import FAMILIES, ITSDataError, autocorrelation, fit_family

__all__ = [
    "DIAGNOSTIC_COLUMNS",
    "ESTIMATE_COLUMNS",
    "FAMILIES",
    "IMPACTS",
    "INTERVALS",
    "SERIES_COLUMNS",
    "ITSDataError",
    "ITSFit",
    "ITSModel",
    "automatic_hac_lag",
    "design_matrix",
    "fit_its",
]

Family = Literal["gaussian", "poisson", "quasipoisson", "negbin"]
Interval = Literal["auto", "wald_normal", "wald_t"]
Control = Literal["difference", "offset"]

#: The interval methods (see the module docstring).
INTERVALS: tuple[str, ...] = ("auto", "wald_normal", "wald_t")

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
    impact
        ``level_slope``, ``level`` or ``slope``: the intervention terms of the model.
    interval
        ``auto``, ``wald_normal`` or ``wald_t``: the reference distribution of tests and intervals.
    control
        ``None``, or how a control series enters: ``difference`` or ``offset``.
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
    impact: Impact = "level_slope"
    interval: Interval = "auto"
    control: Control | None = None
    hac_lags: int | None = None
    effect_times: tuple[int, ...] = (12,)
    confidence: float = 0.95
    ljung_box_lags: int | None = field(default=None)

    def __post_init__(self) -> None:
        checks = (
            ("family", self.family, FAMILIES),
            ("impact", self.impact, IMPACTS),
            ("interval", self.interval, INTERVALS),
            ("control", self.control, (None, "difference", "offset")),
        )
        for name, value, allowed in checks:
            if value not in allowed:
                shown = ", ".join(str(a) for a in allowed)
                raise ValueError(f"{name} must be one of {shown}; got {value!r}")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1; got {self.confidence}")
        if self.control == "difference" and self.family != "gaussian":
            raise ValueError("control: difference needs family gaussian (a difference of series)")
        if self.control == "offset" and self.family == "gaussian":
            raise ValueError("control: offset needs a count family (poisson, quasipoisson, negbin)")


@dataclass(frozen=True)
class ITSFit:
    """The tidy results of one segmented regression.

    Attributes
    ----------
    estimates
        One row per term (:data:`ESTIMATE_COLUMNS`). Terms ``pre_trend`` and, as the impact model
        has them, ``level_change`` and ``slope_change`` (``effect_scale`` ``ratio`` for log-link
        families, the ``std_error`` then on the log scale), then ``effect_<h>_absolute`` and
        ``effect_<h>_relative`` per effect time, then the raw coefficients of the linear predictor
        as ``coef:<name>`` (``effect_scale = "linear_predictor"``).
    series
        One row per observed period: ``period, t, post, observed, denominator, fitted`` (+ CI),
        ``counterfactual`` (+ CI; the fitted line without the intervention terms).
    diagnostics
        ``diagnostic, estimate, df, p_value, detail``: n, n_pre, n_post, the design, the impact
        model, the interval method, HAC lag, Durbin–Watson, Ljung–Box, Breusch–Godfrey
        (Gaussian), dispersion, theta (negbin), AIC, and what the fitting library warned about.
    formula
        The model as fitted, in R's notation (:func:`analysis.its_design.model_formula`).
    """

    estimates: pd.DataFrame
    series: pd.DataFrame
    diagnostics: pd.DataFrame
    formula: str


@dataclass(frozen=True)
class _Columns:
    period: str
    outcome: str
    denominator: str | None
    control: str | None


def _prepare(
    data: pd.DataFrame, cols: _Columns, model: ITSModel
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    """The sorted frame, the outcome and the log offset, checked."""
    if cols.denominator is not None and model.family == "gaussian":
        raise ValueError(
            "a denominator offset needs a count family (poisson, quasipoisson, negbin)"
        )
    if (cols.control is None) != (model.control is None):
        raise ValueError("fit_its: give both a control column and model.control, or neither")
    if model.control == "offset" and cols.denominator is not None:
        raise ValueError("fit_its: a control offset replaces the denominator offset; give one")
    names = [c for c in (cols.period, cols.outcome, cols.denominator, cols.control) if c]
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise KeyError(f"fit_its: columns not in the data: {', '.join(missing)}")
    frame = data[names].copy()
    frame[cols.period] = pd.to_datetime(frame[cols.period])
    frame = frame.sort_values(cols.period, kind="stable").reset_index(drop=True)
    y = frame[cols.outcome].astype(float).to_numpy()
    if np.isnan(y).any():
        raise ITSDataError("the outcome has missing values")
    if model.family != "gaussian" and ((y < 0).any() or not np.allclose(y, np.round(y))):
        raise ITSDataError(f"family {model.family} needs non-negative whole counts")
    positive = cols.control if model.control == "offset" else cols.denominator
    offset = None
    if positive is not None:
        den = frame[positive].astype(float).to_numpy()
        if np.isnan(den).any() or (den <= 0).any():
            raise ITSDataError(
                f"the {'control' if cols.control else 'denominator'} must be positive"
            )
        offset = np.log(den)
    if model.control == "difference" and cols.control is not None:
        control = frame[cols.control].astype(float).to_numpy()
        if np.isnan(control).any():
            raise ITSDataError("the control series has missing values")
        y = y - control
    return frame, y, offset


def _check_design(x: pd.DataFrame, post: np.ndarray) -> list[dict[str, object]]:
    """Enough periods on both sides and for the parameters; the design's diagnostic rows."""
    n, k = x.shape
    n_post = int(post.sum())
    n_pre = n - n_post
    if n_pre < 3 or n_post < 3:
        raise ITSDataError(
            f"need at least 3 periods before and 3 after the intervention; found {n_pre} before "
            f"and {n_post} after"
        )
    if n - k < 1:
        raise ITSDataError(f"{n} periods are too few for {k} parameters")
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


def _reference(model: ITSModel, df_resid: float) -> tuple[Any, str]:
    """The reference distribution of tests and intervals, and its description."""
    interval = model.interval
    if interval == "auto":
        interval = "wald_t" if model.family in ("gaussian", "quasipoisson") else "wald_normal"
    if interval == "wald_t":
        return stats.t(df_resid), f"Wald, t with {df_resid:g} df (n − k)"
    return stats.norm(), "Wald, normal quantile (as confint.default, Epi::ci.lin)"


def fit_its(
    data: pd.DataFrame,
    *,
    intervention: pd.Timestamp | str,
    model: ITSModel = ITSModel(),
    period: str = "period",
    outcome: str = "value",
    denominator: str | None = None,
    control: str | None = None,
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
        How the series is modelled (:class:`ITSModel`).
    period, outcome, denominator, control
        Column names; ``denominator`` is the ``log`` offset (count families only), ``control``
        the control series (with ``model.control``).

    Returns
    -------
    ITSFit

    Raises
    ------
    ITSDataError
        When the series cannot support the model (the plan writes the reason into the results).

    Examples
    --------
    >>> months = pd.date_range("2016-01-01", periods=24, freq="MS")
    >>> y = [100.0 + i for i in range(12)] + [80.0 + i for i in range(12, 24)]
    >>> fit = fit_its(pd.DataFrame({"period": months, "value": y}), intervention="2017-01-01",
    ...               model=ITSModel(impact="level", hac_lags=1, effect_times=(0,)))
    >>> fit.estimates.set_index("term").loc["level_change", "estimate"].round(6)
    np.float64(-20.0)
    """
    cols = _Columns(period, outcome, denominator, control)
    frame, y, offset = _prepare(data, cols, model)
    when = pd.Timestamp(intervention)
    x = design_matrix(
        frame[period],
        intervention=when,
        frequency=model.frequency,
        seasonality=model.seasonality,
        fourier_order=model.fourier_order,
        impact=model.impact,
    )
    post = post_period(frame[period], intervention=when, frequency=model.frequency).to_numpy()
    diagnostics = _check_design(x, post)
    xv, names = x.to_numpy(), list(x.columns)
    fitted = fit_family(y, xv, offset, family=model.family, hac_lags=model.hac_lags)
    dist, how = _reference(model, float(len(y) - len(names)))
    diagnostics += _settings_rows(model, x, frame[period], post, how)
    diagnostics += fitted.diagnostics
    diagnostics += autocorrelation(
        fitted.resid, frequency=model.frequency, lags=model.ljung_box_lags
    )
    crit = float(dist.ppf(0.5 + model.confidence / 2))
    inf = Inference(fitted.beta, fitted.cov, dist, crit, fitted.log_link)
    rows = term_rows(inf, names) + effect_rows(inf, x, post, model.effect_times)
    rows += coefficient_rows(inf, names)
    series = series_rows(inf, x, post, (frame[period], y), offset)
    series["denominator"] = frame[denominator].astype(float).to_numpy() if denominator else np.nan
    offsets = tuple(c for c in (denominator, control if model.control == "offset" else None) if c)
    shown = f"({outcome} - {control})" if model.control == "difference" else outcome
    return ITSFit(
        estimates=pd.DataFrame(rows, columns=ESTIMATE_COLUMNS),
        series=series[SERIES_COLUMNS],
        diagnostics=pd.DataFrame(diagnostics).reindex(columns=DIAGNOSTIC_COLUMNS),
        formula=model_formula(Formula(model.family, tuple(names), offsets, shown)),
    )


def _settings_rows(
    model: ITSModel, x: pd.DataFrame, periods: pd.Series, post: np.ndarray, how: str
) -> list[dict[str, object]]:
    """The design in words, the impact model and the interval method (diagnostic rows)."""
    label = {"month": "%Y-%m", "quarter": "%Y-%m", "year": "%Y"}[model.frequency]
    t0 = int(x["time"].to_numpy()[post][0])
    design = design_text(
        tuple(x.columns),
        first=periods.iloc[0].strftime(label),
        first_post=periods[post].iloc[0].strftime(label),
        t0=t0,
        frequency=model.frequency,
    )
    impact = {
        "level_slope": "level and slope change",
        "level": "level change only",
        "slope": "slope change only",
    }[model.impact]
    rows: list[dict[str, object]] = [
        {"diagnostic": "design", "detail": design},
        {"diagnostic": "impact", "detail": f"{model.impact}: {impact}"},
        {"diagnostic": "interval", "detail": f"{model.interval}: {how}"},
    ]
    if model.control is not None:
        rows.append({"diagnostic": "control_method", "detail": model.control})
    return rows
