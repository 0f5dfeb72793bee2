"""The goal-status rule and the roll-up of the project logic (analysis.goals)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.goals import goal_status, logic_status, roll_up


@pytest.mark.parametrize(
    ("baseline", "target", "achieved", "direction", "status"),
    [
        (0.5, 0.8, 0.8, "higher", "reached"),
        (0.5, 0.8, 0.7, "higher", "partly_reached"),  # 2/3 of the way
        (0.5, 0.8, 0.6, "higher", "not_reached"),  # 1/3 of the way
        (0.5, 0.8, 0.4, "higher", "not_reached"),  # wrong direction
        (42.0, 21.0, 11.7, "lower", "reached"),
        (42.0, 21.0, 30.0, "lower", "partly_reached"),
        (None, 0.9, 0.95, "higher", "reached"),
        (None, 0.9, 0.85, "higher", "not_reached"),
        (0.5, 0.8, None, "higher", "not_measured"),
    ],
)
def test_goal_status_rule(baseline, target, achieved, direction, status):
    assert (
        goal_status(baseline=baseline, target=target, achieved=achieved, direction=direction)[0]
        == status
    )


def test_partly_threshold_is_an_option():
    assert (
        goal_status(baseline=0, target=10, achieved=3, direction="higher", partly_from=0.25)[0]
        == "partly_reached"
    )
    _, progress = goal_status(baseline=0, target=10, achieved=3, direction="higher")
    assert progress == pytest.approx(0.3)
    assert math.isnan(goal_status(baseline=None, target=1, achieved=0, direction="lower")[1])


def test_roll_up():
    assert roll_up(["not_reached", "not_measured"]) == "not_reached"
    assert roll_up(["no_target"]) == "not_measured"


def test_logic_status_rolls_up_and_keeps_own():
    nodes = pd.DataFrame(
        {"node": ["impact", "p1", "s1", "s2"], "status": [None, None, "reached", "not_reached"]}
    )
    copy = nodes.copy()
    out = logic_status(nodes, [("s1", "p1"), ("s2", "p1"), ("p1", "impact")])
    assert dict(zip(out["node"], out["status"], strict=True)) == {
        "impact": "partly_reached", "p1": "partly_reached", "s1": "reached", "s2": "not_reached",
    }  # fmt: skip
    assert list(out["status_source"]) == ["rolled_up", "rolled_up", "own", "own"]
    pd.testing.assert_frame_equal(nodes, copy)


def test_logic_cycle_is_refused():
    nodes = pd.DataFrame({"node": ["a", "b"], "status": [None, None]})
    with pytest.raises(ValueError, match="cycle"):
        logic_status(nodes, [("a", "b"), ("b", "a")])
