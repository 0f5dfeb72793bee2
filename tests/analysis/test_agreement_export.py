"""Code-as-category agreement through a codings export: the published worked examples written as a
MAXQDA coded-segment export, declared as code groups in project.yaml, loaded by the real codings
ingest and analysed by the codings plan.

- Krippendorff (2011), data C: four coders give each of twelve segments one of five codes (one
  coder leaves some out); alpha nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
- Cohen (1968): two coders give 200 segments one of three codes; kappa .492, weighted kappa .348
  with disagreement weights 0, 1, 3, 6.

Published values print three decimals: tolerance 5e-4 (the public-API tests in
``test_agreement_levels.py`` check the same numbers against R to 1e-10).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from flows.analyse import results_of
from ingest.codings import ingest_codings
from tests.analysis.agreement_data import COHEN_1968, COHEN_WEIGHTS, KRIPP_C

CODERS = ["Anna Ek", "Bo Berg", "Carl Dahl", "Dora Falk"]
HEADER = ["Document group", "Document name", "Code", "Beginning", "End", "Segment", "Created by"]


def _project() -> dict:
    code = lambda i, label: {"id": i, "labels": {"sv": label, "en": label}}  # noqa: E731
    return {
        "id": "agreement-export",
        "name": {"sv": "Överensstämmelse", "en": "Agreement"},
        "organisations": [],
        "staff_groups": [],
        "instruments": [],
        "waves": [],
        "interviews": {
            "npt": False,
            "stakeholder_groups": [
                {
                    "id": "staff",
                    "labels": {"sv": "Personal", "en": "Staff"},
                    "speaker": {"sv": "Medarbetare", "en": "Staff member"},
                },
            ],
            "rounds": [{"id": "r1", "labels": {"sv": "Omgång 1", "en": "Round 1"}}],
            "documents": [{"match": "^Intervju", "stakeholder_group": "staff", "round": "r1"}],
            "coders": [
                {"id": f"coder_{c}", "accept": [name]}
                for c, name in zip("abcd", CODERS, strict=True)
            ],
            "unit_of_analysis": "segment",
            "project_codes": [
                {
                    **code("rating", "Bedömning"),
                    "children": [code(f"v{i}", f"Värde {i}") for i in range(1, 6)],
                },
                {
                    **code("kind", "Slag"),
                    "children": [code(f"k{i}", f"Slag {i}") for i in range(1, 4)],
                },
            ],
            "agreement": {
                "bootstrap_samples": 1000,
                "code_groups": [
                    {
                        "id": "rating",
                        "codes": [f"v{i}" for i in range(1, 6)],
                        "levels": ["nominal", "ordinal", "interval", "ratio"],
                    },
                    {
                        "id": "kind",
                        "codes": ["k1", "k2", "k3"],
                        "kappa_weights": COHEN_WEIGHTS,
                    },
                ],
            },
        },
    }


def _export() -> pd.DataFrame:
    rows = []
    for c, values in enumerate(KRIPP_C):
        for u, v in enumerate(values):
            if not math.isnan(v):
                text = f"Segment {u + 1} om hur planeringen går till i vardagen."
                rows.append(
                    [
                        "Personal",
                        "Intervju 1",
                        f"Bedömning\\Värde {int(v)}",
                        u + 1,
                        u + 1,
                        text,
                        CODERS[c],
                    ]
                )
    unit = 0
    for i, row in enumerate(COHEN_1968):
        for j, count in enumerate(row):
            for _ in range(count):
                unit += 1
                text = f"Stycke {unit} om samarbetet mellan avdelningarna."
                for coder, k in ((CODERS[0], i), (CODERS[1], j)):
                    rows.append(
                        ["Personal", "Intervju 2", f"Slag\\Slag {k + 1}", unit, unit, text, coder]
                    )
    return pd.DataFrame(rows, columns=HEADER)


@pytest.fixture(scope="module")
def agreement(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    project = tmp_path_factory.mktemp("agreement")
    (project / "project.yaml").write_text(
        yaml.safe_dump(_project(), allow_unicode=True), encoding="utf-8"
    )
    file = project / "codings_export.csv"
    _export().to_csv(file, sep=";", index=False, encoding="utf-8")
    report = ingest_codings(project, file, profile="maxqda")
    assert report.rows_quarantined == 0 and report.rows_loaded == 41 + 400
    return results_of(project, "codings")["agreement"]


def _group(agreement: pd.DataFrame, group: str) -> pd.DataFrame:
    rows = agreement[(agreement["code_level"] == "code_group") & (agreement["code"] == group)]
    return rows.set_index(["measure", "metric"])


def test_krippendorffs_worked_examples_through_a_codings_export(agreement):
    rating = _group(agreement, "rating")
    for level, value in (
        ("nominal", 0.743),
        ("ordinal", 0.815),
        ("interval", 0.849),
        ("ratio", 0.797),
    ):
        row = rating.loc[("krippendorff_alpha", level)]
        assert row["estimate"] == pytest.approx(value, abs=5e-4), level
        assert row["ci_low"] < row["estimate"] < row["ci_high"]
    alpha = rating.loc[("krippendorff_alpha", "nominal")]
    assert (alpha["n_units"], alpha["n_values"], alpha["n_coders"]) == (11, 40, 4)
    assert alpha["coders"] == "coder_a;coder_b;coder_c;coder_d"
    assert set(rating.index.get_level_values("measure")) == {
        "percent_agreement",
        "fleiss_kappa",
        "brennan_prediger_kappa",
        "krippendorff_alpha",
    }
    assert rating.loc[("brennan_prediger_kappa", "nominal"), "estimate"] == pytest.approx(
        0.773, abs=5e-4
    )
    assert set(rating["unit_of_analysis"]) == {"segment"}


def test_cohens_weighted_example_through_a_codings_export(agreement):
    kind = _group(agreement, "kind")
    assert kind.loc[("cohen_kappa", "unweighted"), "estimate"] == pytest.approx(0.492, abs=5e-4)
    weighted = kind.loc[("weighted_kappa", "custom")]
    assert weighted["estimate"] == pytest.approx(0.348, abs=5e-4)
    assert weighted["n_units"] == 200 and weighted["coders"] == "coder_a;coder_b"
    assert weighted["ci_low"] < weighted["estimate"] < weighted["ci_high"]


def test_presence_decisions_are_still_there_with_their_unit(agreement):
    codes = agreement[agreement["code_level"] == "code"]
    assert {"v1", "k2"} <= set(codes["code"])
    assert set(codes["metric"]) <= {"nominal", "unweighted"}
    assert set(codes["unit_of_analysis"]) == {"segment"}
    # an empty estimate always says why
    empty = agreement[agreement["estimate"].isna()]
    assert (empty["note"].fillna("") != "").all()
