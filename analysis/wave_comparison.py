"""Change in scale scores between two survey waves.

Three complementary views of one contrast (``"T1 - T0"``: follow-up minus baseline), per scale:

- **linked**: respondents with a score in both waves (the same pseudonym, ``respondent_id``) →
  paired t test (estimate: mean change, Cohen's :math:`d_z`) and Wilcoxon signed-rank test
  (matched-pairs rank-biserial correlation);
- **unlinked**: everyone with a score in only one of the two waves, treated as independent
  groups → Welch t test (estimate: difference in means, Hedges' *g*) and Mann–Whitney U test
  (rank-biserial correlation);
- **all**: every score from either wave → a linear mixed model fitted by REML (statsmodels
  ``MixedLM``) of score on wave with a random intercept per respondent, so linked and unlinked
  respondents both contribute (``lme4::lmer(score ~ wave + (1 | respondent_id), REML = TRUE)``).

Conventions:

- t-based intervals (paired and Welch) use Student's t, as R's ``t.test``; the mixed model's
  interval and p-value are Wald (normal), as statsmodels reports them (lme4 gives no p-values).
- Rank tests use the normal approximation with continuity and tie corrections, zero differences
  dropped (R's ``wilcox.test(..., exact = FALSE, correct = TRUE)``); their ``estimate`` is the
  median paired difference or the difference in medians, without an interval.
- Effect-size intervals are approximate: :math:`d_z` and *g* with normal standard errors
  (:math:`\\sqrt{1/n + d_z^2/(2n)}` and :math:`\\sqrt{(n_1+n_2)/(n_1n_2) + g^2/(2(n_1+n_2))}`);
  rank-biserial correlations on Fisher's z scale with the standard errors of the R package
  ``effectsize`` (``rank_biserial``).

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Lakens D. Calculating and reporting effect sizes to facilitate cumulative science. Front
   Psychol 2013;4:863. doi:10.3389/fpsyg.2013.00863
.. [2] Kerby DS. The simple difference formula: an approach to teaching nonparametric
   correlation. Compr Psychol 2014;3:11.IT.3.1. doi:10.2466/11.IT.3.1
.. [3] Ben-Shachar MS, Lüdecke D, Makowski D. effectsize: estimation of effect size indices and
   standardized parameters. J Open Source Softw 2020;5:2815. doi:10.21105/joss.02815
.. [4] Bates D, Mächler M, Bolker B, Walker S. Fitting linear mixed-effects models using lme4.
   J Stat Softw 2015;67(1). doi:10.18637/jss.v067.i01
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MIN_UNITS",
    "MIN_UNIT_SIZE",
    "WAVE_COMPARISON_COLUMNS",
    "compare_waves",
    "extended_model_terms",
    "fit_wave_mixed_model",
    "hedges_g",
    "paired_tests",
    "unpaired_tests",
]

#: Columns of :func:`compare_waves` (``wave_comparison.csv``).
WAVE_COMPARISON_COLUMNS: tuple[str, ...] = (
    "instrument",
    "scale",
    "contrast",
    "baseline",
    "follow_up",
    "sample",
    "method",
    "n",
    "n_linked",
    "n_baseline",
    "n_follow_up",
    "estimate",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "effect_size",
    "effect_size_ci_low",
    "effect_size_ci_high",
    "effect_size_measure",
    "formula",
    "variance_respondent",
    "variance_residual",
    "n_groups",
    "converged",
    "variance_organisation",
    "n_units",
    "n_present_both",
)

_FLOAT_COLUMNS = (
    "estimate",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "effect_size",
    "effect_size_ci_low",
    "effect_size_ci_high",
    "variance_respondent",
    "variance_residual",
    "variance_organisation",
)
_INT_COLUMNS = ("n", "n_linked", "n_baseline", "n_follow_up", "n_groups", "n_units")

PAIRED_T = "paired t test"
WILCOXON = "Wilcoxon signed-rank test (normal approximation, continuity and tie corrections)"
WELCH_T = "Welch t test"
MANN_WHITNEY = "Mann-Whitney U test (normal approximation, continuity and tie corrections)"
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


#: The statistics a comparison row carries; all NaN when there are too few respondents.
_STATISTICS = (
    "estimate",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "effect_size",
    "effect_size_ci_low",
    "effect_size_ci_high",
)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; found {confidence!r}")


def _z(confidence: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _fisher_ci(r: float, se: float, confidence: float) -> tuple[float, float]:
    if not math.isfinite(r) or not math.isfinite(se):
        return math.nan, math.nan
    z = math.atanh(min(max(r, -1 + 1e-15), 1 - 1e-15))
    h = _z(confidence) * se
    return math.tanh(z - h), math.tanh(z + h)


def paired_tests(
    baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95
) -> list[dict[str, object]]:
    """Paired t and Wilcoxon signed-rank tests of ``follow_up - baseline``.

    Parameters
    ----------
    baseline, follow_up : numpy.ndarray
        Scores of the same respondents, in the same order, without NaN.
    confidence : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    list of dict
        Two rows (``method`` :data:`PAIRED_T` and :data:`WILCOXON`) with ``n, estimate, ci_low,
        ci_high, statistic, df, p_value, effect_size, effect_size_ci_low, effect_size_ci_high,
        effect_size_measure``. The t row: mean change with its t interval, t, df = n − 1, and
        Cohen's :math:`d_z` (mean change / SD of changes). The Wilcoxon row: median change, V (the
        sum of the ranks of positive changes, as R), and the matched-pairs rank-biserial
        correlation :math:`(T_+ - T_-)/(T_+ + T_-)`. Statistics are NaN when ``n < 2`` (or every
        change is zero, for Wilcoxon).

    Examples
    --------
    Checked against R 4.2.2: ``t.test(y, x, paired = TRUE)`` gives t = 3.1622776601683791,
    df = 4, p = 0.034109423167409635 and ``wilcox.test(y, x, paired = TRUE, exact = FALSE)``
    V = 10, p = 0.088973011701813348 (ties; the zero change dropped).

    >>> x = np.array([3.0, 2.5, 4.0, 3.5, 2.0])
    >>> y = np.array([3.5, 3.0, 4.0, 4.5, 2.5])
    >>> t, w = paired_tests(x, y)
    >>> round(t["statistic"], 10), t["df"], round(t["p_value"], 10)
    (3.1622776602, 4.0, 0.0341094232)
    >>> w["statistic"], round(w["p_value"], 10), w["effect_size"]
    (10.0, 0.0889730117, 1.0)
    """
    from scipy import stats

    _check_confidence(confidence)
    d = np.asarray(follow_up, dtype="float64") - np.asarray(baseline, dtype="float64")
    n = int(d.size)
    nan = math.nan
    t_row: dict[str, object] = {
        "method": PAIRED_T,
        "n": n,
        "effect_size_measure": "cohen_dz",
    }
    w_row: dict[str, object] = {
        "method": WILCOXON,
        "n": n,
        "effect_size_measure": "rank_biserial",
    }
    if n < 2:
        for row in (t_row, w_row):
            row |= dict.fromkeys(_STATISTICS, nan)
        if n == 1:
            t_row["estimate"] = w_row["estimate"] = float(d[0])
        return [t_row, w_row]

    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    df = n - 1
    if sd > 0:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), df))
        dz = mean / sd
        dz_se = math.sqrt(1 / n + dz**2 / (2 * n))
        dz_ci = (dz - _z(confidence) * dz_se, dz + _z(confidence) * dz_se)
    else:
        t = p = dz = nan
        dz_ci = (nan, nan)
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, df)) * se
    t_row |= {
        "estimate": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "statistic": t,
        "df": float(df),
        "p_value": p,
        "effect_size": dz,
        "effect_size_ci_low": dz_ci[0],
        "effect_size_ci_high": dz_ci[1],
    }

    nonzero = d[d != 0]
    m = int(nonzero.size)
    w_row |= {"estimate": float(np.median(d)), "ci_low": nan, "ci_high": nan, "df": nan}
    if m == 0:
        w_row |= dict.fromkeys(
            ("statistic", "p_value", "effect_size", "effect_size_ci_low", "effect_size_ci_high"),
            nan,
        )
        return [t_row, w_row]
    ranks = stats.rankdata(np.abs(nonzero))
    t_plus = float(ranks[nonzero > 0].sum())
    t_minus = float(ranks[nonzero < 0].sum())
    # Normal approximation with tie and continuity corrections, as R's wilcox.test.
    _, counts = np.unique(ranks, return_counts=True)
    mu = m * (m + 1) / 4
    sigma = math.sqrt(m * (m + 1) * (2 * m + 1) / 24 - float((counts**3 - counts).sum()) / 48)
    z = t_plus - mu
    correction = 0.5 * np.sign(z)
    p_w = float(2 * stats.norm.sf(abs((z - correction) / sigma))) if sigma > 0 else nan
    r = (t_plus - t_minus) / (t_plus + t_minus)
    max_w = m * (m + 1) / 2
    r_se = math.sqrt((2 * m**3 + 3 * m**2 + m) / 6) / max_w
    r_ci = _fisher_ci(r, r_se, confidence)
    w_row |= {
        "statistic": t_plus,
        "p_value": min(p_w, 1.0),
        "effect_size": r,
        "effect_size_ci_low": r_ci[0],
        "effect_size_ci_high": r_ci[1],
    }
    return [t_row, w_row]


def hedges_g(
    baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Hedges' *g* of ``follow_up`` against ``baseline`` with an approximate interval.

    *g* is Cohen's *d* with the pooled SD, times :math:`J = 1 - 3/(4(n_1+n_2) - 9)`; the interval
    is :math:`g \\pm z \\sqrt{(n_1+n_2)/(n_1n_2) + g^2/(2(n_1+n_2))}` (Hedges & Olkin 1985).

    >>> g, low, high = hedges_g(np.array([1.0, 2, 3, 4]), np.array([2.0, 3, 4, 5]))
    >>> round(g, 6)
    0.673562
    """
    x = np.asarray(baseline, dtype="float64")
    y = np.asarray(follow_up, dtype="float64")
    n1, n2 = x.size, y.size
    if n1 < 2 or n2 < 2:
        return math.nan, math.nan, math.nan
    pooled = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    if not pooled > 0:
        return math.nan, math.nan, math.nan
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    g = j * (y.mean() - x.mean()) / pooled
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    h = _z(confidence) * se
    return float(g), float(g - h), float(g + h)


def unpaired_tests(
    baseline: np.ndarray, follow_up: np.ndarray, *, confidence: float = 0.95
) -> list[dict[str, object]]:
    """Welch t and Mann–Whitney U tests of ``follow_up`` against ``baseline`` (independent).

    Returns
    -------
    list of dict
        Two rows (:data:`WELCH_T`, :data:`MANN_WHITNEY`). Welch: difference in means
        (follow-up − baseline) with its t interval, t, Welch–Satterthwaite df, Hedges' *g*.
        Mann–Whitney: difference in medians, W (R's statistic for ``wilcox.test(follow_up,
        baseline)``: the rank sum of ``follow_up`` minus :math:`n_2(n_2+1)/2`), rank-biserial
        correlation :math:`2W/(n_1n_2) - 1`. NaN where either group has fewer than 2 scores.

    Examples
    --------
    Checked against R 4.2.2: ``t.test(y, x)`` (Welch) gives t = 1.2572371141874246,
    df = 8.37108013937282, p = 0.2426099141313883; ``wilcox.test(y, x, exact = FALSE)`` gives
    W = 21.5, p = 0.26557965856768545.

    >>> x = np.array([3.0, 2.5, 4.0, 3.5, 2.0])
    >>> y = np.array([3.5, 3.0, 4.0, 4.5, 2.5, 4.0])
    >>> welch, mw = unpaired_tests(x, y)
    >>> round(welch["statistic"], 10), round(welch["df"], 10), round(welch["p_value"], 8)
    (1.2572371142, 8.3710801394, 0.24260991)
    >>> mw["statistic"], round(mw["p_value"], 8)
    (21.5, 0.26557966)
    """
    from scipy import stats

    _check_confidence(confidence)
    x = np.asarray(baseline, dtype="float64")
    y = np.asarray(follow_up, dtype="float64")
    n1, n2 = int(x.size), int(y.size)
    nan = math.nan
    empty = dict.fromkeys(_STATISTICS, nan)
    welch: dict[str, object] = {
        "method": WELCH_T,
        "n": n1 + n2,
        "effect_size_measure": "hedges_g",
    } | empty
    mw: dict[str, object] = {
        "method": MANN_WHITNEY,
        "n": n1 + n2,
        "effect_size_measure": "rank_biserial",
    } | empty
    if n1 < 2 or n2 < 2:
        return [welch, mw]

    diff = float(y.mean() - x.mean())
    v1, v2 = x.var(ddof=1) / n1, y.var(ddof=1) / n2
    se = math.sqrt(v1 + v2)
    welch["estimate"] = diff
    if se > 0:
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        t = diff / se
        half = float(stats.t.ppf(1 - (1 - confidence) / 2, df)) * se
        g, g_low, g_high = hedges_g(x, y, confidence=confidence)
        welch |= {
            "ci_low": diff - half,
            "ci_high": diff + half,
            "statistic": t,
            "df": float(df),
            "p_value": float(2 * stats.t.sf(abs(t), df)),
            "effect_size": g,
            "effect_size_ci_low": g_low,
            "effect_size_ci_high": g_high,
        }

    ranks = stats.rankdata(np.concatenate([y, x]))
    w = float(ranks[:n2].sum() - n2 * (n2 + 1) / 2)
    _, counts = np.unique(ranks, return_counts=True)
    n = n1 + n2
    mu = n1 * n2 / 2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - float((counts**3 - counts).sum()) / (n * (n - 1))))
    z = w - mu
    mw["estimate"] = float(np.median(y) - np.median(x))
    if sigma > 0:
        p = float(2 * stats.norm.sf(abs((z - 0.5 * np.sign(z)) / sigma)))
        r = 2 * w / (n1 * n2) - 1
        r_se = math.sqrt((n1 + n2 + 1) / (3 * n1 * n2))
        r_ci = _fisher_ci(r, r_se, confidence)
        mw |= {
            "statistic": w,
            "p_value": min(p, 1.0),
            "effect_size": r,
            "effect_size_ci_low": r_ci[0],
            "effect_size_ci_high": r_ci[1],
        }
    return [welch, mw]


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
        ``method, n, estimate, ci_low, ci_high, statistic (z), df (NaN), p_value, formula`` (in
        lme4 notation), ``variance_respondent``, ``variance_residual``, ``variance_organisation``
        (the unit variance; NaN without ``unit``), ``n_groups`` (respondents), ``n_units`` (units;
        missing without ``unit``), ``converged``, ``intercept`` (the baseline mean for the
        reference levels) and ``std_error``.

    Notes
    -----
    The model is ``score ~ follow_up [+ C(covariate)] `` with ``follow_up`` = 1 in the later wave.
    Without ``unit``, groups = ``respondent_id``; it equals ``lmer(score ~ wave + (1 |
    respondent_id), REML = TRUE)`` with ``wave`` a factor whose first level is the baseline.
    With ``unit``, groups = the unit with a variance component for ``respondent_id`` within it
    (``vc_formula``), i.e. ``lmer(score ~ wave + ... + (1 | unit/respondent_id))``. A respondent
    recorded in two units is two level-2 clusters in that model (their answers are not linked);
    statsmodels can fit crossed effects only as one dense group, which does not scale. The unit
    model is fitted with Powell and BFGS and the fit with the higher REML criterion is kept
    (BFGS alone stalls near a zero unit variance). Standard errors are lme4's
    :math:`(X'V^{-1}X)^{-1}` at the REML variance components.
    """
    import statsmodels.formula.api as smf
    from scipy import stats

    _check_confidence(confidence)
    covariates = tuple(covariates)
    keep = ["respondent_id", "wave", "score", *covariates, *([unit] if unit else [])]
    frame = data.loc[:, keep].dropna()
    frame = frame.assign(follow_up=(frame["wave"].astype(str) != str(baseline)).astype("float64"))
    rhs = " + ".join(["follow_up", *(f"C({c})" for c in covariates)])
    random = f"(1 | {unit}/respondent_id)" if unit else "(1 | respondent_id)"
    lme4_formula = " + ".join(["score ~ wave", *covariates, random])
    method = MIXED_MODEL_UNITS if unit else MIXED_MODEL
    nan = math.nan
    n_groups = int(frame["respondent_id"].nunique())
    n_units = int(frame[unit].nunique()) if unit else None
    out: dict[str, object] = {
        "method": method + (f", adjusted for {', '.join(covariates)}" if covariates else ""),
        "n": len(frame),
        "formula": lme4_formula,
        "n_groups": n_groups,
        "n_units": n_units,
        "effect_size_measure": None,
    }
    if (
        frame["follow_up"].nunique() < 2
        or len(frame) < 4
        or n_groups < 2
        or (unit is not None and (n_units or 0) < 2)
    ):
        return (
            out
            | dict.fromkeys(
                ("estimate", "ci_low", "ci_high", "statistic", "p_value", "intercept"), nan
            )
            | {
                "df": nan,
                "variance_respondent": nan,
                "variance_residual": nan,
                "variance_organisation": nan,
                "converged": False,
            }
        )
    if unit is None:
        model = smf.mixedlm(f"score ~ {rhs}", frame, groups=frame["respondent_id"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = model.fit(reml=True, method=["bfgs"])
            except np.linalg.LinAlgError:  # a singular path; Powell needs no gradient
                fit = model.fit(reml=True, method=["powell"])
        converged = bool(fit.converged) and not any(
            "failed to converge" in str(w.message).lower() for w in caught
        )
        tau2 = float(fit.cov_re.iloc[0, 0])
        sigma2 = float(fit.scale)
        unit_var = nan
        cov_fe = _fixed_effects_covariance(
            model.exog, model.group_labels, model.exog_li, tau2, sigma2
        )
    else:
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
            unit_var,
            tau2,
            sigma2,
        )
    names = list(model.exog_names)
    j = names.index("follow_up")
    estimate = float(fit.fe_params["follow_up"])
    se = math.sqrt(cov_fe[j, j])
    z = estimate / se if se > 0 else nan
    h = _z(confidence) * se
    return out | {
        "estimate": estimate,
        "ci_low": estimate - h,
        "ci_high": estimate + h,
        "statistic": z,
        "df": nan,
        "p_value": float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else nan,
        "variance_respondent": tau2,
        "variance_residual": sigma2,
        "variance_organisation": unit_var,
        "converged": converged,
        "intercept": float(fit.fe_params["Intercept"]),
        "std_error": se,
    }


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
        ok = bool(fit.converged) and not any(
            "failed to converge" in str(w.message).lower() for w in caught
        )
        if math.isfinite(float(fit.llf)):
            fits.append((ok, float(fit.llf), fit))
    if not fits:
        raise RuntimeError("fit_wave_mixed_model: neither Powell nor BFGS could fit the model")
    ok, _, fit = max(fits, key=lambda f: (f[0], f[1]))
    return fit, ok


def _fixed_effects_covariance(
    exog: np.ndarray,
    labels: Sequence[object],
    blocks: Sequence[np.ndarray],
    tau2: float,
    sigma2: float,
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
    unit_var: float,
    tau2: float,
    sigma2: float,
) -> np.ndarray:
    """:math:`(X'V^{-1}X)^{-1}` with :math:`V = \\sigma^2 I + \\tau_u^2 J_{unit} +
    \\tau_r^2 J_{respondent within unit}`, block by unit (lme4's ``vcov()``)."""
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


def compare_waves(
    scores: pd.DataFrame,
    *,
    waves: Sequence[str],
    covariates: Sequence[str] = (),
    group_column: str | None = None,
    unit_column: str | None = None,
    min_cell_size: int = 5,
    min_units: int = MIN_UNITS,
    min_unit_size: int = MIN_UNIT_SIZE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change between consecutive waves for every instrument × scale (linked, unlinked, all).

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`analysis.scoring.score_scales`: ``respondent_id``, ``wave``,
        ``instrument``, ``scale``, ``score`` (NaN scores are left out of every test but count
        for ``n_present_both``) and any ``covariates``.
    waves : sequence of str
        The waves in calendar order; each consecutive pair present in ``scores`` is compared,
        labelled ``"<later> - <earlier>"``.
    covariates : sequence of str, default ()
        Extra fixed effects of the (first) mixed model (see :func:`fit_wave_mixed_model`).
    group_column, unit_column : str, optional
        When given (the flow passes ``"staff_group"`` and ``"organisation"``), a second mixed
        model is fitted where the data support it (:func:`extended_model_terms`): the staff
        group as a fixed effect (groups below ``min_cell_size`` respondents pooled) and a random
        intercept per unit (``min_units`` units of at least ``min_unit_size`` respondents). No
        row when neither applies.
    min_cell_size, min_units, min_unit_size : int
        Thresholds of :func:`extended_model_terms`.
    confidence : float, default 0.95
        Level of every interval.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WAVE_COMPARISON_COLUMNS`; per instrument × scale × contrast five (or six)
        rows: ``sample`` ``linked`` (paired t, Wilcoxon), ``unlinked`` (Welch t, Mann–Whitney)
        and ``all`` (the mixed model :data:`MIXED_MODEL`, then the extended model if any).
        ``n`` is the respondents (or, for the mixed models, scores) used; ``n_linked``,
        ``n_baseline`` and ``n_follow_up`` count respondents with a score in both waves, in the
        baseline wave and in the follow-up wave; ``n_present_both`` counts the pseudonyms present
        in both waves for the instrument, with or without a score on this scale. A respondent
        with more than one score in a wave (should not happen after ingest) raises.

    Raises
    ------
    ValueError
        When a needed column is absent or a respondent has two scores for one scale and wave.
    """
    _check_confidence(confidence)
    needed = ["respondent_id", "wave", "instrument", "scale", "score", *covariates]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ValueError(f"compare_waves: missing columns {', '.join(missing)}")
    scored = scores[scores["score"].notna()]
    dup = scored.duplicated(["instrument", "scale", "wave", "respondent_id"])
    if dup.any():
        raise ValueError(
            f"compare_waves: {int(dup.sum())} respondent(s) have more than one score for the same "
            "scale and wave. Expected one row per respondent × wave × scale."
        )
    present = set(scored["wave"].astype(str))
    ordered = [str(w) for w in waves if str(w) in present]
    seen = {
        (str(instrument), str(wave)): set(frame["respondent_id"])
        for (instrument, wave), frame in scores.groupby(["instrument", "wave"], sort=False)
    }
    rows: list[dict[str, object]] = []
    for (instrument, scale), frame in scored.groupby(["instrument", "scale"], sort=True):
        frame = frame.assign(wave=frame["wave"].astype(str))
        for before, after in itertools.pairwise(ordered):
            pair = frame[frame["wave"].isin([before, after])]
            b = pair[pair["wave"] == before].set_index("respondent_id")["score"]
            a = pair[pair["wave"] == after].set_index("respondent_id")["score"]
            linked = sorted(set(b.index) & set(a.index), key=str)
            both = seen.get((str(instrument), before), set()) & seen.get(
                (str(instrument), after), set()
            )
            base = {
                "instrument": instrument,
                "scale": scale,
                "contrast": f"{after} - {before}",
                "baseline": before,
                "follow_up": after,
                "n_linked": len(linked),
                "n_baseline": int(b.size),
                "n_follow_up": int(a.size),
                "n_present_both": len(both),
            }
            for row in paired_tests(
                b.loc[linked].to_numpy(), a.loc[linked].to_numpy(), confidence=confidence
            ):
                rows.append(base | {"sample": "linked"} | row)
            only_b = b.drop(index=linked).to_numpy()
            only_a = a.drop(index=linked).to_numpy()
            for row in unpaired_tests(only_b, only_a, confidence=confidence):
                rows.append(base | {"sample": "unlinked"} | row)
            mixed = fit_wave_mixed_model(
                pair, baseline=before, covariates=covariates, confidence=confidence
            )
            mixed.pop("intercept", None)
            mixed.pop("std_error", None)
            rows.append(base | {"sample": "all"} | mixed)
            if group_column is None and unit_column is None:
                continue
            data, extra, unit = extended_model_terms(
                pair,
                group_column=group_column,
                unit_column=unit_column,
                min_cell_size=min_cell_size,
                min_units=min_units,
                min_unit_size=min_unit_size,
            )
            if not extra and unit is None:
                continue
            extended = fit_wave_mixed_model(
                data,
                baseline=before,
                covariates=tuple(dict.fromkeys((*covariates, *extra))),
                unit=unit,
                confidence=confidence,
            )
            extended.pop("intercept", None)
            extended.pop("std_error", None)
            rows.append(base | {"sample": "all"} | extended)
    out = pd.DataFrame(rows, columns=list(WAVE_COMPARISON_COLUMNS))
    out["converged"] = out["converged"].astype("boolean")
    return out.astype(
        {c: "float64" for c in _FLOAT_COLUMNS}
        | {c: "Int64" for c in ("n_groups", "n_units", "n_present_both")}
        | {c: "int64" for c in _INT_COLUMNS if c not in ("n_groups", "n_units")}
    )
