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
from scipy import stats

Family = Literal["gaussian", "poisson", "quasipoisson", "negbin"]
Seasonality = Literal["none", "fourier", "month"]
Frequency = Literal["month", "quarter", "year"]

FAMILIES: tuple[str, ...] = ("gaussian", "poisson", "quasipoisson", "negbin")
_PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}

ESTIMATE_COLUMNS = ["term", "estimate", "ci_low", "ci_high", "p_value", "scale", "std_error"]
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
DIAGNOSTIC_COLUMNS = ["measure", "estimate", "df", "p_value", "detail"]


@dataclass(frozen=True)
class ITSFit:
    """The tidy results of one segmented regression.

    Attributes
    ----------
    estimates
        One row per term: ``term, estimate, ci_low, ci_high, p_value, scale, std_error``. Terms
        ``pre_trend``, ``level_change``, ``slope_change`` (ratio scale for log-link families; the
        ``std_error`` is then on the log scale), then ``effect_<h>_absolute`` and
        ``effect_<h>_relative`` per effect time, then the raw coefficients of the linear
        predictor as ``coef:<name>`` (``scale = "linear_predictor"``).
    series
        One row per observed period: ``period, t, post, observed, denominator, fitted`` (+ CI),
        ``counterfactual`` (+ CI; the fitted line without the intervention terms).
    diagnostics
        ``measure, estimate, df, p_value, detail``: n, n_pre, n_post, HAC lag, Durbin–Watson,
        Ljung–Box, Breusch–Godfrey (Gaussian), dispersion, theta (negbin), AIC.
    formula
        The model as a reviewable formula string.
    """

    estimates: pd.DataFrame
    series: pd.DataFrame
    diagnostics: pd.DataFrame
    formula: str


def automatic_hac_lag(n: int) -> int:
    """Newey–West's rule of thumb ``floor(4 (n/100)^(2/9))``.

    >>> automatic_hac_lag(38)
    3
    """
    return math.floor(4 * (n / 100) ** (2 / 9))


def period_number(periods: pd.Series, *, frequency: Frequency) -> pd.Series:
    """Periods (timestamps of their first day) as integers counted in the series' frequency."""
    p = pd.to_datetime(periods)
    months = p.dt.year * 12 + (p.dt.month - 1)
    if frequency == "month":
        return months.astype("int64")
    if frequency == "quarter":
        return (months // 3).astype("int64")
    return p.dt.year.astype("int64")


def season_position(periods: pd.Series, *, frequency: Frequency) -> pd.Series:
    """Month (1–12) or quarter (1–4) of each period."""
    p = pd.to_datetime(periods)
    if frequency == "quarter":
        return ((p.dt.month - 1) // 3 + 1).astype("int64")
    return p.dt.month.astype("int64")


def design_matrix(
    periods: pd.Series,
    *,
    intervention: pd.Timestamp,
    frequency: Frequency,
    seasonality: Seasonality = "none",
    fourier_order: int = 2,
    origin: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The regressors of the segmented model for ``periods`` (first days of periods).

    Columns: ``intercept, time, level, slope`` then seasonal terms (``sin1, cos1, …`` or
    ``season2, …``). ``origin`` (default the first period) is where ``time`` is 0.
    """
    periods = pd.to_datetime(pd.Series(periods)).reset_index(drop=True)
    first = pd.Timestamp(origin) if origin is not None else periods.iloc[0]
    number = period_number(periods, frequency=frequency)
    base = int(period_number(pd.Series([first]), frequency=frequency).iloc[0])
    t0_abs = int(
        period_number(pd.Series([pd.Timestamp(intervention)]), frequency=frequency).iloc[0]
    )
    t = (number - base).astype(float)
    t0 = float(t0_abs - base)
    post = (t >= t0).astype(float)
    x = pd.DataFrame(
        {"intercept": 1.0, "time": t, "level": post, "slope": (t - t0) * post},
        index=periods.index,
    )
    per_year = _PERIODS_PER_YEAR[frequency]
    if seasonality != "none" and per_year > 1:
        pos = season_position(periods, frequency=frequency).astype(float)
        if seasonality == "fourier":
            for k in range(1, fourier_order + 1):
                x[f"sin{k}"] = np.sin(2 * np.pi * k * pos / per_year)
                x[f"cos{k}"] = np.cos(2 * np.pi * k * pos / per_year)
        elif seasonality == "month":
            for m in range(2, per_year + 1):
                x[f"season{m}"] = (pos == m).astype(float)
        else:
            raise ValueError(f"seasonality must be none, fourier or month; got {seasonality!r}")
    return x


def _formula(family: str, columns: list[str], offset: bool) -> str:
    terms = " + ".join(c for c in columns if c != "intercept")
    link = "y" if family == "gaussian" else "log(E[y])"
    off = " + offset(log(denominator))" if offset else ""
    return f"{link} ~ {terms}{off}  [{family}]"


def fit_its(
    data: pd.DataFrame,
    *,
    intervention: pd.Timestamp | str,
    family: Family = "gaussian",
    period: str = "period",
    outcome: str = "value",
    denominator: str | None = None,
    frequency: Frequency = "month",
    seasonality: Seasonality = "none",
    fourier_order: int = 2,
    hac_lags: int | None = None,
    effect_times: tuple[int, ...] = (12,),
    confidence: float = 0.95,
    ljung_box_lags: int | None = None,
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
    family
        ``gaussian`` (OLS + Newey–West), ``poisson``, ``quasipoisson`` or ``negbin``.
    denominator
        Column used as ``log`` offset (count families only).
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

    Returns
    -------
    ITSFit

    Examples
    --------
    >>> months = pd.date_range("2016-01-01", periods=24, freq="MS")
    >>> y = [100.0 + i for i in range(12)] + [80.0 + i for i in range(12, 24)]
    >>> fit = fit_its(pd.DataFrame({"period": months, "value": y}),
    ...               intervention="2017-01-01", hac_lags=1, effect_times=(0,))
    >>> fit.estimates.set_index("term").loc["level_change", "estimate"].round(6)
    np.float64(-20.0)
    """
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_hac

    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
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
    intervention = pd.Timestamp(intervention)
    x = design_matrix(
        frame[period],
        intervention=intervention,
        frequency=frequency,
        seasonality=seasonality,
        fourier_order=fourier_order,
    )
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
    offset = None
    if denominator is not None:
        den = frame[denominator].astype(float).to_numpy()
        if (den <= 0).any() or np.isnan(den).any():
            raise ValueError("fit_its: the denominator must be positive")
        offset = np.log(den)
    if family != "gaussian" and ((y < 0).any() or not np.allclose(y, np.round(y))):
        raise ValueError(f"fit_its: family {family} needs non-negative whole counts")

    xv = x.to_numpy()
    names = list(x.columns)
    diag: list[dict] = [
        {"measure": "n", "estimate": float(n), "detail": "periods"},
        {"measure": "n_pre", "estimate": float(n_pre), "detail": "periods before"},
        {"measure": "n_post", "estimate": float(n_post), "detail": "periods from the intervention"},
        {"measure": "parameters", "estimate": float(k), "detail": ", ".join(names)},
    ]
    df_resid = float(n - k)
    mu_fn: Callable[[Any], Any]
    glm_res: Any
    if family == "gaussian":
        ols = sm.OLS(y, xv).fit()
        lag = automatic_hac_lag(n) if hac_lags is None else int(hac_lags)
        if lag < 0:
            raise ValueError(f"hac_lags must be >= 0; got {hac_lags}")
        cov = np.asarray(cov_hac(ols, nlags=lag, use_correction=True))
        beta = np.asarray(ols.params)
        mu_fn = _identity
        dist: stats.rv_continuous | None = stats.t(df_resid)
        resid = np.asarray(ols.resid)
        diag.append(
            {
                "measure": "hac_lag",
                "estimate": float(lag),
                "detail": "Newey–West, Bartlett weights, n/(n-k) adjustment"
                + (" (automatic: floor(4(n/100)^(2/9)))" if hac_lags is None else " (set)"),
            }
        )
        diag.append({"measure": "aic", "estimate": float(ols.aic), "detail": "OLS"})
        diag.append({"measure": "r_squared", "estimate": float(ols.rsquared), "detail": "OLS"})
        diag.extend(_breusch_godfrey(ols, lag=max(1, lag)))
    else:
        fam: object
        if family == "negbin":
            theta, beta, cov, glm_res = _fit_negbin(y, xv, offset)
            diag.append(
                {
                    "measure": "theta",
                    "estimate": theta,
                    "detail": "negative binomial shape (ML); variance mu + mu^2/theta",
                }
            )
            dist = None
        else:
            fam = sm.families.Poisson()
            glm_res = sm.GLM(y, xv, family=fam, offset=offset).fit(tol=1e-12, maxiter=200)
            beta = np.asarray(glm_res.params)
            cov = np.asarray(glm_res.cov_params())
            dist = None
            if family == "quasipoisson":
                phi = float(glm_res.pearson_chi2 / df_resid)
                cov = cov * phi
                dist = stats.t(df_resid)
        mu_fn = np.exp
        resid = np.asarray(glm_res.resid_pearson)
        pearson = float(np.sum(resid**2))
        diag.append(
            {
                "measure": "dispersion",
                "estimate": pearson / df_resid,
                "df": df_resid,
                "p_value": float(stats.chi2.sf(pearson, df_resid)),
                "detail": "Pearson chi2 / (n - k); p: chi2 test of no over-dispersion"
                + (" (after the negative binomial variance)" if family == "negbin" else ""),
            }
        )
        diag.append({"measure": "deviance", "estimate": float(glm_res.deviance), "df": df_resid})
        if family != "quasipoisson":
            diag.append({"measure": "aic", "estimate": float(glm_res.aic), "detail": family})
    if dist is None:
        dist = stats.norm()
    crit = float(dist.ppf(0.5 + confidence / 2))

    diag.extend(_autocorrelation(resid, n=n, frequency=frequency, lags=ljung_box_lags))

    se = np.sqrt(np.diag(cov))
    ratio = family != "gaussian"
    rows = []
    for term, name in (("pre_trend", "time"), ("level_change", "level"), ("slope_change", "slope")):
        j = names.index(name)
        rows.append(_row(term, beta[j], se[j], crit, dist, ratio))

    # effects at chosen times after the intervention
    t_obs = x["time"].to_numpy()
    t0 = float(t_obs[x["level"].to_numpy() > 0][0])
    for h in effect_times:
        where = np.flatnonzero(np.isclose(t_obs, t0 + h))
        if where.size == 0:
            continue
        i = int(where[0])
        x1 = xv[i].copy()
        x0 = x1.copy()
        x0[names.index("level")] = 0.0
        x0[names.index("slope")] = 0.0
        off_i = 0.0  # with an offset: per unit of the denominator (a rate)
        eta1, eta0 = float(x1 @ beta) + off_i, float(x0 @ beta) + off_i
        m1, m0 = mu_fn(eta1), mu_fn(eta0)
        if ratio:
            grad_abs = m1 * x1 - m0 * x0
            d = x1 - x0
            log_rr = float(d @ beta)
            se_log = float(np.sqrt(d @ cov @ d))
            rel = _row(f"effect_{h}_relative", log_rr, se_log, crit, dist, True)
        else:
            grad_abs = x1 - x0
            rel_est = m1 / m0
            grad_rel = (x1 * m0 - x0 * m1) / m0**2
            se_rel = float(np.sqrt(grad_rel @ cov @ grad_rel))
            stat = (rel_est - 1) / se_rel if se_rel > 0 else math.nan
            rel = {
                "term": f"effect_{h}_relative",
                "estimate": rel_est,
                "ci_low": rel_est - crit * se_rel,
                "ci_high": rel_est + crit * se_rel,
                "p_value": float(2 * dist.sf(abs(stat))),
                "scale": "ratio",
                "std_error": se_rel,
            }
        se_abs = float(np.sqrt(grad_abs @ cov @ grad_abs))
        est_abs = m1 - m0
        stat_abs = est_abs / se_abs if se_abs > 0 else math.nan
        rows.append(
            {
                "term": f"effect_{h}_absolute",
                "estimate": est_abs,
                "ci_low": est_abs - crit * se_abs,
                "ci_high": est_abs + crit * se_abs,
                "p_value": float(2 * dist.sf(abs(stat_abs))),
                "scale": "difference",
                "std_error": se_abs,
            }
        )
        rows.append(rel)
    for j, name in enumerate(names):
        stat = beta[j] / se[j] if se[j] > 0 else math.nan
        rows.append(
            {
                "term": f"coef:{name}",
                "estimate": float(beta[j]),
                "ci_low": float(beta[j] - crit * se[j]),
                "ci_high": float(beta[j] + crit * se[j]),
                "p_value": float(2 * dist.sf(abs(stat))),
                "scale": "linear_predictor",
                "std_error": float(se[j]),
            }
        )
    estimates = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)

    # the fitted and counterfactual series
    x0m = xv.copy()
    x0m[:, names.index("level")] = 0.0
    x0m[:, names.index("slope")] = 0.0
    off = np.zeros(n) if offset is None else offset
    series = pd.DataFrame({"period": frame[period], "t": t_obs, "post": x["level"] > 0})
    series["observed"] = y
    series["denominator"] = frame[denominator].astype(float).to_numpy() if denominator else np.nan
    for label, mat in (("fitted", xv), ("counterfactual", x0m)):
        eta = mat @ beta + off
        se_eta = np.sqrt(np.einsum("ij,jk,ik->i", mat, cov, mat))
        series[label] = mu_fn(eta)
        series[f"{label}_ci_low"] = mu_fn(eta - crit * se_eta)
        series[f"{label}_ci_high"] = mu_fn(eta + crit * se_eta)
    diagnostics = pd.DataFrame(diag).reindex(columns=DIAGNOSTIC_COLUMNS)
    return ITSFit(
        estimates=estimates,
        series=series[SERIES_COLUMNS],
        diagnostics=diagnostics,
        formula=_formula(family, names, offset is not None),
    )


def _identity(x: float) -> float:
    return x


def _row(
    term: str, b: float, se: float, crit: float, dist: stats.rv_continuous, ratio: bool
) -> dict:
    stat = b / se if se > 0 else math.nan
    low, high = b - crit * se, b + crit * se
    if ratio:
        b, low, high = math.exp(b), math.exp(low), math.exp(high)
    return {
        "term": term,
        "estimate": float(b),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(2 * dist.sf(abs(stat))),
        "scale": "ratio" if ratio else "difference",
        "std_error": float(se),
    }


def _fit_negbin(
    y: np.ndarray, x: np.ndarray, offset: np.ndarray | None
) -> tuple[float, np.ndarray, np.ndarray, Any]:
    """NB2 by ML: alternate the GLM fit at fixed theta and Newton steps for theta (as glm.nb)."""
    import statsmodels.api as sm
    from scipy.special import digamma, polygamma

    pois = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(tol=1e-12, maxiter=200)
    mu = np.asarray(pois.fittedvalues)
    theta = _theta_ml(y, mu, digamma, polygamma)
    res = pois
    for _ in range(100):
        res = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=1 / theta), offset=offset).fit(
            tol=1e-13, maxiter=200
        )
        mu = np.asarray(res.fittedvalues)
        new = _theta_ml(y, mu, digamma, polygamma)
        if abs(new - theta) <= 1e-10 * max(1.0, theta):
            theta = new
            break
        theta = new
    res = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=1 / theta), offset=offset).fit(
        tol=1e-13, maxiter=200
    )
    return float(theta), np.asarray(res.params), np.asarray(res.cov_params()), res


def _theta_ml(y: np.ndarray, mu: np.ndarray, digamma, polygamma) -> float:
    """ML estimate of theta for fixed means (Newton–Raphson on the score, as MASS::theta.ml)."""
    n = len(y)
    theta = n / float(np.sum((y / mu - 1) ** 2))
    for _ in range(200):
        theta = max(theta, 1e-8)
        score = float(
            np.sum(digamma(theta + y) - digamma(theta) + np.log(theta) + 1
                   - np.log(theta + mu) - (y + theta) / (mu + theta))
        )  # fmt: skip
        info = float(
            np.sum(-polygamma(1, theta + y) + polygamma(1, theta) - 1 / theta
                   + 2 / (mu + theta) - (y + theta) / (mu + theta) ** 2)
        )  # fmt: skip
        step = score / info
        theta += step
        if abs(step) <= 1e-12 * max(1.0, abs(theta)):
            break
    if not np.isfinite(theta) or theta <= 0:
        raise ValueError(
            "fit_its: the negative binomial theta did not converge (no over-dispersion?)"
        )
    return float(theta)


def _autocorrelation(
    resid: np.ndarray, *, n: int, frequency: Frequency, lags: int | None
) -> list[dict]:
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    out = [
        {
            "measure": "durbin_watson",
            "estimate": float(durbin_watson(resid)),
            "detail": "on the model's residuals (Pearson for count models); about 2 = none",
        }
    ]
    lb_lag = lags if lags is not None else max(1, min(_PERIODS_PER_YEAR[frequency], n // 4))
    if lb_lag >= 1 and n > lb_lag + 1:
        lb = acorr_ljungbox(resid, lags=[lb_lag])
        out.append(
            {
                "measure": "ljung_box",
                "estimate": float(lb["lb_stat"].iloc[0]),
                "df": float(lb_lag),
                "p_value": float(lb["lb_pvalue"].iloc[0]),
                "detail": f"lag {lb_lag}",
            }
        )
    return out


def _breusch_godfrey(ols: object, *, lag: int) -> list[dict]:
    from statsmodels.stats.diagnostic import acorr_breusch_godfrey

    lm, lm_p, _, _ = acorr_breusch_godfrey(ols, nlags=lag, result_object=False)
    return [
        {
            "measure": "breusch_godfrey",
            "estimate": float(lm),
            "df": float(lag),
            "p_value": float(lm_p),
            "detail": f"LM test, order {lag}",
        }
    ]
