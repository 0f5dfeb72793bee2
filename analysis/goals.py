"""Goal attainment: baseline → target → achieved → status, by one documented rule.

The rule (:func:`goal_status`)
------------------------------
Given the direction in which the indicator improves (``lower`` or ``higher``), a baseline ``b``, a
target ``T`` and the value achieved by the deadline ``A``:

- **reached** — ``A`` is at or beyond ``T`` in the direction of improvement (``A <= T`` for
  ``lower``, ``A >= T`` for ``higher``);
- **partly_reached** — not reached, but ``A`` has moved from ``b`` towards ``T`` by at least
  ``partly_from`` (default one half) of the distance ``T − b``: ``(A − b) / (T − b) >= partly_from``;
- **not_reached** — otherwise (including movement in the wrong direction, and any shortfall when
  there is no baseline to measure progress from);
- **not_measured** — no achieved value (no data on or before the deadline).

A goal without data may carry a **manual** status with evidence text (the evaluator's judgement,
as in the funder's reports); it is used only when the data give no value.

The project logic rolls statuses up (:func:`roll_up`): a node with a status of its own keeps it;
otherwise its status comes from the nodes that contribute to it — reached when all measured
contributors are reached, partly_reached when at least one is reached or partly reached,
not_reached when all measured contributors are not reached, not_measured when none is measured.
Statuses outside :data:`STATUSES` (such as ``no_target`` for an indicator with data but no target)
count as not measured in a roll-up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

STATUSES = ("reached", "partly_reached", "not_reached", "not_measured")


def goal_status(
    *,
    baseline: float | None,
    target: float,
    achieved: float | None,
    direction: str,
    partly_from: float = 0.5,
) -> tuple[str, float]:
    """Status and progress ``(A − b)/(T − b)`` of one goal (see the module docstring).

    Examples
    --------
    >>> goal_status(baseline=0.50, target=0.80, achieved=0.81, direction="higher")[0]
    'reached'
    >>> goal_status(baseline=1700, target=850, achieved=1100, direction="lower")
    ('partly_reached', 0.7058823529411765)
    >>> goal_status(baseline=None, target=0.9, achieved=0.5, direction="higher")[0]
    'not_reached'
    """
    if direction not in ("lower", "higher"):
        raise ValueError(f"direction must be lower or higher; got {direction!r}")
    if achieved is None or _missing(achieved):
        return "not_measured", math.nan
    sign = 1.0 if direction == "higher" else -1.0
    progress = math.nan
    if baseline is not None and not _missing(baseline) and target != baseline:
        progress = (achieved - baseline) / (target - baseline)
    if sign * (achieved - target) >= 0:
        return "reached", progress
    if not math.isnan(progress) and progress >= partly_from:
        return "partly_reached", progress
    return "not_reached", progress


def _missing(x: object) -> bool:
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return x is None


def roll_up(statuses: Iterable[str]) -> str:
    """The status of a node from the statuses of the nodes that contribute to it.

    >>> roll_up(["reached", "not_measured", "partly_reached"])
    'partly_reached'
    >>> roll_up(["reached", "reached"])
    'reached'
    >>> roll_up([])
    'not_measured'
    """
    measured = [s for s in statuses if s in STATUSES and s != "not_measured"]
    if not measured:
        return "not_measured"
    if all(s == "reached" for s in measured):
        return "reached"
    if any(s in ("reached", "partly_reached") for s in measured):
        return "partly_reached"
    return "not_reached"


def logic_status(nodes: pd.DataFrame, edges: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Roll statuses up a project logic.

    Parameters
    ----------
    nodes
        ``node`` and ``status`` (own status; missing or ``not_measured`` means "none of its own").
        Not modified.
    edges
        ``(contributor, contributes_to)`` pairs, e.g. ``(activity, sub_goal)``.

    Returns
    -------
    pandas.DataFrame
        ``nodes`` with ``status`` replaced by the rolled-up status and ``status_source``
        (``own`` or ``rolled_up``).
    """
    own: Mapping[str, str] = {
        str(n): str(s)
        for n, s in zip(nodes["node"], nodes["status"], strict=True)
        if isinstance(s, str) and s != "not_measured"
    }
    contributors: dict[str, list[str]] = {}
    for src, dst in edges:
        contributors.setdefault(dst, []).append(src)
    done: dict[str, str] = {}

    def resolve(node: str, seen: frozenset[str]) -> str:
        if node in done:
            return done[node]
        if node in own:
            done[node] = own[node]
            return own[node]
        if node in seen:
            raise ValueError(f"the project logic has a cycle through {node!r}")
        status = roll_up(resolve(c, seen | {node}) for c in contributors.get(node, []))
        done[node] = status
        return status

    out = nodes.copy()
    out["status"] = [resolve(str(n), frozenset()) for n in out["node"]]
    out["status_source"] = ["own" if str(n) in own else "rolled_up" for n in out["node"]]
    return out
