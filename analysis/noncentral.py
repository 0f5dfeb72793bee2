"""The cumulative distribution functions of the noncentral F and t distributions, for the
noncentrality intervals of :mod:`analysis.effect_sizes`, where SciPy's give no number.

SciPy's ``ncfdtr`` and ``nctdtr`` (CDFLIB; what ``stats.ncf.cdf`` and ``stats.nct.cdf``
compute) return NaN at some points far in a tail when the noncentrality or the degrees of
freedom are large: e.g. ``ncfdtr(9, 200000, 9064.19, 500)`` (a one-way ANOVA of 200,000 answers
with a large F, met at 1,000× the example) and ``nctdtr(10000, 45, 10)``. A root search that
widens its bracket into such a point stopped the whole analysis. These functions return SciPy's
value wherever it is a number (so every interval SciPy could compute is unchanged, to the bit)
and otherwise compute the distribution from its definition, which SciPy offers no other way:

- noncentral F (Johnson, Kotz & Balakrishnan 1995, eq. 30.3): the Poisson mixture of central
  beta distributions, :math:`P(F \\le f) = \\sum_j \\mathrm{Pois}(j; \\lambda/2)\\,
  I_x(\\nu_1/2 + j, \\nu_2/2)`, :math:`x = \\nu_1 f / (\\nu_1 f + \\nu_2)`, summed over
  :math:`\\lambda/2 \\pm 40\\sqrt{\\lambda/2} + 40` (the algorithm of R's ``pnbeta``, AS 226);
- noncentral t (ibid., eq. 31.1): :math:`P(T \\le t) = E\\,\\Phi(t\\sqrt{V/\\nu} - \\delta)`,
  :math:`V \\sim \\chi^2_\\nu`, by adaptive quadrature (``scipy.integrate.quad``).

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] Johnson NL, Kotz S, Balakrishnan N. Continuous univariate distributions, vol. 2, 2nd ed.
   Wiley; 1995 (chapters 30 and 31).
.. [2] Lenth RV. Algorithm AS 226: computing noncentral beta probabilities. Appl Stat
   1987;36:241-244.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ncf_cdf", "nct_cdf"]

#: How many Poisson standard deviations (and terms) either side of the mean the F series sums:
#: the weights left out are below 1e-300.
_SPREAD = 40.0


def ncf_cdf(dfn: float, dfd: float, ncp: float, f: float) -> float:
    """:math:`P(F \\le f)` for the noncentral F with ``dfn``, ``dfd`` degrees of freedom and
    noncentrality ``ncp``: SciPy's ``ncfdtr``, or the Poisson mixture where it gives none.

    >>> round(ncf_cdf(3, 100, 5, 2), 12)
    0.408732068564
    >>> ncf_cdf(9, 200000, 9064.19, 500) < 1e-100   # SciPy's ncfdtr: nan
    True
    """
    from scipy.special import ncfdtr

    value = float(ncfdtr(dfn, dfd, ncp, f))
    return value if math.isfinite(value) else ncf_cdf_series(dfn, dfd, ncp, f)


def ncf_cdf_series(dfn: float, dfd: float, ncp: float, f: float) -> float:
    """The noncentral F's CDF as the Poisson mixture of beta CDFs (module docstring)."""
    from scipy.special import betainc, gammaln

    if f <= 0:
        return 0.0
    x = dfn * f / (dfn * f + dfd)
    half = ncp / 2
    if half <= 0:
        return float(betainc(dfn / 2, dfd / 2, x))
    reach = _SPREAD * math.sqrt(half) + _SPREAD
    j = np.arange(max(0, math.floor(half - reach)), math.ceil(half + reach) + 1, dtype="float64")
    weights = np.exp(j * math.log(half) - half - gammaln(j + 1))
    return float(min(1.0, np.sum(weights * betainc(dfn / 2 + j, dfd / 2, x))))


def nct_cdf(df: float, ncp: float, t: float) -> float:
    """:math:`P(T \\le t)` for the noncentral t with ``df`` degrees of freedom and noncentrality
    ``ncp``: SciPy's ``nctdtr``, or the expectation over the chi-square where it gives none.

    >>> abs(nct_cdf(10000, 45, 10)) < 1e-12   # SciPy's nctdtr: nan
    True
    """
    from scipy.special import nctdtr

    value = float(nctdtr(df, ncp, t))
    return value if math.isfinite(value) else nct_cdf_quadrature(df, ncp, t)


def nct_cdf_quadrature(df: float, ncp: float, t: float) -> float:
    """The noncentral t's CDF as :math:`E\\,\\Phi(t\\sqrt{V/\\nu} - \\delta)` over
    :math:`V \\sim \\chi^2_\\nu` (module docstring), integrated where the chi-square has mass."""
    from scipy.integrate import quad
    from scipy.special import gammaln, ndtr

    log_norm = (df / 2) * math.log(2) + float(gammaln(df / 2))

    def integrand(v: float) -> float:
        if v <= 0:
            return 0.0
        density = math.exp((df / 2 - 1) * math.log(v) - v / 2 - log_norm)
        return float(ndtr(t * math.sqrt(v / df) - ncp)) * density

    spread = _SPREAD * math.sqrt(2 * df)
    low, high = max(0.0, df - spread), df + spread + _SPREAD
    value, _ = quad(integrand, low, high, points=[df], limit=200, epsabs=1e-15, epsrel=1e-12)
    return float(min(1.0, max(0.0, value)))
