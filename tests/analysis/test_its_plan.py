"""The indicators plan around the ITS model: a control series found in the store's values, and a
series the model cannot be fitted to, which says why in the results instead of stopping the run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.columns import check_table
from analysis.indicators import analyse_indicators
from analysis.its import ITSModel, fit_its
from project.config import load_project


def _indicator(ind_id: str, **model) -> dict:
    return {
        "id": ind_id,
        "labels": {"sv": ind_id, "en": ind_id},
        "measure": "count",
        "direction": "lower",
        "frequency": "month",
        "units": ["north", "south"],
        "intervention": "2018-01-15",
        "model": {"type": "its", **model} if model else {"type": "none"},
    }


@pytest.fixture
def project(tmp_path):
    config = {
        "id": "its-plan",
        "name": {"sv": "Test", "en": "Test"},
        "period": {"start": "2016-01-01", "end": "2019-12-31"},
        "organisations": [],
        "staff_groups": [],
        "instruments": [],
        "waves": [],
        "indicators": [
            _indicator(
                "treated",
                family="gaussian",
                impact="level",
                hac_lags=1,
                effect_times=[6],
                control={"indicator": "comparison", "method": "difference"},
            ),
            _indicator("comparison"),
            _indicator("short", family="quasipoisson"),
        ],
    }
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return load_project(tmp_path)


def _values() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    periods = pd.date_range("2016-01-01", periods=36, freq="MS")
    t = np.arange(36)
    rows = []
    for unit, shift in (("north", 0.0), ("south", 50.0)):
        control = 300 + shift + 2 * t + rng.normal(0, 3, 36)
        treated = control + 20 - 12 * (periods >= "2018-01-01") + rng.normal(0, 1, 36)
        for ind, series in (("treated", treated), ("comparison", control)):
            rows += [(ind, unit, p, v) for p, v in zip(periods, series, strict=True)]
    rows += [("short", "north", p, 40.0 + i) for i, p in enumerate(periods[22:])]
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "period_start", "value"])
    frame["period"] = frame["period_start"].dt.strftime("%Y-%m")
    # the comparison series lacks two months in the south
    gap = (frame["indicator"] == "comparison") & (frame["unit"] == "south")
    frame = frame.drop(frame.index[gap][:2])
    return frame.assign(disaggregation="", denominator=np.nan)


def test_control_series_from_the_store(project):
    values = _values()
    tables = analyse_indicators(values, None, project=project)
    for name in ("its", "its_coefficients", "its_series", "its_diagnostics"):
        check_table(name, tables[name])
    its = tables["its"].set_index(["indicator", "unit", "term"])
    north = values[values["unit"] == "north"].pivot(
        index="period_start", columns="indicator", values="value"
    )
    expected = fit_its(
        north.reset_index().rename(columns={"period_start": "period", "treated": "value"}),
        intervention="2018-01-01",
        control="comparison",
        model=ITSModel(impact="level", hac_lags=1, control="difference", effect_times=(6,)),
    ).estimates.set_index("term")
    for term in ("pre_trend", "level_change", "effect_6_absolute"):
        got = its.loc[("treated", "north", term.replace("_6_", "_6m_"))]
        assert got["estimate"] == pytest.approx(expected.at[term, "estimate"], rel=1e-12)
        assert got["std_error"] == pytest.approx(expected.at[term, "std_error"], rel=1e-12)
    diag = tables["its_diagnostics"].set_index(["indicator", "unit", "diagnostic"])["detail"]
    assert diag[("treated", "north", "control")] == (
        "indicator comparison, unit north, method difference"
    )
    assert diag[("treated", "south", "control")].endswith(
        "2 period(s) without a control value left out"
    )
    assert diag[("treated", "north", "formula")].startswith("(value - control) ~ time + level,")
    n = tables["its_diagnostics"].set_index(["indicator", "unit", "diagnostic"])["estimate"]
    assert n[("treated", "south", "n")] == 34


def test_a_series_too_short_for_the_model_says_why(project):
    tables = analyse_indicators(_values(), None, project=project)
    short = tables["its_diagnostics"]
    short = short[short["indicator"] == "short"]
    assert short["diagnostic"].tolist() == ["not_fitted"]
    assert short["detail"].iloc[0] == (
        "need at least 3 periods before and 3 after the intervention; found 2 before and 12 after"
    )
    assert "short" not in set(tables["its"]["indicator"])
