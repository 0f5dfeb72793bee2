"""The indicator registry, goals and project logic of ``project.yaml`` (strict pydantic models).

This module must not import :mod:`project.config` (which imports it). Cross-checks between sections
(a goal naming an unknown indicator, an activity serving an unknown goal) are in
:func:`check_references`, which ``Project`` calls.

Indicator values (see ``docs/indicators.md``)
---------------------------------------------
- ``measure: count`` — ``value`` is a count (days, plans, discharges); an optional ``denominator``
  is the exposure (bed-days, population) used as an offset;
- ``measure: proportion`` — ``value`` is the number with the attribute and ``denominator`` the
  number of cases (both counts of persons: the small-cell rule applies);
- ``measure: mean`` — ``value`` is a mean and ``denominator`` the number of records behind it.

Participant outcomes (``outcomes:``) are counts of persons per category (:class:`Outcome`); they
share the indicators' files, with a ``category`` column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import Field, model_validator

from project.labels import Labels
from project.references import unknown_reference
from project.strict import Strict

_ID = r"^[a-z0-9][a-z0-9_]*$"

Status = Literal["reached", "partly_reached", "not_reached", "not_measured"]
Frequency = Literal["month", "quarter", "year"]


class Window(Strict):
    """A stretch of calendar time (inclusive)."""

    start: dt.date = Field(description="First day (inclusive).")
    end: dt.date = Field(description="Last day (inclusive).")

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"window end ({self.end}) is before its start ({self.start})")
        return self


class Baseline(Strict):
    """The value before the project, with the period it refers to (e.g. ``2016–2017``)."""

    value: float = Field(description="The value before the project.")
    period: str | None = Field(default=None, description="The period it refers to, e.g. 2016–2017.")


class Target(Strict):
    """Where a goal or indicator should be by ``deadline``: an absolute ``value`` or a
    ``relative`` change from the baseline (``-0.5`` = halve it)."""

    value: float | None = Field(default=None, description="An absolute target value.")
    relative: float | None = Field(
        default=None, ge=-1, description="A change relative to the baseline (-0.5 halves it)."
    )
    deadline: dt.date | None = Field(default=None, description="By when (YYYY-MM-DD).")

    @model_validator(mode="after")
    def _one(self) -> Target:
        if (self.value is None) == (self.relative is None):
            raise ValueError("a target needs exactly one of value (absolute) or relative")
        return self

    def resolve(self, baseline: float | None) -> float | None:
        """The target as a value (``None`` when relative and there is no baseline)."""
        if self.value is not None:
            return self.value
        if baseline is None or self.relative is None:
            return None
        return baseline * (1 + self.relative)


class ControlSeries(Strict):
    """A control series for a controlled ITS: another indicator of the registry, same frequency.

    ``method: difference`` models the indicator minus the control (``family: gaussian``);
    ``method: offset`` adds ``log(control)`` as the offset of a count model (the rate relative to
    the control). ``unit`` is the control's unit for every unit of the indicator; by default each
    unit is compared with the same unit of the control.
    """

    indicator: str = Field(pattern=_ID, description="The control indicator's id.")
    method: Literal["difference", "offset"] = Field(
        description="difference (the series minus the control) or offset (the control as the "
        "model's offset)."
    )
    unit: str | None = Field(
        default=None, description="The control's unit (default: the same unit as the series)."
    )


class Model(Strict):
    """How the indicator is analysed.

    ``its``: segmented regression (``family`` gaussian, poisson, quasipoisson, negbin); needs at
    least 3 periods on each side of the intervention. ``impact`` is the impact model declared a
    priori (``level_slope``, ``level``, ``slope``), ``interval`` the reference distribution of its
    tests and intervals (``auto``, ``wald_normal``, ``wald_t``; see ``docs/indicators.md``).
    ``before_after``: shares (Wilson/Newcombe) or means per period before and after. ``none``:
    shown, not modelled.
    """

    type: Literal["its", "before_after", "none"] = Field(
        default="none", description="its (segmented regression), before_after or none."
    )
    family: Literal["gaussian", "poisson", "quasipoisson", "negbin"] = Field(
        default="quasipoisson",
        description="The ITS model family: gaussian, poisson, quasipoisson or negbin.",
    )
    impact: Literal["level_slope", "level", "slope"] = Field(
        default="level_slope",
        description="The impact model declared a priori: level_slope (a change in level at the "
        "interruption and in slope after it), level (step change only) or slope.",
    )
    interval: Literal["auto", "wald_normal", "wald_t"] = Field(
        default="auto",
        description="Confidence intervals: wald_normal (R's confint.default, Epi::ci.lin), "
        "wald_t, or auto (t where a dispersion is estimated, normal otherwise).",
    )
    offset: bool = Field(
        default=False, description="use log(denominator) as offset (count families)"
    )
    control: ControlSeries | None = Field(
        default=None,
        description="A control series for a controlled ITS: {indicator, method: difference | "
        "offset, unit}.",
    )
    seasonality: Literal["none", "fourier", "month"] = Field(
        default="none", description="Seasonal terms: none, fourier or month."
    )
    fourier_order: int = Field(
        default=2,
        ge=1,
        le=6,
        description="How many sine/cosine pairs (1–6) with seasonality: fourier.",
    )
    hac_lags: int | None = Field(default=None, ge=0, description="None = automatic")
    effect_times: tuple[int, ...] = Field(default=(12,), description="periods after the start")
    confidence: float = Field(
        default=0.95, gt=0.5, lt=1, description="The confidence level of the intervals."
    )

    @model_validator(mode="after")
    def _offset(self) -> Model:
        if self.offset and self.family == "gaussian":
            raise ValueError("offset: true needs a count family (poisson, quasipoisson, negbin)")
        method = self.control.method if self.control else None
        if method == "difference" and self.family != "gaussian":
            raise ValueError(
                f"control method difference models a difference of series: it needs family "
                f"gaussian; found {self.family}. Hint: use method offset for counts."
            )
        if method == "offset" and self.family == "gaussian":
            raise ValueError(
                "control method offset needs a count family (poisson, quasipoisson, negbin)"
            )
        if method == "offset" and self.offset:
            raise ValueError(
                "control method offset replaces the denominator offset: set offset: false, or "
                "use method difference"
            )
        return self


class Indicator(Strict):
    """One entry of the indicator registry."""

    id: str = Field(pattern=_ID, description="Indicator id (lowercase letters, digits, _).")
    labels: Labels = Field(description="The indicator's name, {sv, en}.")
    definition: Labels | None = Field(default=None, description="What is measured, {sv, en}.")
    measure: Literal["count", "proportion", "mean"] = Field(
        description="count, proportion or mean: what value and denominator hold "
        "(docs/indicators.md)."
    )
    unit_of_measure: Labels | None = Field(default=None, description="e.g. days, plans, patients")
    denominator_unit: Labels | None = Field(
        default=None, description="what one unit of the denominator is (for rates), e.g. patient"
    )
    direction: Literal["lower", "higher"] = Field(
        description="Which way is better: lower or higher."
    )
    frequency: Frequency = Field(description="How often it is measured: month, quarter or year.")
    level: Literal["region", "municipality", "organisation", "unit"] = Field(
        default="region",
        description="The level of its units: region, municipality, organisation or unit.",
    )
    units: tuple[str, ...] = Field(
        default=("all",), description="the values the unit column may take"
    )
    disaggregations: tuple[str, ...] = Field(
        default=(), description="Breakdown columns of the data, e.g. age_group."
    )
    source: str | None = Field(default=None, description="Where the data come from.")
    baseline: Baseline | None = Field(
        default=None, description="The value before the project, {value, period}."
    )
    target: Target | None = Field(
        default=None, description="Where it should be: {value} or {relative}, with a deadline."
    )
    intervention: dt.date | None = Field(
        default=None,
        description="When the change started (needed by the its and before_after models).",
    )
    observed: Window | None = Field(
        default=None,
        description="when data may fall (default: the project period); baseline data often "
        "precede the project",
    )
    model: Model = Field(default=Model(), description="How the indicator is analysed.")
    persons: bool = Field(
        default=False,
        description="values count persons (apply the small-cell rule)",
    )

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        if self.model.type in ("its", "before_after") and self.intervention is None:
            raise ValueError(f"indicator {self.id}: model {self.model.type} needs intervention:")
        if self.model.offset and self.measure != "count":
            raise ValueError(f"indicator {self.id}: offset: true is for counts only")
        if self.measure == "proportion" and self.model.type == "its" and not self.model.offset:
            raise ValueError(
                f"indicator {self.id}: an ITS on a proportion needs a count family with offset: "
                f"true (successes with log(cases) as offset)"
            )
        for name in self.disaggregations:
            if name in _RESERVED:
                raise ValueError(
                    f"indicator {self.id}: disaggregation {name!r} clashes with a data column"
                )
        return self


_RESERVED = {"indicator", "unit", "period", "value", "denominator", "category"}


class OutcomeCategory(Strict):
    """One category of a participant outcome (e.g. ``work``: "Arbete" / "Work").

    ``phrase`` completes a sentence after "58 of 98 (59 %, …)": "gick vidare till fortsatt
    rehabilitering" / "went on to further rehabilitation". Without it the report writes
    "<label>: 58 of 98 (…)".
    """

    id: str = Field(pattern=_ID, description="Category id.")
    labels: Labels = Field(description="The category's name, {sv, en}.")
    phrase: Labels | None = Field(
        default=None, description='Completes a sentence after "58 of 98 (59 %, …)", {sv, en}.'
    )


class OutcomeTarget(Strict):
    """At least ``share`` (0–1) of the participants should end in one of ``categories`` by
    ``deadline`` (e.g. 70 % took a step towards work). ``baseline`` (a share) lets the status be
    ``partly_reached`` (the goal rule of :mod:`analysis.goals`)."""

    categories: tuple[str, ...] = Field(
        min_length=1, description="The categories that count towards the target."
    )
    share: float = Field(
        gt=0, le=1, description="The share (0–1) of participants that should end in them."
    )
    deadline: dt.date | None = Field(default=None, description="By when (YYYY-MM-DD).")
    baseline: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The share before the project (lets the status be partly_reached).",
    )
    labels: Labels | None = Field(
        default=None, description='what the target counts, e.g. "tog ett steg mot arbete"'
    )


class Outcome(Strict):
    """One categorical participant outcome: how many persons ended in each category.

    The data are counts of persons per category (× unit × period × subgroup) in the same long
    files as indicator values; the ``indicator`` column names the outcome and a ``category``
    column the category. The categories are exhaustive: their sum is everyone who started.
    """

    id: str = Field(pattern=_ID, description="Outcome id (lowercase letters, digits, _).")
    labels: Labels = Field(description="The outcome's name, {sv, en}.")
    definition: Labels | None = Field(default=None, description="Who is counted and how, {sv, en}.")
    population: Labels | None = Field(
        default=None, description='who is counted, e.g. "deltagare som startat" / "participants"'
    )
    categories: tuple[OutcomeCategory, ...] = Field(
        min_length=2,
        description="The categories: at least two, exhaustive (their sum is everyone who started).",
    )
    target: OutcomeTarget | None = Field(
        default=None, description="The share that should end in some categories by a deadline."
    )
    subgroups: tuple[str, ...] = Field(
        default=(), description="breakdown columns of the data, e.g. sex, age_group, programme"
    )
    frequency: Frequency = Field(
        default="year", description="How often it is counted: month, quarter or year."
    )
    units: tuple[str, ...] = Field(
        default=("all",), description="The values the unit column may take."
    )
    observed: Window | None = Field(
        default=None, description="When data may fall (default: the project period)."
    )
    source: str | None = Field(default=None, description="Where the data come from.")
    confidence: float = Field(
        default=0.95, gt=0.5, lt=1, description="The confidence level of the intervals."
    )

    @model_validator(mode="after")
    def _check(self) -> Outcome:
        ids = [c.id for c in self.categories]
        dup = _dupes(ids)
        if dup:
            raise ValueError(f"outcome {self.id}: category ids repeated: {', '.join(dup)}")
        if self.target is not None:
            unknown = [c for c in self.target.categories if c not in ids]
            if unknown:
                raise ValueError(
                    f"outcome {self.id}: target categories {', '.join(unknown)} are not among "
                    f"its categories ({', '.join(ids)})"
                )
        for name in self.subgroups:
            if name in _RESERVED:
                raise ValueError(f"outcome {self.id}: subgroup {name!r} clashes with a data column")
        return self

    def category_label(self, category: str, lang: str) -> str:
        for c in self.categories:
            if c.id == category:
                return c.labels.get(lang)
        return category


class Goal(Strict):
    """An impact goal, project goal or sub-goal, optionally measured by an indicator.

    ``target`` overrides the indicator's target; ``status`` and ``evidence`` are the evaluator's
    judgement for goals the data cannot measure.
    """

    id: str = Field(pattern=_ID, description="Goal id (lowercase letters, digits, _).")
    level: Literal["impact", "project", "sub_goal"] = Field(
        description="impact, project or sub_goal."
    )
    labels: Labels = Field(description="The goal, {sv, en}.")
    parent: str | None = Field(
        default=None, description="The goal one level up that this one serves."
    )
    indicator: str | None = Field(default=None, description="The indicator that measures it.")
    baseline: Baseline | None = Field(
        default=None, description="The baseline, {value, period} (instead of the indicator's)."
    )
    target: Target | None = Field(
        default=None, description="The target (instead of the indicator's)."
    )
    deadline: dt.date | None = Field(default=None, description="By when (YYYY-MM-DD).")
    status: Status | None = Field(
        default=None,
        description="The evaluator's judgement where no indicator measures it: reached, "
        "partly_reached, not_reached or not_measured.",
    )
    evidence: Labels | None = Field(
        default=None, description="What the status rests on, {sv, en} (needed with status)."
    )


class Activity(Strict):
    """An activity of the project plan, the goals it serves and its activity indicators."""

    id: str = Field(pattern=_ID, description="Activity id (lowercase letters, digits, _).")
    labels: Labels = Field(description="The activity, {sv, en}.")
    goals: tuple[str, ...] = Field(default=(), description="The goals it serves.")
    indicators: tuple[str, ...] = Field(default=(), description="Its activity indicators.")
    period: Window | None = Field(default=None, description="When it runs, {start, end}.")
    budget: float | None = Field(default=None, ge=0, description="Its budget (≥ 0).")
    status: Status | None = Field(
        default=None,
        description="The evaluator's judgement: reached, partly_reached, not_reached or "
        "not_measured.",
    )
    evidence: Labels | None = Field(
        default=None, description="What the status rests on, {sv, en} (needed with status)."
    )


_LEVEL_ORDER = {"impact": 0, "project": 1, "sub_goal": 2}


def _dupes(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: set[str] = set()
    for i in ids:
        (out if i in seen else seen).add(i)
    return sorted(out)


def _check_goal(g: Goal, known_ind: set[str], by_id: dict[str, Goal]) -> None:
    """One goal's indicator, parent, target and manual status."""
    if g.indicator is not None and g.indicator not in known_ind:
        raise unknown_reference(
            f"goals[{g.id}].indicator", g.indicator, "indicator", known_ind, section="indicators"
        )
    if g.parent is not None:
        parent = by_id.get(g.parent)
        if parent is None:
            raise unknown_reference(
                f"goals[{g.id}].parent", g.parent, "goal", list(by_id), section="goals"
            )
        if _LEVEL_ORDER[parent.level] >= _LEVEL_ORDER[g.level]:
            raise ValueError(
                f"goal {g.id}: a {g.level.replace('_', '-')} goal cannot sit under the "
                f"{parent.level.replace('_', '-')} goal {parent.id}"
            )
    if g.indicator is None and g.target is not None and g.status is None:
        raise ValueError(
            f"goal {g.id}: has a target but no indicator to measure it; add indicator: or a "
            f"manual status: with evidence:"
        )
    if g.status is not None and g.evidence is None:
        raise ValueError(f"goal {g.id}: a manual status needs evidence: (sv and en)")


def check_references(
    indicators: tuple[Indicator, ...],
    goals: tuple[Goal, ...],
    activities: tuple[Activity, ...],
    outcomes: tuple[Outcome, ...] = (),
) -> None:
    """Raise ``ValueError`` (shown as a project.yaml error) for broken references."""
    for what, ids in (
        ("indicator and outcome", [i.id for i in indicators] + [o.id for o in outcomes]),
        ("goal", [g.id for g in goals]),
        ("activity", [a.id for a in activities]),
    ):
        dup = _dupes(ids)
        if dup:
            raise ValueError(f"{what} ids must be unique; repeated: {', '.join(dup)}")
    known_ind = {i.id for i in indicators}
    _check_controls(indicators)
    by_id = {g.id: g for g in goals}
    for g in goals:
        _check_goal(g, known_ind, by_id)
    for a in activities:
        _check_activity(a, by_id, known_ind)


def _check_activity(a: Activity, by_id: dict[str, Goal], known_ind: set[str]) -> None:
    for gid in a.goals:
        if gid not in by_id:
            raise unknown_reference(
                f"activities[{a.id}].goals", gid, "goal", list(by_id), section="goals"
            )
    for iid in a.indicators:
        if iid not in known_ind:
            raise unknown_reference(
                f"activities[{a.id}].indicators", iid, "indicator", known_ind, section="indicators"
            )
    if a.status is not None and a.evidence is None:
        raise ValueError(f"activity {a.id}: a manual status needs evidence: (sv and en)")


def _check_controls(indicators: tuple[Indicator, ...]) -> None:
    """A control series names another indicator of the same frequency (and one of its units)."""
    by_id = {i.id: i for i in indicators}
    for ind in indicators:
        control = ind.model.control
        if control is None:
            continue
        other = by_id.get(control.indicator)
        where = f"indicator {ind.id}: control {control.indicator!r}"
        if other is None or other.id == ind.id:
            raise ValueError(
                f"{where} is not another indicator of the registry (known: "
                f"{', '.join(sorted(i for i in by_id if i != ind.id)) or 'none'})"
            )
        if other.frequency != ind.frequency:
            raise ValueError(
                f"{where} is measured per {other.frequency}; expected per {ind.frequency}"
            )
        if control.unit is not None and control.unit not in other.units:
            raise ValueError(
                f"{where}: unit {control.unit!r} is not among its units ({', '.join(other.units)})"
            )
