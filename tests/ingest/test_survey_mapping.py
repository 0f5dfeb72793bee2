"""Label → code mapping, column finding and row problems (no store, no great-expectations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ingest.survey_map import map_survey, pseudonymise_survey
from ingest.survey_profile import ExportProfile, load_profile
from instruments.spec import load_instrument
from privacy.keys import ProjectKey
from project.config import load_project
from tests.conftest import EXAMPLE

SPEC = load_instrument("nomad")
PROJECT = load_project(EXAMPLE)


def _table(rows: list[dict]) -> pd.DataFrame:
    base = {"E-post": "a@b.example", "Inskickad": "2017-09-10 10:00"}
    base |= {i.source_code: ("5" if i.id.startswith("g") else "Instämmer") for i in SPEC.items}
    frame = pd.DataFrame([base | r for r in rows])
    frame.index = frame.index + 2
    return frame


def _map(rows: list[dict], profile: ExportProfile | None = None):
    return map_survey(
        _table(rows),
        spec=SPEC,
        project=PROJECT,
        profile=profile or load_profile(),
        file_name="x.csv",
    )


def test_swedish_english_and_variant_labels_map_to_the_same_code() -> None:
    labels = [
        "Instämmer helt",
        "Strongly agree",
        "  INSTÄMMER   helt ",
        "Instammer helt",
        "Håller helt med",
    ]
    mapped = _map([{"CO1": lab} for lab in labels])
    assert mapped.codes["nomad_co1"].tolist() == [5.0] * 5
    assert mapped.problems == []


def test_not_relevant_options_are_kept_apart_from_codes() -> None:
    mapped = _map(
        [
            {"CA4": "Inte relevant för min roll"},
            {"CA4": "Not relevant at this stage"},
            {"CA4": "Inte relevant för ”interventionen”".replace("”", "")},
        ]
    )
    assert mapped.codes["nomad_ca4"].isna().all()
    assert mapped.not_applicable["nomad_ca4"].tolist() == [
        "not_relevant_role",
        "not_relevant_stage",
        "not_relevant_intervention",
    ]


def test_numeric_codes_follow_the_declared_direction() -> None:
    ascending = _map([{"CO1": 1}, {"CO1": "5"}])
    descending = _map(
        [{"CO1": 1}, {"CO1": "5"}],
        ExportProfile(**{**load_profile().model_dump(), "code_direction": "descending"}),
    )
    assert ascending.codes["nomad_co1"].tolist() == [1.0, 5.0]
    assert descending.codes["nomad_co1"].tolist() == [5.0, 1.0]


def test_unknown_label_is_a_problem_naming_row_column_and_label() -> None:
    mapped = _map([{}, {"CP1": "Instämer helt"}])
    assert mapped.problems == [
        {"source_row": 3, "column": "CP1", "rule": "unknown_label", "detail": "Instämer helt"}
    ]


def test_long_free_text_in_an_answer_cell_is_not_copied_into_the_problem() -> None:
    mapped = _map([{"CP1": "x" * 300}])
    assert mapped.problems[0]["detail"] == "(text of 300 characters)"


def test_general_items_accept_decimal_comma_and_reject_text() -> None:
    mapped = _map([{"G1": "7,0"}, {"G1": "sju"}])
    assert mapped.codes["nomad_g1"].iloc[0] == 7.0
    assert mapped.problems[0]["rule"] == "not_a_number"


def test_empty_response_and_blank_cells() -> None:
    empty = {i.source_code: "" for i in SPEC.items}
    mapped = _map([{"CO1": ""}, empty])
    assert np.isnan(mapped.codes["nomad_co1"].iloc[0])
    assert [p["rule"] for p in mapped.problems] == ["empty_response"]


def test_organisation_unit_and_staff_group_map_to_project_ids() -> None:
    mapped = _map(
        [
            {
                "Organisation": "Fjallby sjukhus",
                "Enhet": "Ortopedavdelning",
                "Yrkesgrupp": "Sjukgymnast",
            },
            {"Organisation": "Okänd klinik", "Yrkesgrupp": "Läkare"},
        ]
    )
    keys = mapped.keys.astype(object).where(mapped.keys.notna(), None)
    assert keys["organisation"].tolist() == ["hosp_fjallby", None]
    assert keys["unit"].tolist() == ["fja_orto", None]
    assert mapped.keys["staff_group"].tolist() == ["physiotherapist", "physician"]
    assert [p["rule"] for p in mapped.problems] == ["unknown_organisation"]


def test_item_headers_with_text_after_the_code_are_found() -> None:
    table = _table([{}]).rename(columns={"CO1": "CO1. Skillnad mot tidigare", "CA2": "nomad_ca2"})
    mapped = map_survey(
        table, spec=SPEC, project=PROJECT, profile=load_profile(), file_name="x.csv"
    )
    assert mapped.codes["nomad_co1"].iloc[0] == 4.0 and mapped.codes["nomad_ca2"].iloc[0] == 4.0


def test_pseudonymise_replaces_identifiers_and_links_spellings() -> None:
    key = ProjectKey(b"k" * 32, path=EXAMPLE)
    mapped = pseudonymise_survey(
        _map([{"E-post": "Anna.L@x.example "}, {"E-post": "anna.l@x.example"}]), key
    )
    ids = mapped.keys["respondent_id"].tolist()
    assert ids[0] == ids[1] and ids[0].startswith("p") and "@" not in ids[0]


def test_exports_that_code_not_relevant_as_numbers() -> None:
    profile = ExportProfile(
        **{
            **load_profile().model_dump(),
            "code_direction": "descending",
            "not_applicable_codes": {6: "not_relevant_role", 7: "not_relevant_stage"},
        }
    )
    mapped = _map([{"CO1": 1}, {"CO1": 6}, {"CO1": "7"}, {"CO1": "Instämmer"}], profile)
    assert mapped.codes["nomad_co1"].tolist()[0] == 5.0  # descending: the export's 1 = agree
    assert mapped.not_applicable["nomad_co1"].tolist()[1:3] == [
        "not_relevant_role",
        "not_relevant_stage",
    ]
    assert mapped.codes["nomad_co1"].tolist()[3] == 4.0  # labels are direction-free
    assert mapped.codes["nomad_g1"].notna().all()  # 0–10 items have no such options


def test_not_applicable_codes_must_name_the_instruments_options() -> None:
    from project.errors import ConfigError

    profile = ExportProfile(
        **{**load_profile().model_dump(), "not_applicable_codes": {9: "dont_know"}}
    )
    with pytest.raises(ConfigError, match="not_applicable_codes names dont_know"):
        _map([{}], profile)
