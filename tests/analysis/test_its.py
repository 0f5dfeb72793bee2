"""Properties of analysis.its beyond the R golden tests (test_its_golden.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.its import ITSModel, automatic_hac_lag, design_matrix, fit_its


def _linear(n_pre=24, n_post=14, noise=0.0, seed=1):
    rng = np.random.default_rng(seed)
    p = pd.date_range("2016-01-01", periods=n_pre + n_post, freq="MS")
    t = np.arange(n_pre + n_post, dtype=float)
    post = (t >= n_pre).astype(float)
    y = 100 + 2 * t - 30 * post - 1.5 * post * (t - n_pre) + rng.normal(0, noise, t.size)
    return pd.DataFrame({"period": p, "value": y}), p[n_pre]


def test_recovers_exact_segments_and_effects():
    data, start = _linear()
    fit = fit_its(data, intervention=start, model=ITSModel(hac_lags=2, effect_times=(0, 12, 99)))
    est = fit.estimates.set_index("term")["estimate"]
    assert est["pre_trend"] == pytest.approx(2)
    assert est["level_change"] == pytest.approx(-30)
    assert est["slope_change"] == pytest.approx(-1.5)
    assert est["effect_12_absolute"] == pytest.approx(-30 - 1.5 * 12)
    cf = 100 + 2 * (24 + 12)
    assert est["effect_12_relative"] == pytest.approx((cf - 48) / cf)
    assert "effect_99_absolute" not in est.index  # beyond the data


def test_counterfactual_equals_fitted_before_and_input_untouched():
    data, start = _linear(noise=3)
    copy = data.copy()
    fit = fit_its(data, intervention=start)
    pd.testing.assert_frame_equal(data, copy)
    pre = fit.series[~fit.series["post"]]
    np.testing.assert_allclose(pre["fitted"], pre["counterfactual"])
    assert (fit.series["fitted_ci_low"] <= fit.series["fitted"]).all()
    diag = fit.diagnostics.set_index("diagnostic")
    assert diag.loc["hac_lag", "estimate"] == automatic_hac_lag(len(data))
    assert {"durbin_watson", "ljung_box", "breusch_godfrey"} <= set(diag.index)


def test_row_order_changes_nothing():
    data, start = _linear(noise=3)
    a = fit_its(data, intervention=start).estimates
    b = fit_its(data.sample(frac=1, random_state=3), intervention=start).estimates
    pd.testing.assert_frame_equal(a, b)


def test_design_matrix_terms():
    p = pd.Series(pd.date_range("2017-01-01", periods=6, freq="MS"))
    x = design_matrix(p, intervention=pd.Timestamp("2017-04-15"), frequency="month",
                      seasonality="month")  # fmt: skip
    assert list(x["level"]) == [0, 0, 0, 1, 1, 1]
    assert list(x["slope"]) == [0, 0, 0, 0, 1, 2]
    assert "season12" in x.columns and "season1" not in x.columns


def test_count_model_ratio_scale_and_overdispersion():
    rng = np.random.default_rng(5)
    p = pd.date_range("2015-01-01", periods=40, freq="MS")
    t = np.arange(40)
    den = np.full(40, 1000.0)
    y = rng.poisson(rng.gamma(10, den * np.exp(-3 - 0.5 * (t >= 20)) / 10))
    data = pd.DataFrame({"period": p, "value": y, "den": den})
    fit = fit_its(
        data, intervention=p[20], model=ITSModel(family="quasipoisson"), denominator="den"
    )
    row = fit.estimates.set_index("term").loc["level_change"]
    assert row["effect_scale"] == "ratio" and row["ci_low"] < row["estimate"] < row["ci_high"]
    assert fit.diagnostics.set_index("diagnostic").loc["dispersion", "estimate"] > 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": {"family": "gaussian"}, "denominator": "value"}, "count family"),
        ({"model": {"family": "logit"}}, "family must be"),
    ],
)
def test_bad_options(kwargs, message):
    data, start = _linear()
    with pytest.raises(ValueError, match=message):
        fit_its(
            data,
            intervention=start,
            model=ITSModel(**kwargs["model"]),
            denominator=kwargs.get("denominator"),
        )


def test_too_few_periods():
    data, _ = _linear()
    with pytest.raises(ValueError, match="at least 3"):
        fit_its(data, intervention=data["period"].iloc[-2])
