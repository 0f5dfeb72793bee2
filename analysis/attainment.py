"""Goal attainment from indicator values, and the project logic's statuses.

How a goal's values come from the data
--------------------------------------
The *window* is 12 periods for monthly, 4 for quarterly and 1 for yearly indicators. The
*baseline* is the goal's (or indicator's) declared baseline, else the pooled value over the window
before the intervention. The *achieved* value is pooled over the last window of periods starting
on or before the deadline (from the intervention on). Pooled: proportions Σvalue/Σdenominator;
counts with an offset Σvalue/Σdenominator (a rate per denominator unit); other counts the mean per
period; means weighted by their denominator. A goal reads the indicator's ``all`` unit and total
rows when there are any, else pools the units and breakdowns. The status rule is
:func:`analysis.goals.goal_status`.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.columns import table
from analysis.goals import goal_status, logic_status, roll_up
from analysis.periods import WINDOW, period_floor, range_label
from project.config import Project
from project.indicators import Goal, Indicator

__all__ = ["goal_attainment", "pooled_value", "project_logic"]


def pooled_value(ind: Indicator, part: pd.DataFrame) -> float:
    """The indicator's value pooled over the rows of ``part`` (see the module docstring)."""
    if part.empty:
        return float("nan")
    v, d = part["value"].astype(float), part["denominator"].astype(float)
    if ind.measure == "proportion" or (ind.measure == "count" and ind.model.offset):
        return float(v.sum() / d.sum()) if d.sum() > 0 else float("nan")
    if ind.measure == "mean" and d.notna().all() and d.sum() > 0:
        return float((v * d).sum() / d.sum())
    return float(v.mean())


def _pool_period(ind: Indicator, g: pd.DataFrame) -> dict[str, float]:
    """One period's value and denominator pooled over units and breakdowns."""
    den = g["denominator"]
    if ind.measure == "mean" and den.notna().all():
        value = float((g["value"] * den).sum() / den.sum())
    else:
        value = float(g["value"].sum())
    return {"value": value, "denominator": float(den.sum()) if den.notna().any() else np.nan}


def _goal_rows(ind: Indicator, values: pd.DataFrame) -> pd.DataFrame:
    """The indicator's rows a goal reads: the ``all`` unit and totals if present, else all rows
    pooled per period."""
    data = values[values["indicator"] == ind.id]
    if data.empty:
        return data
    chosen = data[(data["unit"] == "all") & (data["disaggregation"] == "")]
    if chosen.empty:
        groups = data.groupby(["period", "period_start"])
        chosen = pd.DataFrame(
            [{"period": p, "period_start": s} | _pool_period(ind, g) for (p, s), g in groups]
        )
    return chosen.sort_values("period_start")


@dataclass(frozen=True)
class _Target:
    """What a goal is measured against: the declared baseline, the target value, the deadline."""

    baseline: float | None
    baseline_source: str
    value: float | None
    deadline: dt.date | None


def _evaluate(ind: Indicator, values: pd.DataFrame, target: _Target) -> dict[str, object]:
    """Baseline, achieved value and status of one target of an indicator."""
    rows = _goal_rows(ind, values)
    window = WINDOW[ind.frequency]
    start = None
    if ind.intervention is not None:
        start = period_floor(ind.intervention, ind.frequency)
    baseline, baseline_source = target.baseline, target.baseline_source
    if baseline is None and not rows.empty:
        before = rows if start is None else rows[rows["period_start"] < start]
        before = before.tail(window) if start is not None else rows.head(window)
        if not before.empty:
            baseline = pooled_value(ind, before)
            baseline_source = f"data {range_label(before['period'])}"
    achieved, achieved_periods = None, ""
    after = rows
    if target.deadline is not None:
        after = after[after["period_start"] <= pd.Timestamp(target.deadline)]
    if start is not None:
        after = after[after["period_start"] >= start]
    after = after.tail(window)
    if not after.empty:
        achieved, achieved_periods = pooled_value(ind, after), range_label(after["period"])
    out: dict[str, object] = {"baseline": baseline, "achieved": achieved}
    out |= {"baseline_source": baseline_source, "achieved_periods": achieved_periods}
    if target.value is None:
        return out | {"target": np.nan, "status": "not_measured", "progress": np.nan}
    status, progress = goal_status(
        baseline=baseline, target=target.value, achieved=achieved, direction=ind.direction
    )
    return out | {"target": target.value, "status": status, "progress": progress}


def _measured(goal: Goal, ind: Indicator, values: pd.DataFrame) -> dict[str, object]:
    """A goal's values from its indicator's data."""
    target = goal.target or ind.target
    deadline = goal.deadline or (target.deadline if target else None)
    declared = goal.baseline or ind.baseline
    baseline = declared.value if declared else None
    source = "declared" if declared else ""
    target_value = target.resolve(baseline) if target else None
    if target is not None and target.relative is not None and baseline is None:
        # a relative target needs the baseline from the data first
        probe = _evaluate(ind, values, _Target(None, "", None, deadline))
        if probe["baseline"] is not None:
            target_value = target.resolve(probe["baseline"])  # type: ignore[arg-type]
    return _evaluate(ind, values, _Target(baseline, source, target_value, deadline))


def _goal_result(goal: Goal, registry: dict[str, Indicator], values: pd.DataFrame) -> dict:
    ind = registry.get(goal.indicator) if goal.indicator else None
    target = goal.target or (ind.target if ind else None)
    deadline = goal.deadline or (target.deadline if target else None)
    declared = goal.baseline or (ind.baseline if ind else None)
    row: dict[str, object] = {
        "goal": goal.id,
        "level": goal.level,
        "indicator": goal.indicator or "",
        "deadline": deadline.isoformat() if deadline else "",
        "evidence_sv": goal.evidence.sv if goal.evidence else "",
        "evidence_en": goal.evidence.en if goal.evidence else "",
    }
    result: dict[str, object] = {
        "baseline": declared.value if declared else np.nan,
        "target": np.nan,
        "achieved": np.nan,
        "status": "not_measured",
        "progress": np.nan,
        "baseline_source": "declared" if declared else "",
        "achieved_periods": "",
    }
    if ind is not None:
        result = _measured(goal, ind, values)
    source = "data" if result["status"] != "not_measured" else ""
    if result["status"] == "not_measured" and goal.status is not None:
        result["status"] = goal.status
        source = "manual"
    elif goal.status is not None and goal.status != result["status"]:
        row["evidence_sv"] = (
            f"{row['evidence_sv']} (bedömt: {goal.status}; data ger {result['status']})"
        )
        row["evidence_en"] = (
            f"{row['evidence_en']} (judged: {goal.status}; the data give {result['status']})"
        )
    row |= result
    row["status_source"] = source or "none"
    return row | {k: np.nan for k in ("baseline", "achieved") if row[k] is None}


def goal_attainment(values: pd.DataFrame, project: Project) -> pd.DataFrame:
    """The ``goals`` table: one row per declared goal (see the module docstring)."""
    registry = {i.id: i for i in project.indicators}
    rows = [_goal_result(g, registry, values) for g in project.goals]
    return pd.DataFrame(rows, columns=list(table("goals").columns))


def _indicator_status(
    ind: Indicator, values: pd.DataFrame, goals: dict[str, str], project: Project
) -> str | None:
    """An indicator's own target status, else the roll-up of the goals it measures, else
    ``no_target`` when it has data."""
    own = None
    if ind.target is not None:
        baseline = ind.baseline.value if ind.baseline else None
        target = _Target(baseline, "", ind.target.resolve(baseline), ind.target.deadline)
        own = str(_evaluate(ind, values, target)["status"])
    if own is None or own == "not_measured":
        measured_by = [goals[g.id] for g in project.goals if g.indicator == ind.id]
        own = roll_up(measured_by) if measured_by else None
    if own in (None, "not_measured") and (values["indicator"] == ind.id).any():
        own = "no_target"
    return own


def _nodes(
    values: pd.DataFrame, project: Project, goals: dict[str, str]
) -> tuple[list[dict], list[tuple[str, str]]]:
    """The logic's nodes (goals, activities, used indicators) and its status edges."""
    nodes: list[dict] = []
    edges: list[tuple[str, str]] = []
    for g in project.goals:
        nodes.append(
            {
                "node": g.id,
                "kind": g.level,
                "labels": g.labels,
                "links": [g.parent] if g.parent else [],
                "status": goals.get(g.id),
            }
        )
        edges += [(g.id, g.parent)] if g.parent else []
    for a in project.activities:
        nodes.append(
            {
                "node": a.id,
                "kind": "activity",
                "labels": a.labels,
                "links": list(a.goals),
                "status": a.status,
            }
        )
        edges += [(i, a.id) for i in a.indicators] + [(g, a.id) for g in a.goals]
    for ind in project.indicators:
        measures = [g.id for g in project.goals if g.indicator == ind.id]
        activities = [a.id for a in project.activities if ind.id in a.indicators]
        if measures or activities:
            status = _indicator_status(ind, values, goals, project)
            nodes.append(
                {
                    "node": ind.id,
                    "kind": "indicator",
                    "labels": ind.labels,
                    "links": measures + activities,
                    "status": status,
                }
            )
    return nodes, edges


def project_logic(values: pd.DataFrame, project: Project) -> pd.DataFrame:
    """The ``logic`` table: the project logic's nodes with rolled-up status
    (:func:`analysis.goals.logic_status`).

    Goals take their own status (data or manual) or the roll-up of their sub-goals; activities a
    manual status or the roll-up of their activity indicators and the goals they serve; indicators
    the status of their own target or, without one, the roll-up of the goals they measure, and
    ``no_target`` when they have data but neither.
    """
    goals = goal_attainment(values, project)
    by_goal = dict(zip(goals["goal"], goals["status"], strict=True))
    nodes, edges = _nodes(values, project, by_goal)
    frame = pd.DataFrame(
        [
            {"node": n["node"], "kind": n["kind"], "label_sv": n["labels"].sv}
            | {"label_en": n["labels"].en, "links_to": ";".join(n["links"]), "status": n["status"]}
            for n in nodes
        ],
        columns=["node", "kind", "label_sv", "label_en", "links_to", "status"],
    )
    if frame.empty:
        return frame.assign(status_source=pd.Series(dtype=object))
    return logic_status(frame, edges)
