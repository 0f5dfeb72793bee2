"""The floor's statistics (see bench/floor.py): alpha with the Feldt CI, item–rest r, scale scores,
the quasi-Poisson segmented ITS and Cohen's kappa, written directly with numpy, scipy and
statsmodels, as a data scientist would by hand. No impleval imports.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats


# -- survey -------------------------------------------------------------------------------------
def cronbach_alpha(complete: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Alpha of a complete n × k array and its Feldt interval (F(n-1, (n-1)(k-1)))."""
    n, k = complete.shape
    if n < 2 or k < 2:
        return math.nan, math.nan, math.nan
    total = complete.sum(axis=1).var(ddof=1)
    if not total > 0:
        return math.nan, math.nan, math.nan
    alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total)
    gamma = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.ppf(1 - gamma / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(gamma / 2, df1, df2)
    return float(alpha), float(low), float(high)


def item_rest(complete: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Item–rest Pearson r and alpha if the item is deleted, per column (NaN below 3 cases)."""
    n, k = complete.shape
    r = np.full(k, np.nan)
    dropped = np.full(k, np.nan)
    if n < 3:
        return r, dropped
    total = complete.sum(axis=1)
    for j in range(k):
        rest = total - complete[:, j]
        if complete[:, j].std() > 0 and rest.std() > 0:
            r[j] = np.corrcoef(complete[:, j], rest)[0, 1]
        if k > 2:
            dropped[j] = cronbach_alpha(np.delete(complete, j, axis=1))[0]
    return r, dropped


def survey_statistics(wide: pd.DataFrame, spec: dict) -> tuple[pd.DataFrame, ...]:
    """Reliability, item statistics, scale-score summaries and answer distributions per wave."""
    iid = spec["id"]
    data = wide.copy()
    for item in spec["items"]:
        if item["id"] in spec["reverse"]:
            codes = [o["code"] for o in spec["response_sets"][item["response_set"]]["options"]]
            column = f"{iid}_{item['id']}"
            data[column] = min(codes) + max(codes) - data[column]
    alpha_rows, item_rows, score_rows, dist_rows = [], [], [], []
    for wave, part in data.groupby("wave", sort=True):
        for scale in spec["scales"]:
            columns = [f"{iid}_{i}" for i in scale["items"]]
            values = part[columns].to_numpy(dtype="float64")
            complete = values[~np.isnan(values).any(axis=1)]
            alpha, low, high = cronbach_alpha(complete)
            tag = {"instrument": iid, "wave": wave, "scale": scale["id"]}
            alpha_rows.append(
                {
                    **tag,
                    "n": len(complete),
                    "k_items": len(columns),
                    "estimate": alpha,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
            r, dropped = item_rest(complete)
            for j, item in enumerate(scale["items"]):
                item_rows.append(
                    {
                        **tag,
                        "item": item,
                        "n": len(complete),
                        "r_item_rest": r[j],
                        "alpha_if_deleted": dropped[j],
                    }
                )
            answered = (~np.isnan(values)).sum(axis=1)
            mean = np.nanmean(np.where(answered[:, None] > 0, values, 0), axis=1)
            score = np.where(answered >= scale.get("min_answered", 1), mean, np.nan)
            if scale.get("method") == "sum":
                score = score * len(columns)
            score = score[~np.isnan(score)]
            score_rows.append(
                {
                    **tag,
                    "n": len(score),
                    "mean": score.mean() if len(score) else math.nan,
                    "sd": score.std(ddof=1) if len(score) > 1 else math.nan,
                }
            )
        for item in spec["items"]:
            rset = spec["response_sets"][item["response_set"]]
            if rset["type"] != "ordinal":
                continue
            shares = part[f"{iid}_{item['id']}"].value_counts(normalize=True)
            for code, share in shares.items():
                dist_rows.append(
                    {
                        "instrument": iid,
                        "wave": wave,
                        "item": item["id"],
                        "code": int(code),
                        "share": float(share),
                    }
                )
    return tuple(pd.DataFrame(rows) for rows in (alpha_rows, item_rows, score_rows, dist_rows))


# -- interrupted time series --------------------------------------------------------------------
def its_design(
    periods: pd.Series, intervention: pd.Timestamp, frequency: str, model: dict
) -> pd.DataFrame:
    """Intercept, time, level, slope (and Fourier terms for monthly series)."""
    p = pd.to_datetime(periods)
    if frequency == "year":
        number = p.dt.year
        start = intervention.year
    else:
        number = p.dt.year * 12 + p.dt.month - 1
        start = intervention.year * 12 + intervention.month - 1
    t = (number - number.iloc[0]).astype(float).to_numpy()
    t0 = float(start - number.iloc[0])
    post = (t >= t0).astype(float)
    # slope counts the periods since the interruption (1 in the first post period), so that
    # level is the change at the interruption (Lopez Bernal et al. 2017), as the pipeline codes it
    x = pd.DataFrame({"intercept": 1.0, "time": t, "level": post, "slope": (t - t0 + 1) * post})
    if frequency == "month" and model.get("seasonality") == "fourier":
        month = p.dt.month.to_numpy(dtype=float)
        for k in range(1, model.get("fourier_order", 2) + 1):
            x[f"sin{k}"] = np.sin(2 * np.pi * k * month / 12)
            x[f"cos{k}"] = np.cos(2 * np.pi * k * month / 12)
    return x


def fit_its(part: pd.DataFrame, indicator: dict, model: dict) -> tuple[list[dict], pd.DataFrame]:
    """Quasi-Poisson (or Poisson) segmented regression: rate ratios, effects, fitted series."""
    part = part.sort_values("period_start")
    intervention = pd.Timestamp(indicator["intervention"])
    x = its_design(part["period_start"], intervention, indicator["frequency"], model)
    xv, y = x.to_numpy(), part["value"].to_numpy(dtype=float)
    offset = np.log(part["denominator"].to_numpy(dtype=float)) if model.get("offset") else None
    fit = sm.GLM(y, xv, family=sm.families.Poisson(), offset=offset).fit(tol=1e-12, maxiter=200)
    beta, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
    df = len(y) - xv.shape[1]
    dist: stats.rv_continuous = stats.norm()
    if model.get("family", "quasipoisson") == "quasipoisson":
        cov = cov * float(fit.pearson_chi2) / df
        dist = stats.t(df)
    crit = float(dist.ppf(0.975))
    se = np.sqrt(np.diag(cov))
    names = list(x.columns)
    rows = []
    for term, name in (("pre_trend", "time"), ("level_change", "level"), ("slope_change", "slope")):
        j = names.index(name)
        rows.append(_ratio_row(term, beta[j], se[j], crit, dist))
    t = x["time"].to_numpy()
    t0 = t[x["level"].to_numpy() > 0][0]
    suffix = "m" if indicator["frequency"] == "month" else "y"
    for h in model.get("effect_times", [12]):
        where = np.flatnonzero(np.isclose(t, t0 + h))
        if where.size == 0:
            continue
        x1 = xv[where[0]].copy()
        x0 = x1.copy()
        x0[[names.index("level"), names.index("slope")]] = 0.0
        m1, m0 = math.exp(x1 @ beta), math.exp(x0 @ beta)
        grad = m1 * x1 - m0 * x0
        se_abs = float(np.sqrt(grad @ cov @ grad))
        p_abs = float(2 * dist.sf(abs((m1 - m0) / se_abs)))
        rows.append(
            {
                "term": f"effect_{h}{suffix}_absolute",
                "estimate": m1 - m0,
                "ci_low": m1 - m0 - crit * se_abs,
                "ci_high": m1 - m0 + crit * se_abs,
                "p_value": p_abs,
                "scale": "difference",
            }
        )
        d = x1 - x0
        rows.append(
            _ratio_row(
                f"effect_{h}{suffix}_relative",
                float(d @ beta),
                float(np.sqrt(d @ cov @ d)),
                crit,
                dist,
            )
        )
    counterfactual = xv.copy()
    counterfactual[:, [names.index("level"), names.index("slope")]] = 0.0
    off = offset if offset is not None else 0.0
    series = pd.DataFrame(
        {
            "period": part["period_start"].to_numpy(),
            "observed": y,
            "fitted": np.exp(xv @ beta + off),
            "counterfactual": np.exp(counterfactual @ beta + off),
        }
    )
    return rows, series


def _ratio_row(term: str, b: float, se: float, crit: float, dist: stats.rv_continuous) -> dict:
    return {
        "term": term,
        "estimate": math.exp(b),
        "ci_low": math.exp(b - crit * se),
        "ci_high": math.exp(b + crit * se),
        "p_value": float(2 * dist.sf(abs(b / se))),
        "scale": "ratio",
    }


def its_all(values: pd.DataFrame, project: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ITS of every indicator × unit series whose model is ``its`` (totals, no breakdowns)."""
    rows, series = [], []
    for indicator in project.get("indicators", []):
        model = indicator.get("model", {})
        if model.get("type") != "its" or values.empty:
            continue
        data = values[(values["indicator"] == indicator["id"]) & values["disaggregation"].isna()]
        for unit, part in data.groupby("unit", sort=True):
            found, fitted = fit_its(part, indicator, model)
            tag = {
                "indicator": indicator["id"],
                "unit": unit,
                "model": model.get("family", "quasipoisson"),
            }
            rows += [{**tag, **row} for row in found]
            series.append(fitted.assign(**tag))
    return pd.DataFrame(rows), pd.concat(series, ignore_index=True) if series else pd.DataFrame()


# -- inter-coder agreement ----------------------------------------------------------------------
def cohen_kappa(table: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """Kappa of a square table, its large-sample SE (Fleiss, Cohen & Everitt 1969) and CI."""
    total = float(table.sum())
    p = table / total
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    po, pc = float(np.trace(p)), float((rows * cols).sum())
    if pc >= 1:
        return math.nan, math.nan, math.nan, math.nan
    kappa = (po - pc) / (1 - pc)
    first = float((np.diag(p) * ((1 - pc) - (rows + cols) * (1 - po)) ** 2).sum())
    cross = np.add.outer(cols, rows) ** 2
    off = float((p * cross).sum() - np.trace(p * cross))
    var = (first + (1 - po) ** 2 * off - (po * pc - 2 * pc + po) ** 2) / (total * (1 - pc) ** 4)
    se = math.sqrt(max(var, 0.0)) if math.isfinite(var) else 0.0
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return kappa, se, max(-1.0, kappa - z * se), min(1.0, kappa + z * se)


def kappa_by_code(codings: pd.DataFrame) -> pd.DataFrame:
    """Cohen's kappa per code over the segments of the documents two coders coded.

    A segment is one (document, beginning, end); a coder who coded the document and not the
    segment with a code gives 0 for that code there.
    """
    mapped = codings[codings["code"] != ""]
    coders = mapped.groupby("document")["coder"].nunique()
    double = mapped[mapped["document"].isin(coders.index[coders == 2])]
    columns = ["code", "measure", "estimate", "std_error", "ci_low", "ci_high", "n_units"]
    if double.empty:
        return pd.DataFrame(columns=columns)
    first, second = sorted(double["coder"].unique())[:2]
    applied = pd.crosstab(
        [double["document"], double["beginning"], double["end"]], [double["code"], double["coder"]]
    ).clip(upper=1)
    rows = []
    for code in sorted(double["code"].unique()):
        a = applied[(code, first)] if (code, first) in applied else 0 * applied.iloc[:, 0]
        b = applied[(code, second)] if (code, second) in applied else 0 * applied.iloc[:, 0]
        table = pd.crosstab(a, b).reindex(index=[0, 1], columns=[0, 1], fill_value=0).to_numpy()
        kappa, se, low, high = cohen_kappa(table.astype(float))
        rows.append(
            {
                "code": code,
                "measure": "cohen_kappa",
                "estimate": kappa,
                "std_error": se,
                "ci_low": low,
                "ci_high": high,
                "n_units": int(table.sum()),
            }
        )
    return pd.DataFrame(rows, columns=columns)
