"""The bootstrap's shortcuts for omega (:mod:`analysis.omega`): the resampled correlation
matrices from resample counts, and the one-factor minres fit by Newton's method on the loadings.

Both are ours; each gives what the plain computation gives (to rounding), and the Newton fit
says for which matrices it cannot vouch for that, so the caller fits those the plain way.
Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import numpy as np

__all__ = ["newton_minres", "resampled_correlations"]

#: Communalities strictly inside these bounds (``psych::fa``'s on the uniquenesses) are free.
LOW, HIGH = 0.005, 0.995
#: Newton steps at most; a matrix not converged by then is left to the caller.
_MAX_STEPS = 30
#: A step moving no loading by more than this ends the iteration (the next is rounding).
_STEP_TOL = 1e-13
#: How far (in a communality) the solution may be from the start: further, another minimum of
#: the criterion may be nearer to Newton than the one the plain iteration goes on to (a guard:
#: on 1× the example's resamples it turns away 9 of 42,806, none of which went elsewhere).
_START_REACH = 0.1
#: How far the largest eigenvalue of the reduced matrix must stand above the next for the
#: principal-axis step to be well defined (as :func:`analysis.omega._newton_steps` asks).
_GAP = 1e-8
#: The principal-axis fixed-point check: no communality moves by this (the plain iteration's
#: own stopping tolerance).
_FIXED_TOL = 1e-12


def exact_moments(complete: np.ndarray) -> bool:
    """Whether the count-weighted sums of :func:`resampled_correlations` are exact: whole
    numbers whose sums of products stay below 2**52 (as every item score)."""
    if not np.array_equal(complete, np.round(complete)):
        return False
    n = complete.shape[0]
    biggest = float(np.max(np.abs(complete))) if complete.size else 0.0
    return n * n * max(biggest, 1.0) ** 2 * 4 < 2.0**52


def resampled_correlations(complete: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""The correlation matrices of the resamples ``complete[rows[b]]`` and whether each has no
    constant item, for whole-number data (:func:`exact_moments`).

    A resample is the data weighted by how often it draws each case, :math:`w_b`, so its sums
    are :math:`W X` and :math:`W (x_i x_j)` for the whole count matrix :math:`W` in one product
    each, instead of indexing out and centring ``B × n × k`` values. For whole numbers those
    sums, and :math:`n\,S_{ij} - S_i S_j` (``n`` times the centred cross-products), are exact,
    so an item is constant exactly when its variance is 0, and the correlations equal the
    centred computation's to rounding.
    """
    b, n = rows.shape
    k = complete.shape[1]
    counts = np.bincount((rows + n * np.arange(b)[:, None]).ravel(), minlength=b * n)
    weights = counts.reshape(b, n).astype(np.float64)
    sums = weights @ complete
    products = (complete[:, :, None] * complete[:, None, :]).reshape(n, k * k)
    cross = (weights @ products).reshape(b, k, k)
    centred = n * cross - sums[:, :, None] * sums[:, None, :]
    variance = np.einsum("bii->bi", centred)
    ok = (variance > 0).all(axis=1)
    scale = np.sqrt(np.where(variance > 0, variance, 1.0))
    return centred / scale[:, :, None] / scale[:, None, :], ok


def newton_minres(r: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""One-factor minres loadings of a stack of correlation matrices by Newton's method on the
    loadings, from ``start`` (one loading vector per matrix), and which of them it vouches for.

    The principal-axis iteration of :func:`analysis.omega._one_factor_minres` stops at
    communalities :math:`h = \operatorname{clip}(\lambda^2, 0.005, 0.995)` with loadings
    :math:`\lambda` the leading eigenpair (scaled) of :math:`R` with diagonal :math:`h`:
    :math:`F_i(\lambda) = \sum_{j\ne i} r_{ij}\lambda_j + h_i\lambda_i -
    \lVert\lambda\rVert^2\lambda_i = 0` for every item, :math:`h_i = \lambda_i^2` for a
    free item and the bound :math:`c_i` for one held at it. :math:`F = -\tfrac14\nabla f_c`
    for the minres (ULS) criterion :math:`f_c(\lambda) = \sum_{i\ne j}(r_{ij} -
    \lambda_i\lambda_j)^2 + \sum_{i\ \mathrm{held}}(c_i - \lambda_i^2)^2`, whose Hessian is
    :math:`-4J`, :math:`J = R_0 - 2\lambda\lambda' + \operatorname{diag}(d_i -
    \lVert\lambda\rVert^2)`, :math:`R_0` the correlations with a zero diagonal, :math:`d_i =
    3\lambda_i^2` (free) or :math:`c_i` (held); Newton steps :math:`-J^{-1}F`. Items are held
    where the start's communality is at a bound.

    :math:`F = 0` holds for *some* eigenpair, and :math:`f_c` may have several minima, so a
    solution is vouched for only when the steps converged, :math:`-J` is positive definite (a
    minimum), each free communality is strictly inside the bounds and each held one beyond its
    bound, every communality is within 0.1 of the start's (a start some principal-axis steps
    along, in the basin of the fixed point that iteration goes on to), :math:`|F_i| < 10^{-12}`,
    and :math:`\lVert\lambda\rVert^2` is the largest eigenvalue of the reduced matrix by at
    least 1e-8 (:func:`_leading`): then a principal-axis step from it (the leading eigenpair)
    gives :math:`\lambda` back, a fixed point of that iteration. The loadings are signed as the
    plain fit signs them (a positive sum).
    """
    k = r.shape[1]
    idx = np.arange(k)
    off = r.copy()
    off[:, idx, idx] = 0.0
    start_h2 = np.clip(start * start, LOW, HIGH)
    held = np.where((start_h2 > LOW) & (start_h2 < HIGH), np.nan, start_h2)
    lam, converged = _iterate(off, start.copy(), held)
    with np.errstate(all="ignore"):
        squares = lam * lam
        free = np.isnan(held)
        h2 = np.where(free, squares, held)
        inside = np.where(free, (squares > LOW) & (squares < HIGH), _beyond(squares, held))
        near = np.max(np.abs(np.clip(squares, LOW, HIGH) - start_h2), axis=1) < _START_REACH
        ok = converged & near & inside.all(axis=1)
        ok[ok] = _positive_definite(-_jacobian(off[ok], lam[ok], held[ok]))
        ok[ok] = np.max(np.abs(_residual(off[ok], lam[ok], held[ok])), axis=1) < _FIXED_TOL
        ok[ok] = _leading(r[ok], lam[ok], h2[ok])
        loadings = np.where(lam.sum(axis=1, keepdims=True) < 0, -lam, lam)
        loadings[~ok] = np.nan
    return loadings, ok


def _leading(r: np.ndarray, lam: np.ndarray, h2: np.ndarray) -> np.ndarray:
    r"""Whether :math:`\lVert\lambda\rVert^2` is the largest eigenvalue of the reduced matrix
    :math:`A` (:math:`R` with diagonal ``h2``), by :data:`_GAP` or more, given :math:`A\lambda
    = \lVert\lambda\rVert^2\lambda`: then :math:`sI - A + \lambda\lambda'/s - \delta I`
    (:math:`s = \lVert\lambda\rVert^2`, :math:`\delta` the gap) is positive definite (its
    eigenvalues are :math:`1 - \delta` along :math:`\lambda` and :math:`s - \mu_j - \delta`
    for the other eigenvalues :math:`\mu_j`), which one Cholesky factorisation tells."""
    total = np.einsum("bi,bi->b", lam, lam)
    m = lam[:, :, None] * lam[:, None, :] / total[:, None, None] - r
    idx = np.arange(r.shape[1])
    m[:, idx, idx] = lam * lam / total[:, None] + total[:, None] - h2 - _GAP
    return _positive_definite(m)


def _beyond(squares: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Whether each held item's squared loading is at or beyond the bound it is held at."""
    return np.where(held >= HIGH, squares >= HIGH, squares <= LOW)


def _iterate(off: np.ndarray, lam: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps until none moves a loading by :data:`_STEP_TOL`; and which converged."""
    converged = np.zeros(lam.shape[0], dtype=bool)
    active = np.arange(lam.shape[0])
    with np.errstate(all="ignore"):
        for _ in range(_MAX_STEPS):
            delta = _newton_step(off[active], lam[active], held[active])
            lam[active] += delta
            reach = np.max(np.abs(delta), axis=1)
            finite = np.isfinite(reach)
            done = finite & (reach < _STEP_TOL)
            converged[active[done]] = True
            active = active[finite & ~done]
            if active.size == 0:
                break
    return lam, converged


def _jacobian(off: np.ndarray, lam: np.ndarray, held: np.ndarray) -> np.ndarray:
    r""":math:`J = R_0 - 2\lambda\lambda' + \operatorname{diag}(d - \lVert\lambda\rVert^2)`
    (:func:`newton_minres`)."""
    squares = lam * lam
    total = squares.sum(axis=1, keepdims=True)
    j = off - 2.0 * lam[:, :, None] * lam[:, None, :]
    idx = np.arange(lam.shape[1])
    j[:, idx, idx] += np.where(np.isnan(held), 3.0 * squares, held) - total
    return j


def _residual(off: np.ndarray, lam: np.ndarray, held: np.ndarray) -> np.ndarray:
    r""":math:`F(\lambda)` of :func:`newton_minres`."""
    squares = lam * lam
    total = squares.sum(axis=1, keepdims=True)
    diagonal = np.where(np.isnan(held), squares, held)
    return (off @ lam[:, :, None])[:, :, 0] + lam * (diagonal - total)


def _newton_step(off: np.ndarray, lam: np.ndarray, held: np.ndarray) -> np.ndarray:
    """The Newton step :math:`-J^{-1}F` of each matrix (NaN where :math:`J` is singular)."""
    residual = _residual(off, lam, held)
    jacobian = _jacobian(off, lam, held)
    try:
        return -np.linalg.solve(jacobian, residual[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # one singular Jacobian: solve one by one
        return np.stack([_solve_or_nan(j, f) for j, f in zip(jacobian, residual, strict=True)])


def _solve_or_nan(j: np.ndarray, f: np.ndarray) -> np.ndarray:
    try:
        return -np.linalg.solve(j, f)
    except np.linalg.LinAlgError:
        return np.full(f.shape, np.nan)


def _positive_definite(h: np.ndarray) -> np.ndarray:
    """Whether each matrix of a stack is positive definite (its Cholesky factor exists)."""
    if h.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    try:
        np.linalg.cholesky(h)
        return np.ones(h.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        return np.linalg.eigvalsh(h)[:, 0] > 0
