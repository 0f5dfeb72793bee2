"""project.yaml: strict models, one-line errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from project.config import load_project
from project.errors import ConfigError
from tests.conftest import EXAMPLE


def _write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return tmp_path


def _error(tmp_path: Path, change) -> str:
    with pytest.raises(ConfigError) as info:
        load_project(_write(tmp_path, change))
    return str(info.value)


def test_the_example_loads() -> None:
    project = load_project(EXAMPLE)
    assert project.synthetic and len(project.organisations) == 13
    assert [w.id for w in project.waves] == ["T0", "T1", "VT2018", "HT2018"]
    assert project.staff_group_lookup["sjukgymnast"] == "physiotherapist"
    assert project.unit_lookup["ortopedavdelning"] == ("hosp_fjallby", "fja_orto")


def test_unknown_key_is_named(tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["privacy"]["min_cel_size"] = 3

    assert _error(tmp_path, change) == (
        "project.yaml: privacy.min_cel_size: unknown key. Expected one of min_cell_size, "
        "small_group_quotes, free_text, roster, quasi_identifiers, k_anonymity, sensitive_columns, l_diversity. Did "
        "you mean `min_cell_size`?"
    )


def test_missing_key_is_named(tmp_path: Path) -> None:
    assert _error(tmp_path, lambda d: d.pop("name")) == (
        "project.yaml: name: required key is missing"
    )


@pytest.mark.parametrize(
    "keep",
    [
        {"indicators", "goals", "activities"},  # key figures only
        {"outcomes"},  # participant outcomes only
        {"interviews"},  # interviews only
        {"organisations", "staff_groups", "instruments", "waves"},  # surveys only
        set(),  # nothing yet: a project being set up
    ],
)
def test_any_subset_of_kinds_is_a_project(tmp_path: Path, keep: set[str]) -> None:
    kinds = {"organisations", "staff_groups", "instruments", "waves", "indicators", "goals"}
    kinds |= {"activities", "outcomes", "interviews"}

    def change(d: dict) -> None:
        for key in kinds - keep:
            d.pop(key, None)
        if "interviews" in keep:
            d["interviews"].pop("roster", None)

    project = load_project(_write(tmp_path, change))
    assert bool(project.waves) == ("waves" in keep)
    assert bool(project.outcomes) == ("outcomes" in keep)
    assert (project.interviews is not None) == ("interviews" in keep)


def test_waves_still_need_their_instrument(tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d.pop("instruments")

    assert (
        "waves[T0].instrument: 'nomad' is not a declared instrument. None is declared. Hint: "
        "declare it under instruments, or fix the id." in _error(tmp_path, change)
    )


def test_wave_dates_in_order(tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["waves"][0]["closes"] = "2017-01-01"

    assert "wave T0: closes (2017-01-01) is before opens (2017-09-04)" in _error(tmp_path, change)


def test_wave_of_an_unlisted_instrument(tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["waves"][0]["instrument"] = "sdq"

    assert (
        "waves[T0].instrument: 'sdq' is not a declared instrument. Expected one of nomad, pcat. "
        "Hint: declare it under instruments, or fix the id." in _error(tmp_path, change)
    )


def test_duplicate_ids(tmp_path: Path) -> None:
    def change(d: dict) -> None:
        d["staff_groups"].append(dict(d["staff_groups"][0]))

    assert "staff group ids must be unique; repeated: nurse" in _error(tmp_path, change)


def test_not_yaml(tmp_path: Path) -> None:
    (tmp_path / "project.yaml").write_text("name: [unclosed\n  waves: x", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^project.yaml line \d+, column \d+: not valid YAML"):
        load_project(tmp_path)


def test_no_project_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no project\.yaml here"):
        load_project(tmp_path)
