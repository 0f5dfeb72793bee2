"""REML for linear models with random intercepts, from per-cluster sums.

Two models, the ones :mod:`analysis.mixed_model` fits:

- one random intercept per cluster, :math:`V = \\sigma^2 (I + \\theta J_{cluster})`, as
  ``lme4::lmer(y ~ x + (1 | cluster), REML = TRUE)``;
- random intercepts per unit and per cluster within the unit,
  :math:`V = \\sigma^2 (I + \\theta_c J_{cluster} + \\theta_u J_{unit})`, as
  ``lmer(y ~ x + (1 | unit/cluster), REML = TRUE)``.

For a given :math:`\\theta` the inverse and determinant of :math:`V` are closed forms (Sherman–
Morrison within a cluster, then within a unit), so :math:`X'V^{-1}X`, :math:`X'V^{-1}y`,
:math:`y'V^{-1}y` and :math:`\\log|V|` come from sums per cluster and per unit without forming
:math:`V`. With :math:`\\sigma^2` profiled out the REML criterion is

.. math:: -2\\ell_R(\\theta) = (N-p)\\log\\frac{r(\\theta)}{N-p} + \\log|V_\\theta/\\sigma^2|
   + \\log|X'(V_\\theta/\\sigma^2)^{-1}X| + \\text{const},

with :math:`r` the generalised residual sum of squares, minimised over :math:`\\theta \\ge 0`
(lme4's profiled deviance; Bates et al. 2015, section 3). statsmodels' ``MixedLM`` fits the same
model but loops over clusters in Python on every step of a general optimiser, which at ten
thousand respondents costs minutes; this module is ours for that reason only. Checked against
lme4 1.1.31 on the golden tests of ``tests/analysis/test_wave_comparison*_golden.py`` and against
statsmodels' ``MixedLM`` in ``tests/analysis/test_reml.py``.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Bates D, Mächler M, Bolker B, Walker S. Fitting linear mixed-effects models using lme4.
   J Stat Softw 2015;67(1). doi:10.18637/jss.v067.i01
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["RemlFit", "fit_random_intercepts"]

#: Relative standard deviations (sqrt theta) searched first, before the local refinement.
_GRID = np.concatenate([[0.0], np.geomspace(1e-3, 1e2, 41)])


@dataclass(frozen=True)
class RemlFit:
    """A REML fit: fixed effects, their covariance :math:`(X'V^{-1}X)^{-1}` (lme4's ``vcov()``),
    the variances and the criterion (:math:`-2\\ell_R` without its constant)."""

    beta: np.ndarray
    cov_beta: np.ndarray
    sigma2: float
    cluster_variance: float
    unit_variance: float
    deviance: float
    converged: bool


@dataclass(frozen=True)
class _Sums:
    """The data reduced to what the criterion needs."""

    xtx: np.ndarray
    xty: np.ndarray
    yty: float
    m: np.ndarray  # rows per cluster
    s: np.ndarray  # X'1 per cluster (clusters × p)
    t: np.ndarray  # y'1 per cluster
    unit_starts: np.ndarray | None  # where each unit's clusters begin (they are adjacent)
    n: int
    p: int


def _sums(y: np.ndarray, x: np.ndarray, clusters: np.ndarray, units: np.ndarray | None) -> _Sums:
    if units is not None:  # clusters numbered unit by unit, so a unit's clusters are adjacent
        _, unit_index = np.unique(units, return_inverse=True)
        _, cluster_index = np.unique(
            np.stack([unit_index, np.unique(clusters, return_inverse=True)[1]]),
            axis=1,
            return_inverse=True,
        )
    else:
        _, cluster_index = np.unique(clusters, return_inverse=True)
    cluster_index = cluster_index.ravel()
    g = int(cluster_index.max()) + 1
    n, p = x.shape
    s = np.column_stack(
        [np.bincount(cluster_index, weights=x[:, j], minlength=g) for j in range(p)]
    )
    starts = None
    if units is not None:
        unit_of = np.zeros(g, dtype=np.intp)
        unit_of[cluster_index] = unit_index
        starts = np.flatnonzero(np.r_[True, unit_of[1:] != unit_of[:-1]])
    return _Sums(
        xtx=x.T @ x,
        xty=x.T @ y,
        yty=float(y @ y),
        m=np.bincount(cluster_index, minlength=g).astype("float64"),
        s=s,
        t=np.bincount(cluster_index, weights=y, minlength=g),
        unit_starts=starts,
        n=n,
        p=p,
    )


def _normal_equations(d: _Sums, theta_c: float, theta_u: float) -> tuple[np.ndarray, ...]:
    """:math:`X'\\tilde V^{-1}X`, :math:`X'\\tilde V^{-1}y`, :math:`y'\\tilde V^{-1}y` and
    :math:`\\log|\\tilde V|` for :math:`\\tilde V = V/\\sigma^2`."""
    a = 1.0 / (1.0 + d.m * theta_c)  # W1 on a cluster's rows, W = (I + theta_c J)^-1
    w = theta_c * a
    xvx = d.xtx - (d.s * w[:, None]).T @ d.s
    xvy = d.xty - d.s.T @ (w * d.t)
    yvy = d.yty - float(w @ (d.t * d.t))
    logdet = float(np.log1p(d.m * theta_c).sum())
    if d.unit_starts is not None and theta_u > 0:
        q = np.add.reduceat(d.m * a, d.unit_starts)
        v = np.add.reduceat(d.s * a[:, None], d.unit_starts, axis=0)
        z = np.add.reduceat(d.t * a, d.unit_starts)
        c = theta_u / (1.0 + theta_u * q)
        xvx = xvx - (v * c[:, None]).T @ v
        xvy = xvy - v.T @ (c * z)
        yvy -= float(c @ (z * z))
        logdet += float(np.log1p(theta_u * q).sum())
    return xvx, xvy, np.array(yvy), np.array(logdet)


def _criterion(d: _Sums, phi: np.ndarray) -> float:
    """:math:`-2\\ell_R` (without its constant) at relative standard deviations ``phi``."""
    theta_c = float(phi[0]) ** 2
    theta_u = float(phi[1]) ** 2 if phi.size > 1 else 0.0
    xvx, xvy, yvy, logdet = _normal_equations(d, theta_c, theta_u)
    sign, logdet_xvx = np.linalg.slogdet(xvx)
    if sign <= 0:
        return math.inf
    rss = float(yvy) - float(xvy @ np.linalg.solve(xvx, xvy))
    if not rss > 0:
        return math.inf
    dof = d.n - d.p
    return dof * math.log(rss / dof) + float(logdet) + float(logdet_xvx)


def _optimum(d: _Sums, dims: int) -> tuple[np.ndarray, bool]:
    """The ``phi >= 0`` with the smallest criterion: the best point of a grid, then a bounded
    local search from there (Brent for one parameter, Nelder–Mead for two)."""
    from scipy import optimize

    if dims == 1:
        values = [_criterion(d, np.array([g])) for g in _GRID]
        best = int(np.argmin(values))
        low, high = _GRID[max(best - 1, 0)], _GRID[min(best + 1, _GRID.size - 1)]
        res = optimize.minimize_scalar(
            lambda f: _criterion(d, np.array([f])),
            bounds=(low, high),
            method="bounded",
            options={"xatol": 1e-12, "maxiter": 500},
        )
        phi = np.array([res.x]) if res.fun <= values[best] else np.array([_GRID[best]])
        return phi, bool(res.success) or res.fun > values[best]
    coarse = _GRID[::6]
    grid = [np.array([a, b]) for a in coarse for b in coarse]
    start = min(grid, key=lambda g: _criterion(d, g))
    # Nelder–Mead: few evaluations and no gradient; quasi-Newton's small BLAS calls are slower
    # here than the criterion itself.
    res = optimize.minimize(
        lambda f: _criterion(d, f),
        start,
        method="Nelder-Mead",
        bounds=[(0.0, None), (0.0, None)],
        options={"xatol": 1e-9, "fatol": 1e-11, "maxfev": 4000},
    )
    phi = res.x if res.fun <= _criterion(d, start) else start
    return phi, bool(res.success)


def fit_random_intercepts(
    y: np.ndarray, x: np.ndarray, clusters: np.ndarray, *, units: np.ndarray | None = None
) -> RemlFit:
    """Fit a linear model with a random intercept per cluster (and per unit) by REML.

    Parameters
    ----------
    y : numpy.ndarray
        The response, ``N`` values, no NaN.
    x : numpy.ndarray
        The fixed-effects design, ``N × p`` of full column rank.
    clusters : numpy.ndarray
        The cluster of each row (respondents). With ``units`` clusters are nested in units: the
        same key in two units is two clusters.
    units : numpy.ndarray, optional
        The unit of each row, for the second random intercept.

    Returns
    -------
    RemlFit
        ``cluster_variance`` :math:`\\tau^2`, ``unit_variance`` (NaN without ``units``) and the
        residual ``sigma2``.

    Examples
    --------
    >>> y = np.array([3.0, 3.5, 2.0, 2.5, 4.0, 4.0, 1.5, 2.5, 3.0, 3.5])
    >>> x = np.column_stack([np.ones(10), np.tile([0.0, 1.0], 5)])
    >>> fit = fit_random_intercepts(y, x, np.repeat(np.arange(5), 2))
    >>> [round(float(v), 6) for v in (*fit.beta, fit.cluster_variance, fit.sigma2)]
    [2.7, 0.5, 0.6375, 0.0625]

    A balanced design: the REML variances equal the ANOVA estimators, as
    ``lmer(y ~ x + (1 | g))`` gives (statsmodels' MixedLM: 0.637499, 0.0625).
    """
    y = np.asarray(y, dtype="float64")
    x = np.asarray(x, dtype="float64")
    d = _sums(y, x, np.asarray(clusters), None if units is None else np.asarray(units))
    phi, converged = _optimum(d, 1 if units is None else 2)
    theta_c = float(phi[0]) ** 2
    theta_u = float(phi[1]) ** 2 if units is not None else 0.0
    xvx, xvy, yvy, _ = _normal_equations(d, theta_c, theta_u)
    beta = np.linalg.solve(xvx, xvy)
    sigma2 = (float(yvy) - float(xvy @ beta)) / (d.n - d.p)
    return RemlFit(
        beta=beta,
        cov_beta=sigma2 * np.linalg.inv(xvx),
        sigma2=sigma2,
        cluster_variance=theta_c * sigma2,
        unit_variance=theta_u * sigma2 if units is not None else math.nan,
        deviance=_criterion(d, phi),
        converged=converged,
    )
