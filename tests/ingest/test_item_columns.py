"""Item columns found by the profile's forms, declared missing values, and profiles that extend
others (mapping only: no store)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from ingest.read import UserMissing, read_table
from ingest.survey import missing_label_hint
from ingest.survey_columns import name_lookup
from ingest.survey_map import map_survey
from ingest.survey_profile import PROFILE_DIR, ExportProfile, load_profile
from instruments.spec import InstrumentSpec, load_instrument
from project.config import load_project
from project.errors import ConfigError, ResponseDataError
from tests.conftest import EXAMPLE

NOMAD = load_instrument("nomad")
PCAT = load_instrument("pcat")
PROJECT = load_project(EXAMPLE)


def _table(spec: InstrumentSpec, header: str, answers: dict[str, object] | None = None):
    """One respondent; item i headed ``header.format(code=...)``, answered ``answers`` or 3."""
    row: dict[str, object] = {"E-post": "a@b.example"}
    for item in spec.items:
        value = (answers or {}).get(item.source_code, 3)
        row[header.format(code=item.source_code, label=item.label.sv)] = value
    frame = pd.DataFrame([row])
    frame.index = frame.index + 2
    return frame


def _map(table: pd.DataFrame, spec: InstrumentSpec, profile: str | ExportProfile = "generic"):
    chosen = load_profile(profile) if isinstance(profile, str) else profile
    return map_survey(table, spec=spec, project=PROJECT, profile=chosen, file_name="x.csv")


@pytest.mark.parametrize("header", ["{code}", "q{code}", "Q{code}", "pcat{code}", "PCAT_{code}"])
def test_generic_takes_pcat_items_in_spss_habits(header: str) -> None:
    answers = {str(n): n % 5 + 1 for n in range(1, 14)}
    mapped = _map(_table(PCAT, header, answers), PCAT)
    assert mapped.problems == []
    assert mapped.codes.iloc[0].tolist() == [float(n % 5 + 1) for n in range(1, 14)]


def test_pcat_q_prefixed_by_the_instrument_is_found() -> None:
    mapped = _map(_table(PCAT, "pcat_q{code}", {"7": 5}), PCAT)
    assert mapped.codes.loc[0, "pcat_q7"] == 5.0


def test_survey_tool_takes_the_items_labels_as_headers() -> None:
    mapped = _map(_table(NOMAD, "{label}", {"CA2": "Instämmer helt"}), NOMAD, "survey-tool")
    assert mapped.problems == []
    assert mapped.codes.loc[0, "nomad_ca2"] == 5.0


def test_labels_as_headers_are_not_taken_by_generic_which_names_the_profile_that_fits() -> None:
    with pytest.raises(ResponseDataError) as info:
        _map(_table(NOMAD, "{label}"), NOMAD)
    message = str(info.value)
    assert message.startswith("x.csv: 23 of 23 nomad item columns are missing: G1, G2, G3,")
    assert message.endswith("Hint: --profile survey-tool finds every item column of this file.")


def test_two_columns_for_one_item_are_named() -> None:
    table = _table(PCAT, "q{code}").assign(PCAT1=4)
    with pytest.raises(ResponseDataError) as info:
        _map(table, PCAT)
    assert str(info.value) == (
        "x.csv: columns 'q1' and 'PCAT1' both name pcat item 1. Hint: remove or rename one of them."
    )


def test_a_header_with_the_code_and_text_yields_to_an_exact_one() -> None:
    table = _table(NOMAD, "{code}", {"CO1": "Instämmer helt"}).assign(CO1_kommentar="Bra")
    assert _map(table, NOMAD).codes.loc[0, "nomad_co1"] == 5.0
    texts = _table(NOMAD, "{code}. text").assign(**{"CO1: more": "Instämmer"})
    with pytest.raises(ResponseDataError, match=r"columns 'CO1\. text' and 'CO1: more' both name"):
        _map(texts, NOMAD)


def test_a_column_naming_two_items_is_refused() -> None:
    # co{n}: CO1 is also the first item (G1) under this form.
    profile = ExportProfile(identifier=("E-post",), id="odd", item_columns=["{code}", "co{n}"])
    with pytest.raises(ResponseDataError) as info:
        _map(_table(NOMAD, "{code}"), NOMAD, profile)
    assert str(info.value) == (
        "x.csv: column 'CO1' could be nomad item G1 or CO1. Hint: rename the column to one "
        "item's code, or narrow the export profile's item_columns."
    )


def test_missing_items_name_the_accepted_forms_and_the_closest_columns() -> None:
    with pytest.raises(ResponseDataError) as info:
        _map(_table(PCAT, "pcatx{code}"), PCAT)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(
        "x.csv: 13 of 13 pcat item columns are missing: 1, 2, 3, 4, 5, 6 and 7 more. "
    )
    assert "Profile 'generic' takes item 1 from a column named 1, q1, pcat_1 or pcat_q1" in message
    assert "closest columns found: pcatx1" in message
    assert message.endswith("(e.g. --profile spss or survey-tool).")


# -- declared missing values ----------------------------------------------------------------------


def test_vet_ej_is_an_unknown_label_without_declared_missing_values() -> None:
    mapped = _map(_table(PCAT, "q{code}", {"4": "Vet ej"}), PCAT)
    assert [(p["column"], p["rule"]) for p in mapped.problems] == [("q4", "unknown_label")]


def test_unknown_missing_value_labels_get_a_hint_naming_the_profiles() -> None:
    answers = {"4": "Vet ej", "5": "vet  EJ", "6": "Instämer"}
    mapped = _map(_table(PCAT, "q{code}", answers), PCAT)
    assert len(mapped.problems) == 3
    assert missing_label_hint(mapped.problems, load_profile()) == (
        "2 unknown label(s) are missing-value answers that --profile spss or survey-tool counts "
        'as declared missing ("Vet ej", "Don\'t know" ...); or list them under missing_values: '
        "in the export profile"
    )
    typo_only = [p for p in mapped.problems if p["column"] == "q6"]
    assert missing_label_hint(typo_only, load_profile()) is None


def test_spss_profile_declares_labels_and_codes_missing() -> None:
    answers = {"CO1": "Vet ej", "CO2": "Don't know", "CO3": 99, "CO4": "Ej aktuellt"}
    mapped = _map(_table(NOMAD, "nomad_{code}", answers), NOMAD, "spss")
    assert mapped.problems == []
    declared = mapped.declared_missing.loc[0]
    assert declared[["nomad_co1", "nomad_co2", "nomad_co3", "nomad_co4"]].tolist() == [
        "dont_know",
        "dont_know",
        "no_answer",
        "does_not_apply",
    ]
    assert mapped.codes.loc[0, ["nomad_co1", "nomad_co4"]].isna().all()
    assert mapped.not_applicable.loc[0].isna().all()  # kept apart from "not relevant"
    assert declared.notna().sum() == 4


def test_a_missing_code_that_is_a_valid_answer_stays_an_answer() -> None:
    mapped = _map(_table(NOMAD, "{code}", {"G1": 9, "G2": 99, "CO1": 9}), NOMAD, "spss")
    assert mapped.codes.loc[0, "nomad_g1"] == 9.0  # 0-10: 9 is an answer
    assert mapped.declared_missing.loc[0, ["nomad_g2", "nomad_co1"]].tolist() == [
        "no_answer",
        "no_answer",
    ]


def test_the_instruments_labels_win_over_declared_missing_labels() -> None:
    base = load_profile("spss").model_dump()
    profile = ExportProfile(
        **{**base, "missing_values": {"other": ["Inte relevant för min roll", 77]}}
    )
    mapped = _map(_table(NOMAD, "{code}", {"CA4": "Inte relevant för min roll"}), NOMAD, profile)
    assert mapped.not_applicable.loc[0, "nomad_ca4"] == "not_relevant_role"
    assert mapped.declared_missing.loc[0].isna().all()


def test_sav_user_missing_values_are_kept_as_declared_missing(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Epost": ["a@b.example", "c@d.example"], "Org": [1.0, 99.0]})
    for item in PCAT.items:
        frame[f"PCAT{item.source_code}"] = [4.0, 99.0 if item.source_code == "2" else 8.0]
    path = tmp_path / "pcat.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"PCAT2": {4.0: "Instämmer", 99.0: "Vet ej"}, "Org": {1.0: "A"}},
        missing_ranges={"PCAT2": [99.0], "PCAT3": [{"lo": 8.0, "hi": 9.0}], "Org": [99.0]},
    )
    assert read_table(path)["PCAT2"].tolist() == ["Instämmer", None]  # as SPSS shows them
    table = read_table(path, user_missing=True)
    assert table["PCAT2"].tolist() == ["Instämmer", UserMissing("Vet ej")]
    assert table["PCAT3"].tolist() == [4.0, UserMissing(8.0)]
    mapped = _map(table, PCAT, "spss")
    declared = mapped.declared_missing.loc[1]
    assert declared["pcat_q2"] == "dont_know"  # the profile names the label
    assert declared["pcat_q3"] == "user_missing"  # the file declares 8; the profile has no name
    assert pd.isna(declared["pcat_q4"])
    assert mapped.codes.loc[1, "pcat_q4"] == 8.0  # not declared anywhere: validation's to judge
    # Outside the items a user-missing value is a blank, as in SPSS: only case 1's "A" is unknown.
    assert [(p["source_row"], p["rule"]) for p in mapped.problems if p["column"] == "Org"] == [
        (1, "unknown_organisation")
    ]


# -- profiles ----------------------------------------------------------------------------------


def _project_profile(tmp_path: Path, text: str) -> Path:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mytool.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_project_profile_extends_a_builtin(tmp_path: Path) -> None:
    root = _project_profile(
        tmp_path, "id: mytool\nextends: spss\nitem_columns: {pcat: ['fråga{code}']}\n"
    )
    profile = load_profile("mytool", project_dir=root)
    assert profile.forms("pcat") == ("fråga{code}",)
    assert profile.forms("nomad") == load_profile("spss").forms("nomad")
    assert profile.missing_values == load_profile("spss").missing_values
    mapped = _map(_table(PCAT, "Fråga {code}", {"5": "Vet ej"}), PCAT, profile)
    assert mapped.declared_missing.loc[0, "pcat_q5"] == "dont_know"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: mytool\nextends: nosuch\n", "extends 'nosuch', which is not a profile"),
        ("id: mytool\nidentifier: [id]\nitem_columns: ['{kod}']\n", "unknown kod"),
        ("id: mytool\nidentifier: [id]\nitem_columns: ['fraga']\n", "needs placeholders"),
        (
            "id: mytool\nidentifier: [id]\nmissing_values: {a: [Vet ej], b: ['vet ej']}\n",
            "'vet ej' is listed under both a and b",
        ),
        ("id: mytool\nidentifier: [id]\nmissing_values: {Vet: [9]}\n", "key 'Vet' must be"),
    ],
)
def test_bad_profiles_are_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    root = _project_profile(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_profile("mytool", project_dir=root)
    assert str(info.value).startswith("profiles/mytool.yaml")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("instrument", ["nomad", "s-nomad", "pcat"])
def test_builtin_profiles_name_every_builtin_item_unambiguously(instrument: str) -> None:
    spec = load_instrument(instrument)
    for path in sorted(PROFILE_DIR.glob("*.yaml")):
        forms = load_profile(path.stem).forms(instrument)
        shared = {name: ids for name, ids in name_lookup(spec, forms).items() if len(ids) > 1}
        assert not shared, (path.stem, shared)
