"""The closed-form REML of :mod:`analysis.reml` against statsmodels' ``MixedLM`` (the library it
replaced; lme4 itself is checked in ``test_wave_comparison*_golden.py``).

Synthetic scores of respondents seen once or twice, nested in units. Our criterion at our optimum
must not exceed ours at MixedLM's variance components (MixedLM stops at its optimiser's
tolerance), and the estimates agree to MixedLM's precision: fixed effects 1e-4, variances 1e-3
(absolute; observed ≤ 1.2e-5).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.reml import _criterion, _sums, fit_random_intercepts

FIXED_TOL = 1e-4
VARIANCE_TOL = 1e-3


def _scores(seed: int, n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    intercepts = rng.normal(0, 0.5, n)
    unit_shift = rng.normal(0, 0.3, 6)
    rows = [
        (f"r{r}", f"u{r % 6}", wave, f"g{rng.integers(0, 3)}")
        for r in range(n)
        for wave in (0.0, 1.0)
        if rng.random() < 0.7
    ]
    frame = pd.DataFrame(rows, columns=["respondent_id", "unit", "follow_up", "group"])
    index = frame["respondent_id"].str[1:].astype(int).to_numpy()
    noise = rng.normal(0, 0.6, len(frame))
    score = 3 + 0.3 * frame["follow_up"] + intercepts[index] + unit_shift[index % 6] + noise
    return frame.assign(score=score)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("nested", [False, True])
def test_matches_statsmodels_mixedlm(seed, nested):
    import statsmodels.formula.api as smf

    frame = _scores(seed)
    formula = "score ~ follow_up + C(group)"
    if nested:
        vc = {"respondent": "0 + C(respondent_id)"}
        model = smf.mixedlm(formula, frame, groups=frame["unit"], re_formula="1", vc_formula=vc)
        method = ["powell"]
    else:
        model = smf.mixedlm(formula, frame, groups=frame["respondent_id"])
        method = ["bfgs"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = model.fit(reml=True, method=method)
    units = frame["unit"].to_numpy() if nested else None
    y, x = frame["score"].to_numpy(), model.exog
    ours = fit_random_intercepts(y, x, frame["respondent_id"].to_numpy(), units=units)

    respondent = float(np.asarray(theirs.vcomp)[0]) if nested else float(theirs.cov_re.iloc[0, 0])
    assert ours.converged
    assert ours.beta == pytest.approx(theirs.fe_params.to_numpy(), abs=FIXED_TOL)
    assert np.sqrt(np.diag(ours.cov_beta))[1] == pytest.approx(theirs.bse_fe.iloc[1], rel=0.05)
    assert ours.cluster_variance == pytest.approx(respondent, abs=VARIANCE_TOL)
    assert ours.sigma2 == pytest.approx(float(theirs.scale), abs=VARIANCE_TOL)
    if nested:
        assert ours.unit_variance == pytest.approx(
            float(theirs.cov_re.iloc[0, 0]), abs=VARIANCE_TOL
        )
    phi = [np.sqrt(respondent / theirs.scale)]
    if nested:
        phi.append(np.sqrt(max(float(theirs.cov_re.iloc[0, 0]), 0.0) / theirs.scale))
    sums = _sums(y, x, frame["respondent_id"].to_numpy(), units)
    assert ours.deviance <= _criterion(sums, np.array(phi)) + 1e-9


def test_row_order_changes_nothing_and_inputs_are_not_mutated():
    frame = _scores(3)
    y = frame["score"].to_numpy()
    x = np.column_stack([np.ones(len(frame)), frame["follow_up"].to_numpy()])
    clusters, units = frame["respondent_id"].to_numpy(), frame["unit"].to_numpy()
    copies = [a.copy() for a in (y, x, clusters, units)]
    fit = fit_random_intercepts(y, x, clusters, units=units)
    for a, b in zip((y, x, clusters, units), copies, strict=True):
        assert np.array_equal(a, b)
    order = np.random.default_rng(0).permutation(len(frame))
    shuffled = fit_random_intercepts(y[order], x[order], clusters[order], units=units[order])
    # sums in another order: the optimiser stops within its tolerance (~1e-6 on the ratios)
    assert shuffled.beta == pytest.approx(fit.beta, abs=1e-6)
    assert shuffled.unit_variance == pytest.approx(fit.unit_variance, abs=1e-6)
