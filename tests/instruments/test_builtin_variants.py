"""P-CAT variants, S-NoMAD extending NoMAD, and a project's own scoring decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from instruments.spec import load_instrument, project_instrument
from project.config import load_project
from project.errors import InstrumentSpecError
from tests.conftest import EXAMPLE


def test_pcat_variants() -> None:
    swedish = load_instrument("pcat")
    assert swedish.variant == "swedish-2" and not swedish.reverse_keys_confirmed
    assert [s.id for s in swedish.scales] == ["personalising", "support", "total"]
    assert [swedish.score_range(s.id) for s in swedish.scales] == [(7, 35), (6, 30), (13, 65)]
    original = load_instrument("pcat", variant="original-3")
    assert [len(s.items) for s in original.scales] == [7, 4, 2, 13]
    selan = load_instrument("pcat", variant="selan-2017")
    assert "q13" not in {i for s in selan.scales for i in s.items}
    assert not any(i.reverse for i in swedish.items)


def test_unknown_variant_names_the_choices() -> None:
    with pytest.raises(InstrumentSpecError) as info:
        load_instrument("pcat", variant="danish")
    assert str(info.value) == (
        "instrument pcat: variant 'danish' does not exist. Expected one of swedish-2, "
        "original-3, selan-2017. Hint: check the variant in project.yaml."
    )


def test_s_nomad_extends_nomad() -> None:
    nomad, s_nomad = load_instrument("nomad"), load_instrument("s-nomad")
    assert s_nomad.id == "s-nomad" and s_nomad.languages == ("sv",)
    assert [i.model_dump() for i in s_nomad.items] == [i.model_dump() for i in nomad.items]
    assert s_nomad.scales == nomad.scales
    assert s_nomad.column("ca2") == "s_nomad_ca2"


def _project_with(tmp_path: Path, instruments: list) -> Path:
    data = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    data["instruments"] = instruments
    data["waves"] = [w for w in data["waves"] if w["instrument"] in ("nomad", "pcat")]
    for key in ("indicators", "goals", "activities", "logic", "interviews"):
        data.pop(key, None)
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return tmp_path


def test_a_project_sets_variant_and_reverse_keys(tmp_path: Path) -> None:
    root = _project_with(
        tmp_path, ["nomad", {"id": "pcat", "variant": "original-3", "reverse": ["q8", "q10"]}]
    )
    project = load_project(root)
    assert project.instrument_ids == ("nomad", "pcat")
    spec = project_instrument(project, "pcat", root)
    assert spec.variant == "original-3"
    assert [i.id for i in spec.items if i.reverse] == ["q8", "q10"]
    nomad = project_instrument(project, "nomad", root)
    assert [i.id for i in nomad.items if i.reverse] == ["ca2"]  # the spec's own keys stay


def test_reverse_keys_must_name_ordinal_items(tmp_path: Path) -> None:
    root = _project_with(tmp_path, [{"id": "nomad", "reverse": ["g1"]}, "pcat"])
    with pytest.raises(InstrumentSpecError, match="only items on an ordinal response set"):
        project_instrument(load_project(root), "nomad", root)
    root = _project_with(tmp_path, [{"id": "nomad", "reverse": ["zz9"]}, "pcat"])
    with pytest.raises(InstrumentSpecError, match="reverse lists unknown items zz9"):
        project_instrument(load_project(root), "nomad", root)


def test_a_declared_range_must_match(tmp_path: Path) -> None:
    folder = tmp_path / "instruments" / "pcat"
    folder.mkdir(parents=True)
    (folder / "instrument.yaml").write_text(
        "extends: pcat\nid: pcat\nscales:\n  - id: total\n    label: {sv: T, en: T}\n"
        "    items: [q1, q2, q3]\n    method: sum\n    range: [3, 20]\n",
        encoding="utf-8",
    )
    with pytest.raises(InstrumentSpecError) as info:
        load_instrument("pcat", project_dir=tmp_path)
    assert (
        "scale total: range ['3', '20'] does not match its items and method; expected [3, 15]"
        in (str(info.value))
    )
