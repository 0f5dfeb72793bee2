"""Properties of analysis.its beyond the R golden tests (test_its_golden.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.its import ITSDataError, ITSModel, automatic_hac_lag, design_matrix, fit_its


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
    # the change at the interruption (the end of the last pre period), where the post segment
    # extrapolated back meets it: -30 in the first post period minus one period of slope change
    assert est["level_change"] == pytest.approx(-30 + 1.5)
    assert est["slope_change"] == pytest.approx(-1.5)
    assert est["effect_0_absolute"] == pytest.approx(-30)
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
    x = design_matrix(
        p, intervention=pd.Timestamp("2017-04-15"), frequency="month", seasonality="month"
    )
    assert list(x["level"]) == [0, 0, 0, 1, 1, 1]
    assert list(x["slope"]) == [0, 0, 0, 1, 2, 3]
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
    with pytest.raises(ITSDataError, match="at least 3"):
        fit_its(data, intervention=data["period"].iloc[-2])


@pytest.mark.parametrize(
    ("impact", "terms", "columns"),
    [
        ("level", ["pre_trend", "level_change"], ["intercept", "time", "level"]),
        ("slope", ["pre_trend", "slope_change"], ["intercept", "time", "slope"]),
        ("level_slope", ["pre_trend", "level_change", "slope_change"], None),
    ],
)
def test_impact_models_fit_only_their_terms(impact, terms, columns):
    data, start = _linear(noise=2)
    fit = fit_its(data, intervention=start, model=ITSModel(impact=impact, effect_times=(0, 5)))
    main = fit.estimates[~fit.estimates["term"].str.startswith("coef:")]
    assert main["term"].tolist() == [
        *terms,
        *(f"effect_{h}_{k}" for h in (0, 5) for k in ("absolute", "relative")),
    ]
    coefs = [t.removeprefix("coef:") for t in fit.estimates["term"] if t.startswith("coef:")]
    assert coefs == (columns or ["intercept", "time", "level", "slope"])
    diag = fit.diagnostics.set_index("diagnostic")["detail"]
    assert diag["impact"].startswith(impact)
    # the counterfactual drops exactly the intervention terms
    pre = fit.series[~fit.series["post"]]
    np.testing.assert_allclose(pre["fitted"], pre["counterfactual"])


def test_level_only_model_is_a_step():
    data, start = _linear()
    step = data.assign(value=100 + 2 * np.arange(len(data)) - 30 * (data["period"] >= start))
    fit = fit_its(step, intervention=start, model=ITSModel(impact="level", hac_lags=1))
    est = fit.estimates.set_index("term")["estimate"]
    assert est["level_change"] == pytest.approx(-30)
    assert est["effect_12_absolute"] == pytest.approx(-30)


@pytest.mark.parametrize(
    ("family", "interval", "reference"),
    [
        ("quasipoisson", "auto", "t"),
        ("quasipoisson", "wald_normal", "normal"),
        ("poisson", "auto", "normal"),
        ("poisson", "wald_t", "t"),
        ("gaussian", "auto", "t"),
        ("gaussian", "wald_normal", "normal"),
    ],
)
def test_interval_method_sets_the_quantile(family, interval, reference):
    from scipy import stats

    rng = np.random.default_rng(4)
    p = pd.date_range("2015-01-01", periods=30, freq="MS")
    data = pd.DataFrame({"period": p, "value": rng.poisson(50, 30).astype(float)})
    fit = fit_its(data, intervention=p[15], model=ITSModel(family=family, interval=interval))
    row = fit.estimates.set_index("term").loc["coef:time"]
    k = int(fit.diagnostics.set_index("diagnostic").loc["parameters", "estimate"])
    q = stats.t.ppf(0.975, 30 - k) if reference == "t" else stats.norm.ppf(0.975)
    assert row["ci_high"] - row["estimate"] == pytest.approx(q * row["std_error"], rel=1e-12)
    detail = fit.diagnostics.set_index("diagnostic").loc["interval", "detail"]
    assert detail.startswith(interval) and (("df" in detail) == (reference == "t"))


def test_control_difference_and_offset():
    rng = np.random.default_rng(8)
    p = pd.date_range("2016-01-01", periods=36, freq="MS")
    t = np.arange(36)
    control = 200 + 3 * t + rng.normal(0, 1, 36)
    treated = control + 10 - 8 * (t >= 18)
    data = pd.DataFrame({"period": p, "value": treated, "control": control})
    diff = fit_its(
        data,
        intervention=p[18],
        control="control",
        model=ITSModel(impact="level", control="difference"),
    )
    est = diff.estimates.set_index("term")["estimate"]
    assert est["level_change"] == pytest.approx(-8)
    assert est["pre_trend"] == pytest.approx(0, abs=1e-9)
    assert diff.formula.startswith("(value - control) ~ time + level")
    counts = data.assign(value=rng.poisson(np.exp(-1 - 0.4 * (t >= 18)) * 1000), control=1000.0)
    off = fit_its(
        counts,
        intervention=p[18],
        control="control",
        model=ITSModel(family="poisson", impact="level", control="offset"),
    )
    assert "offset(log(control))" in off.formula
    assert off.estimates.set_index("term").loc["level_change", "estimate"] == pytest.approx(
        np.exp(-0.4), rel=0.1
    )
    with pytest.raises(ValueError, match="control: difference needs family gaussian"):
        ITSModel(family="poisson", control="difference")


def test_missing_control_values_are_a_data_error():
    data, start = _linear()
    data = data.assign(control=1.0)
    data.loc[3, "control"] = np.nan
    with pytest.raises(ITSDataError, match="control series has missing values"):
        fit_its(data, intervention=start, control="control", model=ITSModel(control="difference"))


def test_formula_and_design_say_what_was_fitted():
    data, start = _linear()
    fit = fit_its(data, intervention=start, model=ITSModel(seasonality="fourier", fourier_order=1))
    assert (
        fit.formula
        == "value ~ time + level + slope + sin1 + cos1, family = gaussian (identity link, OLS)"
    )
    design = fit.diagnostics.set_index("diagnostic").loc["design", "detail"]
    assert "level = 1 from 2018-01 (time 24) on" in design
    assert "slope = periods since the interruption, level × (time − 23)" in design
