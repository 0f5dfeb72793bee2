"""Inter-coder agreement: golden tests against published worked examples and R ``psych``.

Published references (tolerance 5e-4: the sources print three decimals)
- Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
  Communication, https://repository.upenn.edu/asc_papers/43 -- section A ("binary or dichotomous
  data, two observers, no missing data"): alpha = 0.095; section C ("nominal data, any number of
  observers, missing data"): four observers, twelve units, alpha = 0.743.
- Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted kappa.
  Psychol Bull 72:323-327, table 1: 200 subjects, three categories, kappa = .429.

R references (tolerance 1e-10; R wrote 17 significant digits): ``tests/analysis/r/agreement_golden.csv``
from ``Rscript tests/analysis/r/agreement_golden.R`` (R 4.2.2 Patched (2022-11-10 r83330),
psych 2.2.9): psych::cohen.kappa kappa, var.kappa and the 95 % bounds. R is not needed to run these.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.agreement import coincidence_matrix, krippendorff_alpha_nominal, percent_agreement
from analysis.agreement_tables import AGREEMENT_COLUMNS, agreement_by_code
from analysis.coding_decisions import coding_decisions
from analysis.kappa import cohen_kappa, cohen_kappa_from_table
from tests.analysis.agreement_data import KRIPP_C, long
from tests.conftest import REPO

R_FILE = REPO / "tests" / "analysis" / "r" / "agreement_golden.csv"
PUBLISHED_TOL = 5e-4
R_TOL = 1e-10
NAN = math.nan

# Krippendorff (2011), section A: two observers, ten units, binary.
KRIPP_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
FLEISS_1969 = [[106, 10, 4], [22, 28, 10], [2, 12, 6]]
SYNTHETIC30 = {
    "a": [1, 1, 2, 3, 1, 2, 2, 3, 3, 1, 2, 1, 1, 3, 2, 2, 1, 3, 3, 2, 1, 1, 2, 3, 1, 2, 3, 3, 1, 2],
    "b": [1, 2, 2, 3, 1, 2, 1, 3, 2, 1, 2, 1, 3, 3, 2, 2, 1, 3, 1, 2, 1, 1, 2, 3, 2, 2, 3, 3, 1, 1],
}  # same as in agreement_golden.R


@pytest.fixture(scope="module")
def r_golden() -> pd.DataFrame:
    return pd.read_csv(R_FILE, comment="#", skipinitialspace=True).set_index("case")


def test_alpha_krippendorff_2011_section_c() -> None:
    result = krippendorff_alpha_nominal(long(KRIPP_C))
    assert result.estimate == pytest.approx(0.743, abs=PUBLISHED_TOL)
    # The paper's n (pairable values) is 40; unit 12 has one value and is not pairable.
    assert result.n_values == 40
    assert result.n_units == 11
    assert result.n_coders == 4


def test_coincidence_matrix_krippendorff_2011_section_c() -> None:
    o = coincidence_matrix(long(KRIPP_C))
    # Marginals n_c printed in the paper's coincidence matrix: 9, 13, 10, 5, 3 (n = 40).
    assert o.sum(axis=1).round(10).tolist() == [9, 13, 10, 5, 3]
    np.testing.assert_allclose(o.to_numpy(), o.to_numpy().T)


def test_alpha_krippendorff_2011_section_a_binary() -> None:
    result = krippendorff_alpha_nominal(long(KRIPP_A))
    assert result.estimate == pytest.approx(0.095, abs=PUBLISHED_TOL)
    assert result.n_values == 20


def test_kappa_fleiss_cohen_everitt_1969() -> None:
    assert cohen_kappa_from_table(FLEISS_1969).estimate == pytest.approx(0.429, abs=PUBLISHED_TOL)


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("fleiss1969", lambda: cohen_kappa_from_table(FLEISS_1969)),
        ("krippendorff2011_a", lambda: cohen_kappa(long(KRIPP_A, ["a", "b"]))),
        (
            "synthetic30",
            lambda: cohen_kappa(long([SYNTHETIC30["a"], SYNTHETIC30["b"]], ["a", "b"])),
        ),
    ],
)
def test_kappa_matches_psych(r_golden: pd.DataFrame, case: str, make) -> None:
    expected = r_golden.loc[case]
    result = make()
    assert result.estimate == pytest.approx(expected["kappa"], abs=R_TOL)
    assert result.ci_low == pytest.approx(expected["ci_low"], abs=R_TOL)
    assert result.ci_high == pytest.approx(expected["ci_high"], abs=R_TOL)
    assert result.n_units == expected["n"]


def test_percent_agreement_two_and_more_coders() -> None:
    assert percent_agreement(long(KRIPP_A)).estimate == pytest.approx(0.6)
    # Section C: 43 agreeing pairs of 55 pairs within units (units 1-11).
    assert percent_agreement(long(KRIPP_C)).estimate == pytest.approx(43 / 55)


def test_undefined_cases_give_nan_not_errors() -> None:
    same = long([[1, 1, 1], [1, 1, 1]])
    assert math.isnan(krippendorff_alpha_nominal(same).estimate)
    assert math.isnan(cohen_kappa(same).estimate)
    assert percent_agreement(same).estimate == 1.0
    lonely = long([[1, NAN], [NAN, 2]])
    assert math.isnan(krippendorff_alpha_nominal(lonely).estimate)
    assert krippendorff_alpha_nominal(lonely).n_units == 0


def test_kappa_refuses_three_coders() -> None:
    with pytest.raises(ValueError, match="exactly two coders"):
        cohen_kappa(long(KRIPP_C))


def test_order_of_rows_changes_nothing_and_input_is_kept() -> None:
    data = long(KRIPP_C)
    before = data.copy()
    shuffled = data.sample(frac=1, random_state=3)
    assert krippendorff_alpha_nominal(shuffled).estimate == pytest.approx(
        krippendorff_alpha_nominal(data).estimate, abs=1e-12
    )
    pd.testing.assert_frame_equal(data, before)


def codings_frame() -> pd.DataFrame:
    """Two documents: d1 coded by a and b (segments overlap differently), d2 by a only."""
    rows = [
        ("d1", "a", "x", 0, 100, "s1"),
        ("d1", "b", "x", 10, 100, "s1b"),  # overlaps s1 by 90 of 90 -> same unit
        ("d1", "a", "y", 200, 300, "s2"),
        ("d1", "b", "x", 200, 260, "s2b"),  # overlaps by 60/60 -> same unit, other code
        ("d1", "b", "y", 400, 450, "s3"),  # only b coded here
        ("d2", "a", "x", 0, 50, "t1"),
    ]
    return pd.DataFrame(
        rows, columns=["document_id", "coder", "code", "start", "end", "segment_id"]
    )


def test_coding_decisions_segment_units() -> None:
    dec = coding_decisions(codings_frame(), unit_of_analysis="segment")
    assert set(dec["document"]) == {"d1"}  # d2 is single-coded
    assert dec["unit"].nunique() == 3
    wide = dec.pivot_table(index=["unit", "code"], columns="coder", values="value")
    assert wide.loc[("d1#0", "x")].tolist() == [1, 1]
    assert wide.loc[("d1#1", "x")].tolist() == [0, 1]
    assert wide.loc[("d1#1", "y")].tolist() == [1, 0]
    assert wide.loc[("d1#2", "y")].tolist() == [0, 1]


def test_coding_decisions_overlap_threshold() -> None:
    frame = codings_frame()
    frame.loc[1, "start"] = 80  # now b's segment [80, 100) overlaps a's by 20 of 20 -> still same
    assert coding_decisions(frame, unit_of_analysis="segment")["unit"].nunique() == 3
    frame.loc[1, ["start", "end"]] = [90, 300]  # overlap 10 of 100 (shorter) -> separate
    frame.loc[2, ["start", "end"]] = [310, 320]
    frame.loc[3, ["start", "end"]] = [330, 340]
    assert (
        coding_decisions(frame, unit_of_analysis="segment", min_overlap=0.5)["unit"].nunique() == 5
    )


def test_coding_decisions_document_units() -> None:
    dec = coding_decisions(codings_frame(), unit_of_analysis="document")
    assert dec["unit"].unique().tolist() == ["d1"]
    assert dec.groupby("coder")["value"].sum().to_dict() == {"a": 2, "b": 2}


def test_agreement_by_code_columns_and_levels() -> None:
    dec = coding_decisions(codings_frame(), unit_of_analysis="segment")
    out = agreement_by_code(dec, unit_of_analysis="segment", construct_of={"x": "X", "y": "X"})
    assert tuple(out.columns) == AGREEMENT_COLUMNS
    assert set(out["unit_of_analysis"]) == {"segment"}
    assert set(out["code_level"]) == {"code", "construct", "all"}
    assert set(out["measure"]) == {
        "percent_agreement",
        "cohen_kappa",
        "brennan_prediger_kappa",
        "krippendorff_alpha",
    }
    assert set(out["coders"]) == {"a;b"}
    pooled = out[(out["code_level"] == "all")].set_index("measure")
    assert pooled.loc["percent_agreement", "n_units"] == 6  # 3 segments x 2 codes
    assert pooled.loc["percent_agreement", "estimate"] == pytest.approx(3 / 6)


@pytest.mark.parametrize("seed", range(40))
def test_the_agreement_table_is_crosstab_of_the_two_coders(seed: int) -> None:
    """``_agreement_table`` (one bincount) counts as ``pd.crosstab`` of the two coders'
    categoricals does: units either coder left empty are not counted; every category is a row and
    a column, in the domain's order (values outside it never reach it: cohen_kappa refuses them)."""
    from analysis.kappa import _agreement_table

    rng = np.random.default_rng(seed)
    domain = ["yes", "no", "unsure"][: int(rng.integers(1, 4))]
    values = np.array([*domain, None], dtype=object)
    n = int(rng.integers(0, 40))
    first = pd.Series(rng.choice(values, n), dtype=object)
    second = pd.Series(rng.choice(values, n), dtype=object)
    reference = pd.crosstab(
        pd.Categorical(first, categories=domain),
        pd.Categorical(second, categories=domain),
        dropna=False,
    ).reindex(index=domain, columns=domain, fill_value=0)
    np.testing.assert_array_equal(_agreement_table(first, second, domain), reference.to_numpy())
