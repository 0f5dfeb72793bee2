"""The tidy rows of a fitted segmented regression (see :mod:`analysis.its`): the model's terms on
their natural scale, the effects h periods after the interruption by the delta method, the raw
coefficients, and the fitted and counterfactual series with pointwise intervals.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TERMS", "Inference", "coefficient_rows", "effect_rows", "series_rows", "term_rows"]

#: The reported terms and the design columns they are the coefficients of.
TERMS = (("pre_trend", "time"), ("level_change", "level"), ("slope_change", "slope"))

Row = dict[str, object]


@dataclass(frozen=True)
class Inference:
    """What every row's test and interval need: coefficients, covariance, reference quantile."""

    beta: np.ndarray
    cov: np.ndarray
    dist: Any
    crit: float
    log_link: bool

    def mean(self, eta: Any) -> Any:
        mu: Callable[[Any], Any] = np.exp if self.log_link else _identity
        with np.errstate(over="ignore"):
            return mu(eta)

    def p(self, estimate: float, se: float, null: float = 0.0) -> float:
        stat = (estimate - null) / se if se > 0 else math.nan
        return float(2 * self.dist.sf(abs(stat)))


def _identity(x: Any) -> Any:
    return x


def _finite(value: float) -> float:
    """An overflowing ratio (``exp`` of a huge coefficient) is not a number we report."""
    return float(value) if math.isfinite(value) else math.nan


def _row(term: str, b: float, se: float, inf: Inference) -> Row:
    """A term on its natural scale: a ratio for log-link models (``std_error`` of the log)."""
    low, high = b - inf.crit * se, b + inf.crit * se
    p = inf.p(b, se)
    if inf.log_link:
        b, low, high = (float(inf.mean(v)) for v in (b, low, high))
    return {
        "term": term,
        "estimate": _finite(b),
        "std_error": float(se),
        "ci_low": _finite(low),
        "ci_high": _finite(high),
        "p_value": p,
        "effect_scale": "ratio" if inf.log_link else "difference",
    }


def term_rows(inf: Inference, names: list[str]) -> list[Row]:
    """``pre_trend``, and ``level_change`` and ``slope_change`` where the model has them."""
    se = np.sqrt(np.diag(inf.cov))
    return [
        _row(term, inf.beta[names.index(name)], se[names.index(name)], inf)
        for term, name in TERMS
        if name in names
    ]


def coefficient_rows(inf: Inference, names: list[str]) -> list[Row]:
    """The raw coefficients of the linear predictor (``coef:<name>``)."""
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
    for name in ("level", "slope"):
        if name in names:
            out[..., names.index(name)] = 0.0
    return out


def effect_rows(
    inf: Inference, x: pd.DataFrame, post: np.ndarray, effect_times: tuple[int, ...]
) -> list[Row]:
    """Absolute and relative effects ``h`` periods after the first post period (delta method).

    With an offset the effect is per unit of the denominator (a rate), so no offset enters.
    """
    names = list(x.columns)
    xv = x.to_numpy()
    t_obs = x["time"].to_numpy()
    t0 = float(t_obs[post][0])
    rows: list[Row] = []
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
        est_abs = float(m1 - m0)
        rows.append(
            {
                "term": f"effect_{h}_absolute",
                "estimate": _finite(est_abs),
                "std_error": se_abs,
                "ci_low": _finite(est_abs - inf.crit * se_abs),
                "ci_high": _finite(est_abs + inf.crit * se_abs),
                "p_value": inf.p(est_abs, se_abs),
                "effect_scale": "difference",
            }
        )
        rows.append(rel)
    return rows


def _linear_ratio(
    term: str, means: tuple[float, float], rows: tuple[np.ndarray, np.ndarray], inf: Inference
) -> Row:
    """``μ1 / μ0`` of an identity-link model with its first-order delta-method interval."""
    (m1, m0), (x1, x0) = means, rows
    if m0 == 0:
        estimate = se = math.nan
    else:
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


def series_rows(
    inf: Inference,
    x: pd.DataFrame,
    post: np.ndarray,
    observed: tuple[pd.Series, np.ndarray],
    offset: np.ndarray | None,
) -> pd.DataFrame:
    """The fitted and counterfactual series with their pointwise intervals."""
    periods, y = observed
    xv = x.to_numpy()
    names = list(x.columns)
    off = np.zeros(len(y)) if offset is None else offset
    series = pd.DataFrame({"period": periods, "t": x["time"].to_numpy(), "post": post})
    series["observed"] = y
    for label, mat in (("fitted", xv), ("counterfactual", _without_intervention(xv, names))):
        eta = mat @ inf.beta + off
        se_eta = np.sqrt(np.einsum("ij,jk,ik->i", mat, inf.cov, mat))
        for column, values in (
            (label, eta),
            (f"{label}_ci_low", eta - inf.crit * se_eta),
            (f"{label}_ci_high", eta + inf.crit * se_eta),
        ):
            mean = np.asarray(inf.mean(values), dtype=float)
            series[column] = np.where(np.isfinite(mean), mean, np.nan)
    return series
