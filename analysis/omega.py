"""McDonald's omega total from a one-factor minres (unweighted least squares) solution.

Nothing here reads files, prints, rounds or changes its arguments.

References
----------
.. [1] McDonald RP. Test theory: a unified treatment. Mahwah (NJ): Erlbaum; 1999.
.. [2] Revelle W, Zinbarg RE. Coefficients alpha, beta, omega, and the glb. Psychometrika
   2009;74:145-154. doi:10.1007/s11336-008-9102-z
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["OmegaResult", "mcdonald_omega", "omega_method"]

#: Why omega is not computed (the ``note`` of a reliability row).
TOO_FEW_ITEMS = "fewer than 3 items: one factor is not identified"
TOO_FEW_CASES = "fewer than 3 complete cases"
CONSTANT_ITEM = "an item is constant among the complete cases"
SINGULAR = "singular correlation matrix (too few complete cases for the items); minres still fitted"


@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega total of one set of items.

    Attributes
    ----------
    estimate : float
        Omega total; NaN when it cannot be computed (``note`` says why).
    loadings : tuple of float
        Standardised one-factor loadings (minres), one per item.
    n : int
        Complete cases used.
    k_items : int
        Number of items.
    method : str
        How it was computed (:func:`omega_method`).
    note : str
        Why ``estimate`` is NaN, or a caveat (a singular correlation matrix); empty otherwise.
    """

    estimate: float
    loadings: tuple[float, ...]
    n: int
    k_items: int
    method: str
    note: str = ""


def omega_method() -> str:
    """The ``method`` text of :func:`mcdonald_omega`.

    >>> omega_method()
    "McDonald's omega total, one factor (minres), correlations, listwise; no CI"
    """
    return "McDonald's omega total, one factor (minres), correlations, listwise; no CI"


def _starting_communalities(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations :math:`1 - 1/(R^{-1})_{ii}`, kept in [0.005, 0.995].

    For a singular ``r`` the inverse's diagonal holds zeros or huge values; the bounds then
    decide, as ``psych::smc`` bounds out-of-range values (no division warning is let through).
    """
    k = r.shape[0]
    try:
        inverse_diagonal = np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        return np.full(k, 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        h2 = 1 - 1 / inverse_diagonal
    return np.clip(np.where(np.isnan(h2), 0.5, h2), 0.005, 0.995)


def _one_factor_minres(r: np.ndarray, *, tol: float = 1e-12, max_iter: int = 100_000) -> np.ndarray:
    """Loadings of a one-factor minres (ULS) solution of a correlation matrix.

    Iterated principal axes from squared multiple correlations: at convergence the communalities
    are a fixed point of the ULS (minres) criterion, the sum of squared off-diagonal residuals.
    Communalities are kept in [0.005, 0.995], as ``psych::fa``'s bounds on the uniquenesses.
    """
    k = r.shape[0]
    h2 = _starting_communalities(r)
    loadings = np.zeros(k)
    for _ in range(max_iter):
        reduced = r.copy()
        np.fill_diagonal(reduced, h2)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * math.sqrt(max(values[-1], 0.0))
        new = np.clip(loadings**2, 0.005, 0.995)
        if np.max(np.abs(new - h2)) < tol:
            h2 = new
            break
        h2 = new
    if loadings.sum() < 0:
        loadings = -loadings
    return loadings


def mcdonald_omega(items: pd.DataFrame) -> OmegaResult:
    """McDonald's omega total of a set of items from a one-factor model.

    Rows with any missing item are dropped (listwise). A one-factor model is fitted to the
    items' correlation matrix :math:`R` by minres (unweighted least squares, as
    ``psych::fa(fm = "minres")``), giving loadings :math:`\\lambda_i` and uniquenesses
    :math:`u_i^2 = 1 - \\lambda_i^2`. Then, as ``psych::omega(x, nfactors = 1)$omega.tot``,

    .. math:: \\omega_t = \\frac{\\mathbf{1}'R\\mathbf{1} - \\sum_i u_i^2}{\\mathbf{1}'R\\mathbf{1}}.

    The denominator is the observed variance of the standardised sum, not the model-implied one.
    No confidence interval is given (psych offers only a bootstrap). Omega total does not assume
    tau-equivalence, unlike alpha [1]_.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, reverse-keyed items already reversed; NaN marks an unscored answer.

    Returns
    -------
    OmegaResult
        ``estimate`` is NaN with fewer than 3 items (one factor is not identified), fewer than 3
        complete cases, or a constant item; ``note`` says which.

    Examples
    --------
    Checked against R 4.2.2, psych 2.2.9 and GPArotation: ``omega(d, nfactors = 1)$omega.tot``
    is 0.937161479685:

    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2, 4],
    ...                   "b": [2, 2, 3, 5, 4, 3, 1, 4],
    ...                   "c": [1, 3, 3, 4, 5, 2, 2, 5]})
    >>> round(mcdonald_omega(d).estimate, 5)
    0.93716
    """
    k = items.shape[1]
    values = items.to_numpy(dtype="float64")
    complete = values[~np.isnan(values).any(axis=1)]
    n = complete.shape[0]
    nan = float("nan")
    reason = ""
    if k < 3:
        reason = TOO_FEW_ITEMS
    elif n < 3:
        reason = TOO_FEW_CASES
    elif not (complete.std(axis=0) > 0).all():
        reason = CONSTANT_ITEM
    if reason:
        return OmegaResult(nan, (nan,) * k, n, k, omega_method(), reason)
    r = np.corrcoef(complete, rowvar=False)
    loadings = _one_factor_minres(r)
    total = float(r.sum())
    estimate = (total - float((1 - loadings**2).sum())) / total
    note = SINGULAR if np.linalg.matrix_rank(r) < k else ""
    return OmegaResult(
        float(estimate), tuple(float(x) for x in loadings), n, k, omega_method(), note
    )
