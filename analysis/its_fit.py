"""The model families of a segmented regression (see :mod:`analysis.its`): OLS with Newey–West
standard errors, Poisson and quasi-Poisson GLMs, and the negative binomial (NB2) by maximum
likelihood, each with its diagnostics. The fits are statsmodels' (``OLS`` with ``cov_hac``, ``GLM``,
``NegativeBinomial``); what the libraries warn about becomes a ``fit_warning`` diagnostic.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from analysis.its_design import PERIODS_PER_YEAR, Frequency, automatic_hac_lag

__all__ = ["FAMILIES", "FamilyFit", "ITSDataError", "autocorrelation", "fit_family", "fit_warnings"]

FAMILIES: tuple[str, ...] = ("gaussian", "poisson", "quasipoisson", "negbin")

Diagnostic = dict[str, object]


class ITSDataError(ValueError):
    """The series cannot support the model (too few periods, no over-dispersion for a negative
    binomial, counts that are not whole numbers): the results say why instead of an estimate."""


@dataclass(frozen=True)
class FamilyFit:
    """Coefficients, their covariance and what inference uses.

    ``dist`` is the reference distribution of tests and intervals (t with n − k df for Gaussian
    and quasi-Poisson, else normal); ``resid`` the residuals the autocorrelation checks use
    (Pearson for count models); ``log_link`` whether estimates are on the log scale.
    """

    beta: np.ndarray
    cov: np.ndarray
    dist: Any
    resid: np.ndarray
    diagnostics: list[Diagnostic]
    log_link: bool


def fit_family(
    y: np.ndarray, x: np.ndarray, offset: np.ndarray | None, *, family: str, hac_lags: int | None
) -> FamilyFit:
    """Fit one family to the outcome ``y`` and the design ``x`` (with an optional log offset)."""
    if family == "gaussian":
        return _fit_gaussian(y, x, hac_lags)
    return _fit_counts(y, x, offset, family)


def _fit_gaussian(y: np.ndarray, x: np.ndarray, hac_lags: int | None) -> FamilyFit:
    """OLS with Newey–West HAC covariance (Bartlett weights, small-sample adjustment)."""
    from statsmodels.regression.linear_model import OLS
    from statsmodels.stats.sandwich_covariance import cov_hac

    n, k = x.shape
    ols = OLS(y, x).fit()
    lag = automatic_hac_lag(n) if hac_lags is None else int(hac_lags)
    if lag < 0:
        raise ValueError(f"hac_lags must be >= 0; got {hac_lags}")
    how = " (automatic: floor(4(n/100)^(2/9)))" if hac_lags is None else " (set)"
    diagnostics: list[Diagnostic] = [
        {
            "diagnostic": "hac_lag",
            "estimate": float(lag),
            "detail": "Newey–West, Bartlett weights, n/(n-k) adjustment" + how,
        },
        {"diagnostic": "aic", "estimate": float(ols.aic), "detail": "OLS"},
        {"diagnostic": "r_squared", "estimate": float(ols.rsquared), "detail": "OLS"},
        *_breusch_godfrey(ols, lag=max(1, lag)),
    ]
    return FamilyFit(
        beta=np.asarray(ols.params),
        cov=np.asarray(cov_hac(ols, nlags=lag, use_correction=True)),
        dist=stats.t(float(n - k)),
        resid=np.asarray(ols.resid),
        diagnostics=diagnostics,
        log_link=False,
    )


def _fit_counts(y: np.ndarray, x: np.ndarray, offset: np.ndarray | None, family: str) -> FamilyFit:
    """Poisson, quasi-Poisson (covariance × Pearson χ²/(n − k), t with n − k df) or NB2."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    n, k = x.shape
    df_resid = float(n - k)
    diagnostics: list[Diagnostic] = []
    dist: Any = stats.norm()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if family == "negbin":
            theta, res = _fit_negbin(y, x, offset)
            diagnostics.append(
                {
                    "diagnostic": "theta",
                    "estimate": theta,
                    "detail": "negative binomial shape (ML); variance mu + mu^2/theta",
                }
            )
        else:
            res = GLM(y, x, family=families.Poisson(), offset=offset).fit(tol=1e-12, maxiter=200)
    beta, cov = np.asarray(res.params), np.asarray(res.cov_params())
    if family == "quasipoisson":
        cov = cov * float(res.pearson_chi2 / df_resid)
        dist = stats.t(df_resid)
    resid = np.asarray(res.resid_pearson)
    pearson = float(np.sum(resid**2))
    after = " (after the negative binomial variance)" if family == "negbin" else ""
    diagnostics.append(
        {
            "diagnostic": "dispersion",
            "estimate": pearson / df_resid,
            "df": df_resid,
            "p_value": float(stats.chi2.sf(pearson, df_resid)),
            "detail": "Pearson chi2 / (n - k); p: chi2 test of no over-dispersion" + after,
        }
    )
    diagnostics.append({"diagnostic": "deviance", "estimate": float(res.deviance), "df": df_resid})
    if family != "quasipoisson":
        diagnostics.append({"diagnostic": "aic", "estimate": float(res.aic), "detail": family})
    diagnostics += fit_warnings(caught)
    return FamilyFit(beta, cov, dist, resid, diagnostics, log_link=True)


def fit_warnings(caught: list[warnings.WarningMessage]) -> list[Diagnostic]:
    """What the fitting libraries warned about, as diagnostic rows instead of terminal output."""
    seen = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    return [{"diagnostic": "fit_warning", "detail": text} for text in seen]


def _fit_negbin(y: np.ndarray, x: np.ndarray, offset: np.ndarray | None) -> tuple[float, Any]:
    """NB2: theta by maximum likelihood (statsmodels ``NegativeBinomial``, Newton from the Poisson
    fit and a moment estimate), then the GLM at that theta, whose covariance ``MASS::glm.nb``
    reports (the beta block at fixed theta)."""
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    pois = GLM(y, x, family=families.Poisson(), offset=offset).fit(tol=1e-12, maxiter=200)
    mu = np.asarray(pois.fittedvalues)
    start = max(float(np.mean(((y - mu) ** 2 - y) / mu**2)), 1e-3)
    nb = NegativeBinomial(y, x, loglike_method="nb2", offset=offset)
    ml = nb.fit(
        start_params=np.append(pois.params, start), method="newton", maxiter=200, tol=1e-12, disp=0
    )
    alpha = float(ml.params[-1])
    if not (ml.mle_retvals.get("converged") and np.isfinite(alpha) and alpha > 1e-10):
        raise ITSDataError(
            "the negative binomial theta did not converge (no over-dispersion?); use family "
            "poisson or quasipoisson"
        )
    family = families.NegativeBinomial(alpha=alpha)
    res = GLM(y, x, family=family, offset=offset).fit(tol=1e-13, maxiter=200)
    return 1 / alpha, res


def autocorrelation(
    resid: np.ndarray, *, frequency: Frequency, lags: int | None
) -> list[Diagnostic]:
    """Durbin–Watson and (when the series is long enough) Ljung–Box on the residuals."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    n = len(resid)
    out: list[Diagnostic] = [
        {
            "diagnostic": "durbin_watson",
            "estimate": float(durbin_watson(resid)),
            "detail": "on the model's residuals (Pearson for count models); about 2 = none",
        }
    ]
    lb_lag = lags if lags is not None else max(1, min(PERIODS_PER_YEAR[frequency], n // 4))
    if lb_lag >= 1 and n > lb_lag + 1:
        lb = acorr_ljungbox(resid, lags=[lb_lag])
        out.append(
            {
                "diagnostic": "ljung_box",
                "estimate": float(lb["lb_stat"].iloc[0]),
                "df": float(lb_lag),
                "p_value": float(lb["lb_pvalue"].iloc[0]),
                "detail": f"lag {lb_lag}",
            }
        )
    return out


def _breusch_godfrey(ols: object, *, lag: int) -> list[Diagnostic]:
    """The LM test; a rank-deficient auxiliary regression (residuals that are all but zero) is
    said in ``detail``, and anything else statsmodels warns about becomes a ``fit_warning`` row,
    instead of a warning on the terminal."""
    from statsmodels.stats.diagnostic import acorr_breusch_godfrey
    from statsmodels.tools.sm_exceptions import SingularMatrixWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lm, lm_p, _, _ = acorr_breusch_godfrey(ols, nlags=lag, result_object=False)
    singular = [w for w in caught if issubclass(w.category, SingularMatrixWarning)]
    others = [w for w in caught if not issubclass(w.category, SingularMatrixWarning)]
    return [
        {
            "diagnostic": "breusch_godfrey",
            "estimate": float(lm),
            "df": float(lag),
            "p_value": float(lm_p),
            "detail": f"LM test, order {lag}"
            + ("; auxiliary regression rank-deficient (near-perfect fit)" if singular else ""),
        },
        *fit_warnings(others),
    ]
