"""The indicator registry, goals and activities in project.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from project.config import load_project
from project.errors import ConfigError
from tests.conftest import EXAMPLE


def _write(tmp_path: Path, **changes) -> Path:
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    raw.update(changes)
    (tmp_path / "project.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


def test_example_registry_loads():
    project = load_project(EXAMPLE)
    ids = {i.id for i in project.indicators}
    assert {"days_ready_for_discharge", "patient_participation", "named_care_contact"} <= ids
    assert any(g.status for g in project.goals) and any(g.indicator for g in project.goals)


def test_goal_with_unknown_indicator(tmp_path):
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    raw["goals"][5]["indicator"] = "no_such"
    with pytest.raises(ConfigError, match=r"\.indicator: .no_such. is not a declared indicator"):
        load_project(_write(tmp_path, goals=raw["goals"]))


def test_unknown_key_in_an_indicator(tmp_path):
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    raw["indicators"][0]["modell"] = {}
    with pytest.raises(
        ConfigError, match=r"indicators\[days_ready_for_discharge\]\.modell: unknown key"
    ):
        load_project(_write(tmp_path, indicators=raw["indicators"]))


def test_its_needs_an_intervention(tmp_path):
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    del raw["indicators"][0]["intervention"]
    with pytest.raises(ConfigError, match="needs intervention"):
        load_project(_write(tmp_path, indicators=raw["indicators"]))


def test_target_needs_exactly_one_form(tmp_path):
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    raw["indicators"][-1]["target"] = {"value": 3, "relative": 0.5}
    with pytest.raises(ConfigError, match="exactly one of value"):
        load_project(_write(tmp_path, indicators=raw["indicators"]))


def test_manual_status_needs_evidence(tmp_path):
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    g = next(g for g in raw["goals"] if g.get("status"))
    del g["evidence"]
    with pytest.raises(ConfigError, match="manual status needs evidence"):
        load_project(_write(tmp_path, goals=raw["goals"]))


def test_sub_goal_cannot_be_parent_of_project_goal(tmp_path):
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    for g in raw["goals"]:
        if g["id"] == "plans_on_1177":
            g["parent"] = "fewer_days_ready"
    with pytest.raises(ConfigError, match="cannot sit under"):
        load_project(_write(tmp_path, goals=raw["goals"]))


def _its(index: int, **model) -> list[dict]:
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    raw["indicators"][index]["model"].update(model)
    return raw["indicators"]


def test_its_impact_interval_and_control_are_read(tmp_path):
    control = {"indicator": "days_ready_for_discharge", "method": "offset", "unit": "all"}
    indicators = _its(1, impact="level", interval="wald_normal", offset=False, control=control)
    project = load_project(_write(tmp_path, indicators=indicators))
    model = project.indicators[1].model
    assert (model.impact, model.interval) == ("level", "wald_normal")
    assert model.control is not None and model.control.method == "offset"
    defaults = load_project(EXAMPLE).indicators[0].model
    assert (defaults.impact, defaults.interval, defaults.control) == ("level_slope", "auto", None)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            {"impact": "step"},
            r"model\.impact: expected one of level_slope, level, slope; found 'step'",
        ),
        (
            {"interval": "wald"},
            r"model\.interval: expected one of auto, wald_normal, wald_t; found 'wald'",
        ),
        (
            {"control": {"indicator": "days_ready_for_discharge", "method": "difference"}},
            "control method difference models a difference of series: it needs family gaussian",
        ),
        (
            {
                "offset": True,
                "control": {"indicator": "days_ready_for_discharge", "method": "offset"},
            },
            "control method offset replaces the denominator offset",
        ),
        (
            {"offset": False, "control": {"indicator": "no_such", "method": "offset"}},
            r"control 'no_such' is not another indicator of the registry",
        ),
        (
            {
                "offset": False,
                "control": {"indicator": "patient_participation", "method": "offset"},
            },
            "is measured per year; expected per month",
        ),
        (
            {
                "offset": False,
                "control": {
                    "indicator": "days_ready_for_discharge",
                    "method": "offset",
                    "unit": "north",
                },
            },
            r"unit 'north' is not among its units \(all\)",
        ),
    ],
)
def test_bad_its_settings_are_one_line_each(tmp_path, model, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_project(_write(tmp_path, indicators=_its(1, **model)))
    assert "\n" not in str(caught.value)
