"""Agreement at every level of measurement, weighted kappa, Fleiss' and Brennan–Prediger kappa and
alpha's bootstrap interval: golden tests against published worked examples and R.

Published references (tolerance 5e-4 where the source prints three decimals, 5e-5 for four):

- Krippendorff K (2011). Computing Krippendorff's alpha-reliability,
  https://repository.upenn.edu/asc_papers/43 — data C (4 observers × 12 units, missing values):
  nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797 (ordinal and ratio also in the
  ``krippendorff`` package's own tests).
- Krippendorff K (2004). Content Analysis, 2nd ed., section 11.3.3 (3 observers × 15 units):
  nominal 0.691, ordinal 0.807, interval 0.811 (the SPSS KALPHA macro's output as quoted in
  alexschlegel/matlab_lib statistics/kriAlpha.m; nominal 0.691358 and interval 0.810845 in the
  ``krippendorff`` package's tests).
- Hayes AF, Krippendorff K (2007). Commun Methods Meas 1:77–89, table 1 (40 units × 5 observers):
  ordinal alpha .7598.
- Cohen J (1968). Weighted kappa. Psychol Bull 70:213–220: kappa .492, weighted kappa .348 with
  disagreement weights 0, 1, 3, 6 (the example of ``psych::cohen.kappa``'s help).
- Fleiss JL, Cohen J, Everitt BS (1969), table 1: kappa .429.
- SAS PROC FREQ on statsmodels' test table ``table10`` (reproduced in statsmodels'
  ``test_inter_rater.py``): kappa 0.4842 (ASE 0.1380), linear weighted kappa 0.4701 (ASE 0.1457,
  CI 0.1845–0.7558).
- Fleiss JL (1971). Psychol Bull 76:378–382: 30 patients × 6 raters, kappa .430 (R
  ``irr::kappam.fleiss(diagnoses)`` 0.4302445, as statsmodels' tests quote it).
- Gwet KL (2014). Handbook of Inter-Rater Reliability, 4th ed., p. 120 data (= Krippendorff's C with
  another missing pattern, irrCAC ``raw_4raters``): Brennan–Prediger p_a 0.818, kappa 0.773; and
  ``cont3x3abstractors``: 0.835 (irrCAC's tests).

R references (``tests/analysis/r/agreement_levels_golden.csv`` from ``Rscript
tests/analysis/r/agreement_levels_golden.R``, R 4.2.2, psych 2.2.9; irr's and Gwet's formulas written
out, the Fleiss–Cohen–Everitt SE written out): estimates and standard errors to 1e-10. The bootstrap
(Hayes & Krippendorff's algorithm written out in R, 200000 replicates, set.seed(20070401)) against
ours (200000 replicates, numpy seed 20070401): bounds within 0.005 (Monte Carlo error, about 0.001 at
this number of replicates).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.agreement import Bootstrap, krippendorff_alpha
from analysis.agreement_bootstrap import alpha_bootstrap, distances
from analysis.kappa import brennan_prediger_kappa, cohen_kappa, cohen_kappa_from_table, fleiss_kappa
from tests.analysis.agreement_data import COHEN_1968, COHEN_WEIGHTS, KRIPP_15, KRIPP_C, NAN, long
from tests.conftest import REPO

R_FILE = REPO / "tests" / "analysis" / "r" / "agreement_levels_golden.csv"
LEVELS = ("nominal", "ordinal", "interval", "ratio")

# Hayes & Krippendorff (2007), table 1: one string per unit, observers 1-5, "." = not coded.
HK = (
    "1112.2 21101. 32333. 4.00.0 5000.0 6000.0 7102.1 81.20. 9222.2 102111. 11.100. 120000. "
    "131222. 1433223 15111.1 16111.1 17212.2 181233. 191101. 20000.0 210011. 2200.00 232333. "
    "240000. 2512.22 260111. 2700010 281212. 291122. 30112.2 31110.0 322121. 3322.22 343222. "
    "35222.2 36223.2 37222.2 3822.12 392222. 40111.1"
)
FLEISS_1969 = [[106, 10, 4], [22, 28, 10], [2, 12, 6]]
TABLE10 = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
# Fleiss (1971) as irr's `diagnoses`: 30 patients x 6 raters.
DIAGNOSES = """444444 222555 233335 555555 222444 113333 333355 113334 114444 555555 144444 124444
222333 144444 224445 333335 111455 111112 224444 133555 555555 244444 224555 114444 144445 222224
111155 224444 133333 555555"""


def hayes_krippendorff() -> pd.DataFrame:
    rows = []
    for i, unit in enumerate(HK.split(), start=1):
        values = unit[len(str(i)) :]
        rows += [
            {"unit": i, "coder": f"obs{j + 1}", "value": int(v)}
            for j, v in enumerate(values)
            if v != "."
        ]
    return pd.DataFrame(rows)


def table_ratings(table: list[list[float]]) -> pd.DataFrame:
    rows, unit = [], 0
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            for _ in range(int(count)):
                unit += 1
                rows += [
                    {"unit": unit, "coder": "a", "value": i},
                    {"unit": unit, "coder": "b", "value": j},
                ]
    return pd.DataFrame(rows)


DATA = {
    "kripp_c": lambda: long(KRIPP_C),
    "kripp_15": lambda: long(KRIPP_15),
    "hk": hayes_krippendorff,
}


@pytest.fixture(scope="module")
def r_golden() -> pd.DataFrame:
    return pd.read_csv(R_FILE, comment="#", skipinitialspace=True, na_values=["NA"])


def _r(r_golden: pd.DataFrame, case: str, measure: str, metric: str) -> pd.Series:
    rows = r_golden[
        (r_golden["case"] == case)
        & (r_golden["measure"] == measure)
        & (r_golden["metric"] == metric)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("case", "published", "tol"),
    [
        ("kripp_c", {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}, 5e-4),
        ("kripp_15", {"nominal": 0.691, "ordinal": 0.807, "interval": 0.811}, 5e-4),
        ("hk", {"ordinal": 0.7598}, 5e-5),
    ],
)
def test_alpha_at_every_level_reproduces_the_published_values(case, published, tol):
    for level, value in published.items():
        assert krippendorff_alpha(DATA[case](), level=level).estimate == pytest.approx(
            value, abs=tol
        )


@pytest.mark.parametrize("case", sorted(DATA))
@pytest.mark.parametrize("level", LEVELS)
def test_alpha_matches_r_and_its_bootstrap_matches_hayes_krippendorff(r_golden, case, level):
    expected = _r(r_golden, case, "krippendorff_alpha", level)
    result = krippendorff_alpha(DATA[case](), level=level, bootstrap=Bootstrap(200_000, 20070401))
    assert result.estimate == pytest.approx(expected["estimate"], abs=1e-10)
    assert result.ci_low == pytest.approx(expected["ci_low"], abs=0.005)
    assert result.ci_high == pytest.approx(expected["ci_high"], abs=0.005)
    assert result.metric == level and "Hayes & Krippendorff" in result.method


def test_alpha_with_declared_categories_and_scores():
    """Codes as categories: the order and the numbers come from the declaration, not the labels."""
    codes = {1: "low", 2: "some", 3: "mid", 4: "much", 5: "high"}
    data = long(KRIPP_C)
    data["value"] = data["value"].map(codes)
    categories = list(codes.values())
    for level, value in (("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)):
        result = krippendorff_alpha(data, level=level, categories=categories)
        assert result.estimate == pytest.approx(value, abs=5e-4)
    shifted = krippendorff_alpha(
        data, level="interval", categories=categories, scores=[2, 4, 6, 8, 10]
    )
    assert shifted.estimate == pytest.approx(0.849, abs=5e-4)  # interval alpha ignores the scale


@pytest.mark.parametrize(
    ("table", "weights", "published", "tol"),
    [
        (COHEN_1968, None, 0.492, 5e-4),
        (COHEN_1968, COHEN_WEIGHTS, 0.348, 5e-4),
        (FLEISS_1969, None, 0.429, 5e-4),
        (TABLE10, None, 0.4842, 5e-5),
        (TABLE10, "linear", 0.4701, 5e-5),
    ],
)
def test_kappa_reproduces_the_published_values(table, weights, published, tol):
    assert cohen_kappa_from_table(table, weights=weights).estimate == pytest.approx(
        published, abs=tol
    )


def test_weighted_kappa_standard_error_as_sas():
    result = cohen_kappa_from_table(TABLE10, weights="linear")
    assert result.std_error == pytest.approx(0.1457, abs=5e-5)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.1845, 0.7558), abs=5e-5)


@pytest.mark.parametrize(
    ("case", "table", "metric", "weights"),
    [
        ("cohen1968", COHEN_1968, "unweighted", None),
        ("cohen1968", COHEN_1968, "linear", "linear"),
        ("cohen1968", COHEN_1968, "quadratic", "quadratic"),
        ("cohen1968", COHEN_1968, "custom", COHEN_WEIGHTS),
        ("fleiss1969", FLEISS_1969, "linear", "linear"),
        ("fleiss1969", FLEISS_1969, "quadratic", "quadratic"),
        ("table10", TABLE10, "unweighted", None),
        ("table10", TABLE10, "quadratic", "quadratic"),
    ],
)
def test_kappa_and_its_standard_error_match_r(r_golden, case, table, metric, weights):
    expected = _r(r_golden, case, "cohen_kappa", metric)
    result = cohen_kappa_from_table(table, weights=weights)
    assert result.metric == metric
    for ours, theirs in (
        (result.estimate, expected["estimate"]),
        (result.std_error, expected["std_error"]),
        (result.ci_low, expected["ci_low"]),
        (result.ci_high, expected["ci_high"]),
    ):
        assert ours == pytest.approx(theirs, abs=1e-10)


def test_weighted_kappa_from_ratings_with_declared_categories():
    ratings = table_ratings(COHEN_1968)
    ratings["value"] = ratings["value"].map({0: "x", 1: "y", 2: "z"})
    result = cohen_kappa(ratings, categories=["x", "y", "z"], weights=COHEN_WEIGHTS)
    assert result.estimate == pytest.approx(0.348, abs=5e-4)
    assert result.coders == ("a", "b") and result.n_units == 200


def test_fleiss_kappa_matches_fleiss_1971_and_r(r_golden):
    rows = [
        {"unit": i, "coder": f"r{j}", "value": int(v)}
        for i, unit in enumerate(DIAGNOSES.split())
        for j, v in enumerate(unit)
    ]
    result = fleiss_kappa(pd.DataFrame(rows))
    assert result.estimate == pytest.approx(0.430, abs=5e-4)
    assert result.estimate == pytest.approx(
        _r(r_golden, "diagnoses", "fleiss_kappa", "nominal")["estimate"], abs=1e-10
    )
    assert (result.n_units, result.n_coders) == (30, 6)
    complete = fleiss_kappa(long(KRIPP_C))  # units 1-9 minus unit 1 (observer C missing)
    assert complete.estimate == pytest.approx(
        _r(r_golden, "kripp_c", "fleiss_kappa", "nominal")["estimate"], abs=1e-10
    )
    assert complete.n_units == 8


def test_brennan_prediger_kappa_matches_gwet_and_r(r_golden):
    result = brennan_prediger_kappa(long(KRIPP_C), categories=[1, 2, 3, 4, 5])
    assert result.estimate == pytest.approx(0.773, abs=5e-4)
    assert result.estimate == pytest.approx(
        _r(r_golden, "kripp_c", "brennan_prediger_kappa", "nominal")["estimate"], abs=1e-10
    )
    two = brennan_prediger_kappa(table_ratings(ABSTRACTORS))
    assert two.estimate == pytest.approx(0.835, abs=5e-4)
    assert two.estimate == pytest.approx(
        _r(r_golden, "abstractors", "brennan_prediger_kappa", "nominal")["estimate"], abs=1e-10
    )


def test_the_bootstrap_is_reproducible_and_respects_its_edges():
    o = np.array([[10.0, 2.0], [2.0, 6.0]])
    delta = distances(o, np.array([0.0, 1.0]), "nominal")
    first = alpha_bootstrap(o, delta, coders=2, bootstrap=Bootstrap(2000, 5))
    assert first == alpha_bootstrap(o, delta, coders=2, bootstrap=Bootstrap(2000, 5))
    low, high, note = first
    assert -1 <= low < high <= 1 and note == ""
    perfect = alpha_bootstrap(np.diag([4.0, 6.0]), delta, coders=2, bootstrap=Bootstrap(100, 1))
    assert math.isnan(perfect[0]) and "does not apply" in perfect[2]


def test_what_cannot_be_computed_is_empty_with_a_reason():
    same = long([[1, 1, 1], [1, 1, 1]])
    for result in (
        krippendorff_alpha(same),
        cohen_kappa(same),
        fleiss_kappa(same),
        brennan_prediger_kappa(same),
    ):
        assert math.isnan(result.estimate) and result.note, result.measure
    lonely = long([[1, NAN], [NAN, 2]])
    assert krippendorff_alpha(lonely, level="interval").note == "no unit was judged by two coders"
    assert not math.isnan(brennan_prediger_kappa(same, categories=[1, 2]).estimate)
