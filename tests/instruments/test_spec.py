"""Instrument specs: the built-in NoMAD, and strict errors for a broken spec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from instruments.spec import BUILTIN_DIR, load_instrument
from project.errors import InstrumentSpecError
from project.labels import normalise_label


def test_nomad_structure() -> None:
    spec = load_instrument("nomad")
    assert len(spec.items) == 23
    assert {s.id: len(s.items) for s in spec.scales} == {
        "coherence": 4,
        "cognitive_participation": 4,
        "collective_action": 7,
        "reflexive_monitoring": 5,
    }
    assert [i.id for i in spec.items if i.reverse] == ["ca2"]
    agree = spec.response_sets["agree_5"]
    assert agree.codes == (1, 2, 3, 4, 5)
    assert [n.key for n in agree.not_applicable] == [
        "not_relevant_role",
        "not_relevant_stage",
        "not_relevant_intervention",
    ]
    assert spec.response_sets["scale_0_10"].low == 0 and spec.response_sets["scale_0_10"].high == 10
    assert [s.required_answers() for s in spec.scales] == [3, 3, 5, 4]
    assert spec.column("ca2") == "nomad_ca2"


def _project_copy(tmp_path: Path, change) -> Path:
    target = tmp_path / "instruments" / "nomad"
    shutil.copytree(BUILTIN_DIR / "nomad", target)
    data = yaml.safe_load((target / "instrument.yaml").read_text(encoding="utf-8"))
    change(data)
    (target / "instrument.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return tmp_path


def test_a_project_copy_overrides_the_builtin(tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["scales"][0]["min_answered"] = 4

    spec = load_instrument("nomad", project_dir=_project_copy(tmp_path, change))
    assert spec.scale("coherence").required_answers() == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["items"][4].update(response_set="agree5"),
            "nomad/instrument.yaml: item co2: response_set 'agree5' is "
            "not defined. Expected one of agree_5, scale_0_10",
        ),
        (
            lambda d: d["scales"][0].update(min_answered=9),
            "nomad/instrument.yaml: scale coherence: min_answered 9 is more than its 4 items",
        ),
        (
            lambda d: d["scales"][0].update(items=["co1", "co9"]),
            "nomad/instrument.yaml: scale coherence: unknown items co9",
        ),
        (
            lambda d: d["items"][0].update(reverse=True),
            "nomad/instrument.yaml: item g1: only items on an ordinal set can be reversed",
        ),
        (
            lambda d: d["items"][0].update(wording="..."),
            "nomad/instrument.yaml: items[g1].wording: unknown key. Expected one of id, "
            "source_code, label, response_set, reverse, npt_construct, npt_subconstruct. Hint: "
            "check its spelling, or remove it.",
        ),
    ],
)
def test_broken_specs_name_the_file_and_key(tmp_path: Path, change, message: str) -> None:
    project = _project_copy(tmp_path, change)
    with pytest.raises(InstrumentSpecError) as info:
        load_instrument("nomad", project_dir=project)
    assert str(info.value) == message


def test_unknown_instrument() -> None:
    with pytest.raises(InstrumentSpecError) as info:
        load_instrument("nomadd")
    assert str(info.value).startswith(
        "instrument 'nomadd': no instrument.yaml found. Expected one of nomad, pcat, s-nomad."
    )


def test_label_normalisation() -> None:
    assert normalise_label("  Inte  relevant\u00a0för MIN roll ") == "inte relevant för min roll"
    assert normalise_label("Instämmer", fold_diacritics=True) == "instammer"
