"""A bootstrap interval for Krippendorff's alpha: the algorithm of Hayes & Krippendorff (2007), as
their KALPHA macro and Stata's ``kalpha`` implement it (Krippendorff's "Algorithm for bootstrapping
a distribution of alpha").

The ``krippendorff`` package computes alpha but no interval, so this module is ours. It resamples
*pairs of values*, not units: ``M`` pairs are drawn with the probabilities of the observed
coincidences, and each replicate's alpha is ``1 - Σδ(drawn pairs) / (M · D_e)`` with the observed
expected disagreement ``D_e``; ``M = min(25 q, n (m − 1) / 2)`` for ``q`` non-empty cells of the
coincidence matrix, ``n`` pairable values and ``m`` coders. Replicates below −1 count as −1; when
every drawn pair agrees (alpha 1) the macro's correction for a distribution without variation
applies. The interval is the replicates' ``γ/2`` and ``1 − γ/2`` order statistics as KALPHA takes
them. Zapf et al. (2016) note that resampling pairs ignores that values come in units; the unit
is written beside every row so the reader can weigh this.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
Hayes AF, Krippendorff K (2007). Answering the call for a standard reliability measure for coding
data. *Commun Methods Meas* 1:77–89.
Krippendorff K (2013). Algorithm for bootstrapping a distribution of alpha. Annenberg School for
Communication, University of Pennsylvania.
Zapf A, Castell S, Morawietz L, Karch A (2016). Measuring inter-rater reliability for nominal data
– which coefficients and confidence intervals are appropriate? *BMC Med Res Methodol* 16:93.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BOOTSTRAP_NOT_APPLIED",
    "NO_BOOTSTRAP",
    "Bootstrap",
    "alpha_bootstrap",
    "alpha_from_coincidences",
    "distances",
]


@dataclass(frozen=True)
class Bootstrap:
    """How alpha's interval is bootstrapped: ``samples`` replicates (0: no interval), numpy's
    ``default_rng(seed)``, at ``confidence``."""

    samples: int = 0
    seed: int = 0
    confidence: float = 0.95


#: No bootstrap interval (the default).
NO_BOOTSTRAP = Bootstrap()

#: Why alpha has no interval although one was asked for (KALPHA: "bootstrapping does not apply").
BOOTSTRAP_NOT_APPLIED = "alpha is 0 or 1: the bootstrap does not apply (no interval)"


def distances(o: np.ndarray, scores: np.ndarray, level: str) -> np.ndarray:
    """Krippendorff's squared difference ``δ²(c, k)`` between the categories of a coincidence
    matrix ``o`` (whose marginals the ordinal metric uses) with numbers ``scores``.

    >>> distances(np.diag([2.0, 2.0]), np.array([1.0, 3.0]), "ratio").tolist()
    [[0.0, 0.25], [0.25, 0.0]]
    """
    k = o.shape[0]
    v = np.asarray(scores, dtype=float)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        n_c = o.sum(axis=1)
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        lo, hi = (
            np.minimum.outer(np.arange(k), np.arange(k)),
            np.maximum.outer(np.arange(k), np.arange(k)),
        )
        between = cum[hi + 1] - cum[lo]
        return (between - (n_c[:, None] + n_c[None, :]) / 2) ** 2 * (1 - np.eye(k))
    diff = np.subtract.outer(v, v)
    if level == "interval":
        return diff**2
    if level == "ratio":
        total = np.add.outer(v, v)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total != 0, (diff / np.where(total != 0, total, 1)) ** 2, 0.0)
    raise ValueError(f"level must be nominal, ordinal, interval or ratio; got {level!r}")


def alpha_from_coincidences(o: np.ndarray, delta: np.ndarray) -> float:
    """``1 - D_o / D_e`` from a coincidence matrix and its difference matrix (NaN when ``D_e`` is
    zero).

    >>> round(alpha_from_coincidences(np.array([[2.0, 1.0], [1.0, 2.0]]), 1 - np.eye(2)), 4)
    0.4444
    """
    n = float(o.sum())
    n_c = o.sum(axis=1)
    d_o = float((o * delta).sum()) / n
    d_e = float((np.outer(n_c, n_c) * delta).sum()) / (n * (n - 1))
    return 1 - d_o / d_e if d_e > 0 else math.nan


def alpha_bootstrap(
    o: np.ndarray,
    delta: np.ndarray,
    *,
    coders: int,
    bootstrap: Bootstrap,
) -> tuple[float, float, str]:
    """The ``confidence`` interval of alpha by the Hayes & Krippendorff (2007) bootstrap.

    Parameters
    ----------
    o
        The coincidence matrix of the pairable values (:func:`analysis.agreement.coincidence_matrix`).
    delta
        Its squared differences (:func:`distances`).
    coders
        The number of coders ``m`` in the reliability data.
    bootstrap
        Replicates, the seed of numpy's ``default_rng`` (the same seed, the same interval) and the
        level of the interval.

    Returns
    -------
    (low, high, note)
        NaN bounds and a note when alpha is 0 or 1 (or undefined): KALPHA does not bootstrap then.
    """
    samples, confidence = bootstrap.samples, bootstrap.confidence
    n = float(o.sum())
    n_c = o.sum(axis=1)
    alpha = alpha_from_coincidences(o, delta)
    if not math.isfinite(alpha) or alpha in (0.0, 1.0) or samples < 1:
        return math.nan, math.nan, BOOTSTRAP_NOT_APPLIED
    d_e = float((np.outer(n_c, n_c) * delta).sum()) / (n * (n - 1))
    draws = min(25 * int(np.count_nonzero(o > 0)), round(n * (coders - 1) / 2))
    rows, cols = np.tril_indices(o.shape[0])
    prob = np.where(rows == cols, o[rows, cols], 2 * o[rows, cols]) / n
    prob = prob / prob.sum()
    counts = np.random.default_rng(bootstrap.seed).multinomial(draws, prob, size=samples)
    boot = 1 - counts @ delta[rows, cols] / (draws * d_e)
    boot = np.maximum(boot, -1.0)
    boot = _no_variation_correction(boot, np.diag(o) / n, draws)
    boot.sort()
    gamma = 1 - confidence
    low = boot[max(math.floor(gamma / 2 * samples), 1) - 1]
    high = boot[min(math.floor((1 - gamma / 2) * samples) + 1, samples) - 1]
    return float(low), float(high), ""


def _no_variation_correction(boot: np.ndarray, p_diagonal: np.ndarray, draws: int) -> np.ndarray:
    """KALPHA's correction: a replicate of perfect agreement (alpha 1) drew only agreeing pairs;
    when they all fall in one category alpha is undefined there (taken as 0). With one category
    on the diagonal every such replicate is 0; otherwise as many as expected
    (``samples · Σ p_cc^M``), at most all of them."""
    ones = boot == 1
    if not ones.any():
        return boot
    out = boot.copy()
    if np.count_nonzero(p_diagonal > 0) == 1:
        out[ones] = 0.0
        return out
    expected = round(len(boot) * float((p_diagonal**draws).sum()))
    where = np.flatnonzero(ones)
    out[where[: min(expected, where.size)]] = 0.0
    return out
