"""The Lopez Bernal, Cummins & Gasparrini (2017) ITS tutorial reproduced through the project's own
interfaces: its published Sicily data as an indicator file, the tutorial's models declared in
project.yaml, the real indicator ingest, and the indicators plan on the store.

Reference: ``tests/analysis/r/sicily_golden.csv``, written by ``Rscript
tests/analysis/r/sicily_golden.R`` (R 4.2.2, Epi 2.47), which runs the models of the tutorial's
published R code (``Rcode.R``) on its published data (``tests/data/reference/``): model1 (Poisson),
model2 (quasi-Poisson), model3 (quasi-Poisson with ``harmonic(month, 2, 12)``, the tutorial's main
model), model4 (model3 plus ``I(time - 36):smokban``) and, not in the tutorial, the slope-only model.
The offset is ``log(stdpop)``, the age-standardised population of the tutorial's models. The tutorial
prints intervals from ``Epi::ci.exp`` (the normal quantile, ``interval: wald_normal``); the t
intervals (``interval: wald_t``) are ``exp(b ± qt(0.975, n − k)·se)``. Tolerance: 1e-6 relative
(the issue asks for 1e-4; the script tightens ``glm``'s convergence tolerance to 1e-12).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from flows.analyse import results_of
from ingest.indicators import ingest_indicators

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "reference" / "sicily_lopez_bernal_2017.csv"
GOLDEN = HERE / "r" / "sicily_golden.csv"
TOL = 1e-6

#: indicator id -> (R model, family, impact, seasonality, interval)
MODELS = {
    "m1_poisson": ("m1", "poisson", "level", "none", "wald_normal"),
    "m2_normal": ("m2", "quasipoisson", "level", "none", "wald_normal"),
    "m2_t": ("m2", "quasipoisson", "level", "none", "wald_t"),
    "m3_normal": ("m3", "quasipoisson", "level", "fourier", "wald_normal"),
    "m3_t": ("m3", "quasipoisson", "level", "fourier", "wald_t"),
    "m4_normal": ("m4", "quasipoisson", "level_slope", "fourier", "wald_normal"),
    "m4_t": ("m4", "quasipoisson", "level_slope", "fourier", "wald_t"),
    "m5_normal": ("m5", "quasipoisson", "slope", "fourier", "wald_normal"),
}
#: our term -> R's coefficient
TERMS = {
    "level_change": ("smokban",),
    "slope_change": ("smokban:I(time - 36)", "I(time - 36):smokban"),
    "pre_trend": ("time",),
}


def _indicator(ind_id: str, family: str, impact: str, season: str, interval: str) -> dict:
    return {
        "id": ind_id,
        "labels": {"sv": "Akuta koronara händelser", "en": "Acute coronary events"},
        "measure": "count",
        "direction": "lower",
        "frequency": "month",
        "intervention": "2005-01-10",
        "denominator_unit": {"sv": "standardiserad befolkning", "en": "standardised population"},
        "model": {
            "type": "its",
            "family": family,
            "impact": impact,
            "interval": interval,
            "offset": True,
            "seasonality": season,
            "fourier_order": 2,
            "effect_times": [0, 12],
        },
    }


@pytest.fixture(scope="module")
def its_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    project = tmp_path_factory.mktemp("sicily")
    config = {
        "id": "sicily-tutorial",
        "name": {"sv": "Rökförbudet på Sicilien", "en": "The Sicilian smoking ban"},
        "period": {"start": "2002-01-01", "end": "2006-12-31"},
        "organisations": [],
        "staff_groups": [],
        "instruments": [],
        "waves": [],
        "indicators": [_indicator(i, *spec[1:]) for i, spec in MODELS.items()],
    }
    (project / "project.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    data = pd.read_csv(DATA)
    period = data["year"].astype(str) + "-" + data["month"].map("{:02d}".format)
    export = pd.concat(
        pd.DataFrame(
            {"indicator": i, "unit": "all", "period": period}
            | {"value": data["aces"], "denominator": data["stdpop"]}
        )
        for i in MODELS
    )
    file = project / "indicators_sicily.csv"
    export.to_csv(file, index=False)
    report = ingest_indicators(project, file)
    assert report.rows_loaded == report.rows_read == 59 * len(MODELS)
    return results_of(project, "indicators")


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, comment="#", skipinitialspace=True)


def _close(ours: float, theirs: float) -> None:
    assert ours == pytest.approx(theirs, rel=TOL, abs=1e-12)


@pytest.mark.parametrize("indicator", sorted(MODELS))
def test_tutorial_models_through_the_ingest(its_tables, golden, indicator):
    model, _, _, _, interval = MODELS[indicator]
    side = "normal" if interval == "wald_normal" else "t"
    theirs = golden[golden["model"] == model].set_index("term")
    its = its_tables["its"]
    ours = its[its["indicator"] == indicator].set_index("term")
    names = {t: next((r for r in rs if r in theirs.index), None) for t, rs in TERMS.items()}
    terms = [t for t, r in names.items() if r is not None]
    assert sorted(t for t in ours.index if not t.startswith("effect_")) == sorted(terms)
    for term in terms:
        r = theirs.loc[names[term]]
        row = ours.loc[term]
        assert row["effect_scale"] == "ratio"
        _close(row["estimate"], r["ratio"])
        _close(row["std_error"], r["std_error"])
        _close(row["ci_low"], r[f"ci_low_{side}"])
        _close(row["ci_high"], r[f"ci_high_{side}"])
        _close(row["p_value"], r[f"p_{side}"])
    coefs = its_tables["its_coefficients"]
    coefs = coefs[coefs["indicator"] == indicator].set_index("term")
    for term in (t for t in theirs.index if t.startswith("H")):
        _close(coefs.at[term.removeprefix("H"), "estimate"], theirs.at[term, "estimate"])
        _close(coefs.at[term.removeprefix("H"), "std_error"], theirs.at[term, "std_error"])
    diagnostics = its_tables["its_diagnostics"]
    diag = diagnostics[diagnostics["indicator"] == indicator].set_index("diagnostic")
    if model != "m1":  # summary.glm's dispersion of the quasi-Poisson models
        _close(diag.at["dispersion", "estimate"], theirs["dispersion"].iloc[0])


def test_the_tutorials_main_model_as_published(its_tables):
    """The seasonally adjusted quasi-Poisson step-change model: RR 0.885 (0.839–0.933), as the
    tutorial's code prints it with Epi::ci.exp (values to 12 digits from sicily_golden.csv)."""
    its = its_tables["its"].set_index(["indicator", "term"])
    row = its.loc[("m3_normal", "level_change")]
    assert row["estimate"] == pytest.approx(0.885071547244, abs=1e-4)
    assert row["ci_low"] == pytest.approx(0.839400955659, abs=1e-4)
    assert row["ci_high"] == pytest.approx(0.933227009643, abs=1e-4)
    # a step change only: the effect is the same at the first post period and 12 months on
    assert its.loc[("m3_normal", "effect_0m_relative"), "estimate"] == pytest.approx(
        row["estimate"]
    )
    assert its.loc[("m3_normal", "effect_12m_relative"), "estimate"] == pytest.approx(
        row["estimate"]
    )


def test_the_formula_is_the_one_fitted(its_tables):
    diagnostics = its_tables["its_diagnostics"]
    diag = diagnostics[diagnostics["indicator"] == "m4_normal"].set_index("diagnostic")["detail"]
    assert diag["formula"] == (
        "value ~ time + level + slope + sin1 + cos1 + sin2 + cos2 + offset(log(denominator)), "
        "family = quasipoisson (log link)"
    )
    assert "level = 1 from 2005-01 (time 36) on" in diag["design"]
    assert "level × (time − 35)" in diag["design"]
    assert diag["interval"].startswith("wald_normal")
    assert diag["intervention"] == "2005-01-10 (first post period 2005-01)"
