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

from analysis.omega_fit import exact_moments, newton_minres, resampled_correlations

__all__ = ["OmegaResult", "mcdonald_omega", "omega_method"]

#: Why omega is not computed (the ``note`` of a reliability row).
TOO_FEW_ITEMS = "fewer than 3 items: one factor is not identified"
TOO_FEW_CASES = "fewer than 3 complete cases"
CONSTANT_ITEM = "an item is constant among the complete cases"
SINGULAR = "singular correlation matrix (too few complete cases for the items); minres still fitted"
OUT_OF_RANGE = (
    "omega total outside 0–1: one factor does not describe these items (do some correlate "
    "negatively, e.g. a reverse-keyed item not reversed?)"
)


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
    ci_low, ci_high : float
        The bootstrap interval, when one is asked for.
    """

    estimate: float
    loadings: tuple[float, ...]
    n: int
    k_items: int
    method: str
    note: str = ""
    ci_low: float = math.nan
    ci_high: float = math.nan


def omega_method(*, bootstrap: int = 0, confidence: float = 0.95) -> str:
    """The ``method`` text of :func:`mcdonald_omega`.

    >>> omega_method()
    "McDonald's omega total, one factor (minres), correlations, listwise; no CI"
    >>> omega_method(bootstrap=1000)
    "McDonald's omega total, one factor (minres), correlations, listwise; 95% CI percentile bootstrap (1000 resamples)"
    """
    base = "McDonald's omega total, one factor (minres), correlations, listwise"
    if bootstrap <= 0:
        return f"{base}; no CI"
    return f"{base}; {confidence * 100:g}% CI percentile bootstrap ({bootstrap} resamples)"


def _starting_communalities(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations :math:`1 - 1/(R^{-1})_{ii}`, kept in [0.005, 0.995], of one
    correlation matrix or a stack of them.

    For a singular ``r`` the inverse's diagonal holds zeros or huge values; the bounds then
    decide, as ``psych::smc`` bounds out-of-range values (no division warning is let through).
    A stack is inverted in one call (LAPACK per matrix, as one by one) unless one of its
    matrices is singular.
    """
    if r.ndim == 3:
        try:
            inverse_diagonal = np.diagonal(np.linalg.inv(r), axis1=1, axis2=2)
        except np.linalg.LinAlgError:
            return np.stack([_starting_communalities(m) for m in r])
        return _bounded_smc(inverse_diagonal)
    try:
        inverse_diagonal = np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        return np.full(r.shape[0], 0.5)
    return _bounded_smc(inverse_diagonal)


def _bounded_smc(inverse_diagonal: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        h2 = 1 - 1 / inverse_diagonal
    return np.clip(np.where(np.isnan(h2), 0.5, h2), 0.005, 0.995)


#: When Newton steps replace ordinary ones: (largest ordinary step below, Newton step at most
#: this many ordinary steps): small enough that no other fixed point is within reach (earlier
#: Newton steps, e.g. below 1e-3, were seen to land on another fixed point of a matrix with a
#: reverse-keyed item not reversed).
_NEWTON_TIERS = ((1e-6, 1000.0),)
_NEWTON_BELOW = _NEWTON_TIERS[0][0]


def _newton_steps(
    h2: np.ndarray, new: np.ndarray, values: np.ndarray, vectors: np.ndarray
) -> np.ndarray:
    r"""One Newton step towards the fixed point :math:`h = g(h)` of principal-axis iteration,
    :math:`g_i(h) = \lambda v_i^2` (leading eigenpair of the reduced matrix), from ``h2`` where
    ``new`` = :math:`g(h)`; ``values`` and ``vectors`` are the reduced matrices' eigenpairs.

    First-order perturbation of a symmetric eigenproblem gives the Jacobian:
    :math:`\partial\lambda/\partial h_m = v_m^2` and :math:`\partial v/\partial h_m =
    \sum_{j} u_j u_{jm} v_m / (\lambda - \lambda_j)`; a communality at its bound does not
    move. Where the step is not defined (a zero eigengap or eigenvalue), or reaches further than
    :data:`_NEWTON_TIERS` allow (the iteration contracts slowly there, and another fixed point
    may be nearer to Newton), the ordinary step is kept.
    """
    lam = values[:, -1]
    v = vectors[:, :, -1]
    others = vectors[:, :, :-1]
    gap = lam[:, None] - values[:, :-1]
    usable = (lam > 0) & (gap > 1e-8).all(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.einsum("bij,bj,bkj->bik", others, 1.0 / gap, others)
    v2 = v * v
    jacobian = v2[:, :, None] * v2[:, None, :] + 2 * lam[:, None, None] * (
        v[:, :, None] * w * v[:, None, :]
    )
    free = (new > 0.005) & (new < 0.995)
    jacobian *= free[:, :, None]
    eye = np.eye(h2.shape[1])
    system = eye - jacobian
    usable &= np.isfinite(system).all(axis=(1, 2))
    stepped = new.copy()
    if usable.any():
        try:
            delta = np.linalg.solve(system[usable], (new - h2)[usable][:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            return stepped
        # Only a step within ten ordinary steps: the fixed point the ordinary steps approach,
        # not another one (near-degenerate matrices have several).
        plain = np.max(np.abs(new - h2)[usable], axis=1)
        reach = np.max(np.abs(delta), axis=1)
        near = np.zeros(plain.shape, dtype=bool)
        for below, times in _NEWTON_TIERS:
            near |= (plain < below) & (reach <= times * plain)
        rows = np.flatnonzero(usable)[near]
        stepped[rows] = np.clip(h2[rows] + delta[near], 0.005, 0.995)
    return stepped


#: Changes of a communality above which a step takes the leading eigenvector from powers of the
#: matrix (:func:`_leading_by_powers`) instead of a full eigendecomposition.
_POWERS_ABOVE = 1e-5
#: The fewest matrices for which powers are worth it (numpy's per-call cost).
_POWERS_FROM = 32
#: Squarings of the shifted matrix: its ``2**_SQUARINGS``-th power.
_SQUARINGS = 7


def _leading_by_powers(reduced: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Leading eigenpairs of a stack of reduced correlation matrices, as loadings
    :math:`v\sqrt{\lambda}`, from :math:`(A + I)^{2^m}` applied to the previous step's loadings
    (``previous``; zeros at the first step, then the unit vectors' sum): much cheaper than
    ``numpy.linalg.eigh`` per matrix. Shifted by :math:`I`, every eigenvalue is positive (a
    reduced correlation matrix has none below :math:`-1`), so the powers single out the largest.

    Returns the loadings and whether each settled: the eigen-equation holds to 1e-12 (it does
    not where the two largest eigenvalues are close); the caller decomposes the others in full.
    """
    k = reduced.shape[1]
    power = reduced + np.eye(k)
    for _ in range(_SQUARINGS):
        power = power @ power
        power /= np.einsum("bii->b", power)[:, None, None]  # the trace: positive
    start = np.where(np.abs(previous).sum(axis=1, keepdims=True) > 0, previous, 1.0)
    v = (power @ start[:, :, None])[:, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        av = (reduced @ v[:, :, None])[:, :, 0]
        lam = np.einsum("bi,bi->b", v, av)
        residual = np.max(np.abs(av - lam[:, None] * v), axis=1)
    settled = residual < 1e-12
    return v * np.sqrt(np.maximum(lam, 0.0))[:, None], settled


def _one_factor_minres(
    r: np.ndarray, *, tol: float = 1e-12, max_iter: int = 100_000, start: np.ndarray | None = None
) -> np.ndarray:
    """Loadings of a one-factor minres (ULS) solution of a correlation matrix (``k × k``) or of
    a stack of them (``B × k × k``, as the bootstrap fits them).

    Iterated principal axes from squared multiple correlations: at convergence the communalities
    are a fixed point of the ULS (minres) criterion, the sum of squared off-diagonal residuals.
    Communalities are kept in [0.005, 0.995], as ``psych::fa``'s bounds on the uniquenesses.
    The iteration stops at the first step that moves no communality by ``tol``. Once a step
    moves none by more than :data:`_NEWTON_BELOW`, Newton steps (:func:`_newton_steps`)
    replace the ordinary ones: the same fixed point and stopping rule in a few steps instead of
    hundreds (omega agrees with ordinary steps to about 1e-10 relative: those stop a step of
    ``tol`` short of the fixed point, which at slow contraction is further than ``tol``).
    ``start``: communalities some steps of this iteration along, to go on from.
    """
    stack = r if r.ndim == 3 else r[None]
    h2 = _starting_communalities(stack) if start is None else start.reshape(-1, stack.shape[1])
    loadings = np.zeros(h2.shape)
    diagonal = np.arange(stack.shape[1])
    active = np.arange(stack.shape[0])  # the matrices not converged yet
    last = np.full(stack.shape[0], math.inf)  # each matrix's last change
    for _ in range(max_iter):
        current = h2[active]
        reduced = stack[active]  # a copy: fancy indexing
        reduced[:, diagonal, diagonal] = current
        fitted = np.empty(current.shape)
        # Far from the fixed point the leading eigenvector, from powers of the matrix, is
        # enough; near it (and where powers do not settle) every eigenpair, for Newton.
        full = last[active] < _POWERS_ABOVE
        if (~full).sum() < _POWERS_FROM:  # for a few matrices eigh costs less
            full[:] = True
        else:
            rows = np.flatnonzero(~full)
            by_powers, settled = _leading_by_powers(reduced[rows], loadings[active[rows]])
            step = np.max(np.abs(np.clip(by_powers**2, 0.005, 0.995) - current[rows]), axis=1)
            fitted[rows] = by_powers
            full[rows[~settled | (step < _POWERS_ABOVE)]] = True
        values, vectors = np.linalg.eigh(reduced[full])
        fitted[full] = vectors[:, :, -1] * np.sqrt(np.maximum(values[:, -1], 0.0))[:, None]
        new = np.clip(fitted**2, 0.005, 0.995)
        change = np.max(np.abs(new - current), axis=1)
        moving = change >= tol
        close = moving & (change < _NEWTON_BELOW)
        if close.any():
            near = close[full]
            new[close] = _newton_steps(current[close], new[close], values[near], vectors[near])
        loadings[active], h2[active], last[active] = fitted, new, change
        active = active[moving]
        if active.size == 0:
            break
    loadings = np.where(loadings.sum(axis=1, keepdims=True) < 0, -loadings, loadings)
    return loadings if r.ndim == 3 else loadings[0]


#: Principal-axis steps before Newton's, at least and at most: a matrix takes more steps while
#: its last one moves a communality by :data:`_START_CALM` or more.
_START_STEPS, _START_MAX = 5, 40
#: The largest last change of a communality in those steps for a start Newton may take.
_START_CALM = 0.005


def _principal_axis_start(r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton's start for a stack of correlation matrices: :func:`_one_factor_minres`'s
    iteration (the leading eigenvectors from powers, or in full where those do not settle) for
    :data:`_START_STEPS` steps, and on for each matrix until a step moves no communality by
    :data:`_START_CALM` (at most :data:`_START_MAX`): in the basin of the fixed point that
    iteration goes on to, where the criterion has several minima. The eigenvectors must be the
    iteration's own: from powers alone (unsettled ones too), Newton reached another minimum for
    one of 226,000 resamples of 10× the example (``WANDERING`` in the tests). Calm starts are
    a further guard: on the same resamples, without it, none went elsewhere, but fewer
    converged to a fixed point Newton could vouch for (97.2% of 1×'s resamples, 99.5% with).

    Returns the loadings, whether each start is calm, and the communalities reached (where the
    plain iteration goes on from, for the matrices Newton does not take).
    """
    h2 = _starting_communalities(r)
    diagonal = np.arange(r.shape[1])
    loadings = np.zeros(h2.shape)
    change = np.full(h2.shape[0], math.inf)
    active = np.arange(h2.shape[0])
    for step in range(_START_MAX):
        reduced = r[active]
        reduced[:, diagonal, diagonal] = h2[active]
        fitted, settled = _leading_by_powers(reduced, loadings[active])
        if not settled.all():  # as _one_factor_minres: a full eigendecomposition
            values, vectors = np.linalg.eigh(reduced[~settled])
            fitted[~settled] = vectors[:, :, -1] * np.sqrt(np.maximum(values[:, -1], 0.0))[:, None]
        new = np.clip(fitted**2, 0.005, 0.995)
        change[active] = np.max(np.abs(new - h2[active]), axis=1)
        loadings[active], h2[active] = fitted, new
        if step + 1 >= _START_STEPS:
            active = active[change[active] >= _START_CALM]
            if active.size == 0:
                break
    signed = np.where(loadings.sum(axis=1, keepdims=True) < 0, -loadings, loadings)
    return signed, change < _START_CALM, h2


def _omega_of(complete: np.ndarray) -> tuple[float, np.ndarray]:
    """Omega total and the loadings of complete cases (NaN when the model does not describe them:
    a constant item, or an omega outside 0–1, as when items correlate negatively)."""
    if not (complete.std(axis=0) > 0).all():
        return math.nan, np.full(complete.shape[1], math.nan)
    r = np.corrcoef(complete, rowvar=False)
    loadings = _one_factor_minres(r)
    total = float(r.sum())
    estimate = (total - float((1 - loadings**2).sum())) / total if total > 0 else math.nan
    return (estimate if 0 <= estimate <= 1 else math.nan), loadings


def mcdonald_omega(
    items: pd.DataFrame, *, bootstrap: int = 0, seed: int = 0, confidence: float = 0.95
) -> OmegaResult:
    """McDonald's omega total of a set of items from a one-factor model.

    Rows with any missing item are dropped (listwise). A one-factor model is fitted to the
    items' correlation matrix :math:`R` by minres (unweighted least squares, as
    ``psych::fa(fm = "minres")``), giving loadings :math:`\\lambda_i` and uniquenesses
    :math:`u_i^2 = 1 - \\lambda_i^2`. Then, as ``psych::omega(x, nfactors = 1)$omega.tot``,

    .. math:: \\omega_t = \\frac{\\mathbf{1}'R\\mathbf{1} - \\sum_i u_i^2}{\\mathbf{1}'R\\mathbf{1}}.

    The denominator is the observed variance of the standardised sum, not the model-implied one.
    Omega total does not assume tau-equivalence, unlike alpha [1]_. The minres fit is ours:
    statsmodels' principal-axis ``Factor`` does not bound the communalities, so a Heywood case
    gives loadings of 1 where psych bounds them at 0.995.

    The interval is a percentile bootstrap over respondents (``bootstrap`` resamples of the
    complete cases, numpy's ``default_rng(seed)``, quantiles as R's ``quantile(type = 7)``), as
    ``psych::omega(n.iter = …)`` offers; replicates without an omega (a constant item) are left
    out and counted in ``note``.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, reverse-keyed items already reversed; NaN marks an unscored answer.
    bootstrap, seed, confidence
        Resamples for the interval (0: none), the seed, and the interval's level.

    Returns
    -------
    OmegaResult
        ``estimate`` is NaN with fewer than 3 items (one factor is not identified), fewer than 3
        complete cases, a constant item, or an omega outside 0–1 (the items do not share one
        factor, e.g. a reverse-keyed item not reversed); ``note`` says which.

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
    nan = math.nan
    method = omega_method(bootstrap=bootstrap, confidence=confidence)
    reason = TOO_FEW_ITEMS if k < 3 else TOO_FEW_CASES if n < 3 else ""
    if not reason and not (complete.std(axis=0) > 0).all():
        reason = CONSTANT_ITEM
    if reason:
        return OmegaResult(nan, (nan,) * k, n, k, method, reason)
    estimate, loadings = _omega_of(complete)
    if math.isnan(estimate):
        return OmegaResult(nan, tuple(map(float, loadings)), n, k, method, OUT_OF_RANGE)
    r = np.corrcoef(complete, rowvar=False)
    notes = [SINGULAR] if np.linalg.matrix_rank(r) < k else []
    low = high = nan
    if bootstrap > 0:
        low, high, left_out = _percentile_interval(complete, bootstrap, seed, confidence)
        if left_out:
            notes.append(f"{left_out} of {bootstrap} bootstrap samples without an omega left out")
    return OmegaResult(
        float(estimate), tuple(map(float, loadings)), n, k, method, "; ".join(notes), low, high
    )


#: How many resampled values (resamples × cases × items) the bootstrap holds at once.
_BOOTSTRAP_SLICE = 2_000_000


def _percentile_interval(
    complete: np.ndarray, samples: int, seed: int, confidence: float
) -> tuple[float, float, int]:
    """The percentile interval of omega over ``samples`` resamples of the rows (R type 7).

    The resamples' correlation matrices come from resample counts for whole-number data
    (:func:`analysis.omega_fit.resampled_correlations`); their minres fits by Newton's method
    from a few principal-axis steps (:func:`analysis.omega_fit.newton_minres`), and by
    :func:`_one_factor_minres`, on from the start, wherever Newton cannot vouch for its
    solution (a start still moving, no convergence, not a minimum): the loadings of
    :func:`_one_factor_minres` for every resample, to about 2e-12 (checked on every resample of
    1× and 10× the example), the interval's ends to about 1e-13 (rounding), several times less
    CPU.
    """
    n = complete.shape[0]
    rows = np.random.default_rng(seed).integers(0, n, size=(samples, n))
    omegas = np.full(samples, math.nan)
    r, usable = _resampled(complete, rows)
    if usable.any():
        r = r[usable]
        start, calm, reached = _principal_axis_start(r)
        loadings, fitted = newton_minres(r, start)
        fitted &= calm
        if not fitted.all():  # the plain iteration, on from where the start left it
            loadings[~fitted] = _one_factor_minres(r[~fitted], start=reached[~fitted])
        total = r.sum(axis=(1, 2))
        omegas[usable] = (total - (1 - loadings**2).sum(axis=1)) / total
    omegas[(omegas < 0) | (omegas > 1)] = math.nan
    valid = omegas[~np.isnan(omegas)]
    if valid.size < 2:
        return math.nan, math.nan, int(samples - valid.size)
    tail = (1 - confidence) / 2
    low, high = np.quantile(valid, [tail, 1 - tail])
    return float(low), float(high), int(samples - valid.size)


def _resampled(complete: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The resamples' correlation matrices and whether each has no constant item."""
    n, k = complete.shape
    samples = rows.shape[0]
    usable = np.zeros(samples, dtype=bool)
    r = np.empty((samples, k, k))
    # In slices of about _BOOTSTRAP_SLICE values (resamples × cases × items): at 100× the
    # example, whole, the resampled data took 2 GB; each resample's matrix is computed alone.
    step = max(1, _BOOTSTRAP_SLICE // (n * k))
    exact = exact_moments(complete)
    for start in range(0, samples, step):
        part = slice(start, start + step)
        if exact:
            r[part], usable[part] = resampled_correlations(complete, rows[part])
            continue
        draws = complete[rows[part]]
        ok = (draws.std(axis=1) > 0).all(axis=1)
        usable[part] = ok
        centred = draws[ok] - draws[ok].mean(axis=1, keepdims=True)
        cov = np.einsum("bni,bnj->bij", centred, centred)
        scale = np.sqrt(np.einsum("bii->bi", cov))
        r[part][ok] = cov / scale[:, :, None] / scale[:, None, :]
    return r, usable
