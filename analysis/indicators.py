"""Analyse the active indicator data: ITS, before/after, summaries, goal attainment, project logic.

:func:`analyse_indicators` reads the store and returns tidy, unrounded tables (the analyse stage
writes each as ``output/results/<name>.csv``):

``its``
    indicator, unit, model, term, estimate, ci_low, ci_high, p_value, scale — terms ``pre_trend``,
    ``level_change``, ``slope_change`` and ``effect_<h><m|q|y>_absolute`` / ``_relative`` (``h``
    periods after the first post-intervention period). ``scale``: ``difference`` or ``ratio``.
``its_coefficients``
    the raw coefficients of each model (log scale for count models) with their standard errors.
``its_series``
    indicator, unit, model, period, post, observed, denominator, fitted (+ CI), counterfactual (+ CI).
``its_diagnostics``
    indicator, unit, model, measure, estimate, df, p_value, detail (incl. the model formula).
``before_after``
    indicator, unit, group, measure, before_periods, after_periods, before/after estimates with CIs,
    difference with CI, p_value, method.
``indicator_summary``
    indicator, unit, group, first_period, last_period, n_periods, value_total, denominator_total,
    estimate, ci_low, ci_high, measure.
``goals``
    goal, level, indicator, baseline, target, achieved, deadline, status, progress, status_source,
    baseline_source, achieved_periods, evidence_sv, evidence_en (rule: :mod:`analysis.goals`).
``logic``
    node, kind, label_sv, label_en, links_to (``;``-joined), status (the four goal statuses, or
    ``no_target`` for an indicator with data but no target), status_source.
``outcomes``
    outcome, unit, periods, subgroup, group, category, n, total, share, ci_low, ci_high,
    toward_target, method — persons per category pooled over the loaded periods; ``subgroup`` is
    the breakdown (``sex``; ``""`` for everyone), ``group`` its value (``sex=kvinna``).
``outcome_targets``
    outcome, unit, periods, subgroup, group, categories, n, total, share, ci_low, ci_high, target,
    baseline, deadline, status, progress, ci_position, p_value, method — the share in the target
    categories over the periods starting on or before the deadline (:mod:`analysis.outcomes`).

How a goal's values come from the data
--------------------------------------
The *window* is 12 periods for monthly, 4 for quarterly and 1 for yearly indicators. The
*baseline* is the goal's (or indicator's) declared baseline, else the pooled value over the window
before the intervention. The *achieved* value is pooled over the last window of periods starting
on or before the deadline (from the intervention on). Pooled: proportions Σvalue/Σdenominator;
counts with an offset Σvalue/Σdenominator (a rate per denominator unit); other counts the mean per
period; means weighted by their denominator. A goal reads the indicator's ``all`` unit and total
rows when there are any, else pools the units and breakdowns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.goals import goal_status, logic_status, roll_up
from analysis.its import fit_its
from analysis.outcomes import category_shares, target_attainment
from analysis.proportions import BEFORE_AFTER_COLUMNS, before_after, wilson_ci
from ingest.indicators import empty_outcome_values, read_indicator_values, read_outcome_values
from project.config import Project, load_project
from project.indicators import Goal, Indicator, Outcome
from project.layout import ProjectPaths
from store import warehouse

ITS_COLUMNS = [
    "indicator", "unit", "model", "term", "estimate", "ci_low", "ci_high", "p_value", "scale",
]  # fmt: skip
OUTCOME_COLUMNS = [
    "outcome", "unit", "periods", "subgroup", "group", "category", "n", "total", "share",
    "ci_low", "ci_high", "toward_target", "method",
]  # fmt: skip
OUTCOME_TARGET_COLUMNS = [
    "outcome", "unit", "periods", "subgroup", "group", "categories", "n", "total", "share",
    "ci_low", "ci_high", "target", "baseline", "deadline", "status", "progress", "ci_position",
    "p_value", "method",
]  # fmt: skip
WINDOW = {"month": 12, "quarter": 4, "year": 1}
_SUFFIX = {"month": "m", "quarter": "q", "year": "y"}


def _period_floor(day: dt.date | pd.Timestamp, frequency: str) -> pd.Timestamp:
    ts = pd.Timestamp(day)
    if frequency == "year":
        return pd.Timestamp(ts.year, 1, 1)
    if frequency == "quarter":
        return pd.Timestamp(ts.year, 3 * ((ts.month - 1) // 3) + 1, 1)
    return pd.Timestamp(ts.year, ts.month, 1)


def _range_label(periods: pd.Series) -> str:
    values = list(periods)
    if not values:
        return ""
    return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"


def analyse_indicators(project_dir: Path) -> dict[str, pd.DataFrame]:
    """Analyse the project's active indicator data; ``{}`` when no indicators are declared."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    if not project.indicators and not project.outcomes:
        return {}
    if paths.warehouse.is_file():
        with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
            values = read_indicator_values(con)
            counts = read_outcome_values(con)
    else:
        values = read_indicator_values_empty()
        counts = empty_outcome_values()
    return analyse_values(values, project, outcomes=counts)


def read_indicator_values_empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": pd.Series(dtype=object),
            "unit": pd.Series(dtype=object),
            "period": pd.Series(dtype=object),
            "period_start": pd.Series(dtype="datetime64[ns]"),
            "disaggregation": pd.Series(dtype=object),
            "value": pd.Series(dtype=float),
            "denominator": pd.Series(dtype=float),
        }
    )


def analyse_values(
    values: pd.DataFrame, project: Project, *, outcomes: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The same tables from a frame of indicator values (as :func:`read_indicator_values` gives)
    and one of outcome counts (as :func:`read_outcome_values` gives; ``None``: none loaded)."""
    counts = empty_outcome_values() if outcomes is None else outcomes
    shares, targets = analyse_outcomes(counts, project)
    its_rows, coef_rows, series_rows, diag_rows, ba_rows = [], [], [], [], []
    for ind in project.indicators:
        data = values[values["indicator"] == ind.id]
        if data.empty:
            continue
        if ind.model.type == "its":
            for unit, part in data[data["disaggregation"] == ""].groupby("unit", sort=True):
                its, coefs, series, diag = _fit(ind, str(unit), part)
                its_rows.append(its)
                coef_rows.append(coefs)
                series_rows.append(series)
                diag_rows.append(diag)
        elif ind.model.type == "before_after":
            ba_rows.append(_before_after(ind, data))
    return {
        "its": _concat(its_rows, ITS_COLUMNS),
        "its_coefficients": _concat(
            coef_rows,
            [
                "indicator",
                "unit",
                "model",
                "term",
                "estimate",
                "std_error",
                "ci_low",
                "ci_high",
                "p_value",
                "scale",
            ],
        ),
        "its_series": _concat(
            series_rows,
            [
                "indicator",
                "unit",
                "model",
                "period",
                "post",
                "observed",
                "denominator",
                "fitted",
                "fitted_ci_low",
                "fitted_ci_high",
                "counterfactual",
                "counterfactual_ci_low",
                "counterfactual_ci_high",
            ],
        ),
        "its_diagnostics": _concat(
            diag_rows,
            ["indicator", "unit", "model", "measure", "estimate", "df", "p_value", "detail"],
        ),
        "before_after": _concat(
            ba_rows,
            [
                "indicator",
                "unit",
                "group",
                "before_periods",
                "after_periods",
                *BEFORE_AFTER_COLUMNS,
            ],
        ),
        "indicator_summary": summarise_indicators(values, project),
        "goals": goal_attainment(values, project),
        "logic": project_logic(values, project),
        "outcomes": shares,
        "outcome_targets": targets,
    }


def _subgroup(disaggregation: str) -> str:
    return ";".join(p.split("=", 1)[0] for p in disaggregation.split(";")) if disaggregation else ""


def _ordered(part: pd.DataFrame, outcome: Outcome) -> pd.DataFrame:
    """Everyone first, then the subgroups in the registry's order (groups as they appear)."""
    rank = {name: i + 1 for i, name in enumerate(outcome.subgroups)}
    out = part.assign(subgroup=[_subgroup(d) for d in part["disaggregation"]])
    first = {d: i for i, d in enumerate(dict.fromkeys(out["disaggregation"]))}
    keys = [
        (rank.get(sg.split(";")[0], 0) if sg else 0, len(sg.split(";")) if sg else 0, first[d])
        for sg, d in zip(out["subgroup"], out["disaggregation"], strict=True)
    ]
    order = sorted(range(len(out)), key=lambda i: keys[i])
    return out.iloc[order]


def analyse_outcomes(counts: pd.DataFrame, project: Project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``outcomes`` and ``outcome_targets`` tables (see the module docstring)."""
    share_rows, target_rows = [], []
    for o in project.outcomes:
        data = counts[counts["outcome"] == o.id]
        categories = [c.id for c in o.categories]
        toward = set(o.target.categories) if o.target else set()
        for unit, part in data.groupby("unit", sort=True):
            part = _ordered(part.sort_values("period_start", kind="stable"), o)
            periods = _range_label(pd.Series(sorted(set(part["period"]))))
            tag = {"outcome": o.id, "unit": unit, "periods": periods}
            shares = category_shares(
                part, count="value", by=["disaggregation"], categories=categories,
                confidence=o.confidence,
            )  # fmt: skip
            shares = shares.rename(columns={"disaggregation": "group"}).assign(
                subgroup=lambda f: [_subgroup(g) for g in f["group"]],
                toward_target=shares["category"].isin(toward),
                **tag,
            )
            share_rows.append(shares[OUTCOME_COLUMNS])
            if o.target is None:
                continue
            t = o.target
            upto = part
            if t.deadline is not None:
                upto = part[part["period_start"] <= pd.Timestamp(t.deadline)]
            if upto.empty:
                target_rows.append(pd.DataFrame([{
                    **tag, "periods": "", "subgroup": "", "group": "",
                    "categories": ";".join(t.categories), "n": np.nan, "total": np.nan,
                    "share": np.nan, "ci_low": np.nan, "ci_high": np.nan, "target": t.share,
                    "baseline": np.nan if t.baseline is None else t.baseline,
                    "deadline": t.deadline.isoformat() if t.deadline else "",
                    "status": "not_measured", "progress": np.nan, "ci_position": "",
                    "p_value": np.nan, "method": "",
                }]))  # fmt: skip
                continue
            res = target_attainment(
                upto, toward=t.categories, target=t.share, count="value",
                by=["disaggregation"], baseline=t.baseline, confidence=o.confidence,
            )  # fmt: skip
            res = res.rename(columns={"disaggregation": "group"}).assign(
                subgroup=lambda f: [_subgroup(g) for g in f["group"]],
                categories=";".join(t.categories),
                deadline=t.deadline.isoformat() if t.deadline else "",
                **(tag | {"periods": _range_label(pd.Series(sorted(set(upto["period"]))))}),
            )
            target_rows.append(res[OUTCOME_TARGET_COLUMNS])
    return _concat(share_rows, OUTCOME_COLUMNS), _concat(target_rows, OUTCOME_TARGET_COLUMNS)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _fit(
    ind: Indicator, unit: str, part: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    m = ind.model
    assert ind.intervention is not None  # checked by the config model
    frame = part.rename(columns={"period_start": "period_date"})
    fit = fit_its(
        frame,
        period="period_date",
        intervention=_period_floor(ind.intervention, ind.frequency),
        family=m.family,
        denominator="denominator" if m.offset else None,
        frequency=ind.frequency,
        seasonality=m.seasonality if ind.frequency != "year" else "none",
        fourier_order=m.fourier_order,
        hac_lags=m.hac_lags,
        effect_times=tuple(m.effect_times),
        confidence=m.confidence,
    )
    tag = {"indicator": ind.id, "unit": unit, "model": m.family}
    est = fit.estimates
    main = est[~est["term"].str.startswith("coef:")].copy()
    suffix = _SUFFIX[ind.frequency]
    main["term"] = main["term"].str.replace(
        r"^effect_(\d+)_", lambda mt: f"effect_{mt.group(1)}{suffix}_", regex=True
    )
    its = main.assign(**tag)[ITS_COLUMNS]
    coefs = est[est["term"].str.startswith("coef:")].copy()
    coefs["term"] = coefs["term"].str.removeprefix("coef:")
    coefs = coefs.assign(**tag)
    periods = dict(zip(frame["period_date"], frame["period"], strict=True))
    series = fit.series.assign(**tag)
    series["period"] = [periods[p] for p in series["period"]]
    diag = fit.diagnostics.assign(**tag)
    diag = pd.concat(
        [
            diag,
            pd.DataFrame(
                [
                    {**tag, "measure": "formula", "detail": fit.formula},
                    {
                        **tag,
                        "measure": "intervention",
                        "detail": f"{ind.intervention.isoformat()} (first post period "
                        f"{series.loc[series['post'], 'period'].iloc[0]})",
                    },
                    {**tag, "measure": "seasonality", "detail": m.seasonality
                     + (f" (order {m.fourier_order})" if m.seasonality == "fourier" else "")},
                    {**tag, "measure": "effect_ci", "detail": "delta method"},
                ]
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    return its, coefs, series, diag


def _before_after(ind: Indicator, data: pd.DataFrame) -> pd.DataFrame:
    assert ind.intervention is not None
    cut = _period_floor(ind.intervention, ind.frequency)
    frame = data.assign(post=data["period_start"] >= cut).sort_values("period_start")
    out = before_after(
        frame,
        measure="proportion" if ind.measure == "proportion" else "mean",
        by=["unit", "disaggregation"],
        confidence=ind.model.confidence,
    )
    if out.empty:
        return out
    labels = []
    for _, row in out.iterrows():
        part = frame[
            (frame["unit"] == row["unit"]) & (frame["disaggregation"] == row["disaggregation"])
        ]
        labels.append(
            (
                _range_label(part.loc[~part["post"], "period"]),
                _range_label(part.loc[part["post"], "period"]),
            )
        )
    out["before_periods"] = [a for a, _ in labels]
    out["after_periods"] = [b for _, b in labels]
    return out.rename(columns={"disaggregation": "group"}).assign(indicator=ind.id)


def summarise_indicators(values: pd.DataFrame, project: Project) -> pd.DataFrame:
    """One row per indicator × unit × breakdown: the span of the data and a pooled value."""
    columns = ["indicator", "unit", "group", "measure", "first_period", "last_period",
               "n_periods", "value_total", "denominator_total", "estimate", "ci_low", "ci_high"]  # fmt: skip
    rows = []
    for ind in project.indicators:
        data = values[values["indicator"] == ind.id].sort_values("period_start")
        for (unit, group), part in data.groupby(["unit", "disaggregation"], sort=True):
            den = part["denominator"]
            total_den = float(den.sum()) if den.notna().any() else np.nan
            est = _pooled(ind, part)
            low = high = np.nan
            if ind.measure == "proportion" and total_den > 0:
                low, high = wilson_ci(float(part["value"].sum()), total_den)
            rows.append(
                {
                    "indicator": ind.id,
                    "unit": unit,
                    "group": group,
                    "measure": ind.measure,
                    "first_period": part["period"].iloc[0],
                    "last_period": part["period"].iloc[-1],
                    "n_periods": len(part),
                    "value_total": float(part["value"].sum()),
                    "denominator_total": total_den,
                    "estimate": est,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _pooled(ind: Indicator, part: pd.DataFrame) -> float:
    if part.empty:
        return float("nan")
    v, d = part["value"].astype(float), part["denominator"].astype(float)
    if ind.measure == "proportion" or (ind.measure == "count" and ind.model.offset):
        return float(v.sum() / d.sum()) if d.sum() > 0 else float("nan")
    if ind.measure == "mean" and d.notna().all() and d.sum() > 0:
        return float((v * d).sum() / d.sum())
    return float(v.mean())


def _goal_rows(ind: Indicator, values: pd.DataFrame) -> pd.DataFrame:
    """The indicator's rows a goal reads: the ``all`` unit and totals if present, else all rows
    pooled per period."""
    data = values[values["indicator"] == ind.id]
    if data.empty:
        return data
    chosen = data[(data["unit"] == "all") & (data["disaggregation"] == "")]
    if chosen.empty:
        chosen = data.groupby(["period", "period_start"], as_index=False).apply(
            lambda g: pd.Series(
                {
                    "value": float((g["value"] * g["denominator"]).sum() / g["denominator"].sum())
                    if ind.measure == "mean" and g["denominator"].notna().all()
                    else float(g["value"].sum()),
                    "denominator": float(g["denominator"].sum())
                    if g["denominator"].notna().any()
                    else np.nan,
                }
            ),
            include_groups=False,
        )
    return chosen.sort_values("period_start")


def _evaluate_target(
    ind: Indicator,
    values: pd.DataFrame,
    *,
    baseline: float | None,
    baseline_source: str,
    target_value: float | None,
    deadline: dt.date | None,
) -> dict:
    rows = _goal_rows(ind, values)
    window = WINDOW[ind.frequency]
    if baseline is None and not rows.empty:
        before = rows
        if ind.intervention is not None:
            before = rows[rows["period_start"] < _period_floor(ind.intervention, ind.frequency)]
        before = before.tail(window) if ind.intervention is not None else rows.head(window)
        if not before.empty:
            baseline = _pooled(ind, before)
            baseline_source = f"data {_range_label(before['period'])}"
    achieved = None
    achieved_periods = ""
    if not rows.empty:
        after = rows
        if deadline is not None:
            after = after[after["period_start"] <= pd.Timestamp(deadline)]
        if ind.intervention is not None:
            after = after[after["period_start"] >= _period_floor(ind.intervention, ind.frequency)]
        after = after.tail(window)
        if not after.empty:
            achieved = _pooled(ind, after)
            achieved_periods = _range_label(after["period"])
    if target_value is None:
        return {
            "baseline": baseline, "target": np.nan, "achieved": achieved,
            "status": "not_measured", "progress": np.nan, "baseline_source": baseline_source,
            "achieved_periods": achieved_periods,
        }  # fmt: skip
    status, progress = goal_status(
        baseline=baseline, target=target_value, achieved=achieved, direction=ind.direction
    )
    return {
        "baseline": baseline, "target": target_value, "achieved": achieved, "status": status,
        "progress": progress, "baseline_source": baseline_source,
        "achieved_periods": achieved_periods,
    }  # fmt: skip


def _goal_result(goal: Goal, registry: dict[str, Indicator], values: pd.DataFrame) -> dict:
    ind = registry.get(goal.indicator) if goal.indicator else None
    target = goal.target or (ind.target if ind else None)
    deadline = goal.deadline or (target.deadline if target else None)
    declared = goal.baseline or (ind.baseline if ind else None)
    row: dict = {
        "goal": goal.id,
        "level": goal.level,
        "indicator": goal.indicator or "",
        "deadline": deadline.isoformat() if deadline else "",
        "evidence_sv": goal.evidence.sv if goal.evidence else "",
        "evidence_en": goal.evidence.en if goal.evidence else "",
    }
    result = {
        "baseline": declared.value if declared else np.nan, "target": np.nan, "achieved": np.nan,
        "status": "not_measured", "progress": np.nan,
        "baseline_source": "declared" if declared else "", "achieved_periods": "",
    }  # fmt: skip
    if ind is not None:
        baseline = declared.value if declared else None
        target_value = target.resolve(baseline) if target else None
        if target is not None and target.relative is not None and baseline is None:
            # a relative target needs the baseline from the data first
            probe = _evaluate_target(
                ind, values, baseline=None, baseline_source="", target_value=None,
                deadline=deadline,
            )  # fmt: skip
            if probe["baseline"] is not None:
                target_value = target.resolve(probe["baseline"])
        result = _evaluate_target(
            ind, values, baseline=baseline,
            baseline_source="declared" if declared else "", target_value=target_value,
            deadline=deadline,
        )  # fmt: skip
    source = "data" if result["status"] != "not_measured" else ""
    if result["status"] == "not_measured" and goal.status is not None:
        result["status"] = goal.status
        source = "manual"
    elif goal.status is not None and goal.status != result["status"]:
        row["evidence_sv"] += f" (bedömt: {goal.status}; data ger {result['status']})"
        row["evidence_en"] += f" (judged: {goal.status}; the data give {result['status']})"
    row.update(result)
    row["status_source"] = source or "none"
    for key in ("baseline", "achieved"):
        row[key] = np.nan if row[key] is None else row[key]
    return row


def goal_attainment(values: pd.DataFrame, project: Project) -> pd.DataFrame:
    """One row per declared goal (see the module docstring for the values' source)."""
    registry = {i.id: i for i in project.indicators}
    columns = ["goal", "level", "indicator", "baseline", "target", "achieved", "deadline",
               "status", "progress", "status_source", "baseline_source", "achieved_periods",
               "evidence_sv", "evidence_en"]  # fmt: skip
    rows = [_goal_result(g, registry, values) for g in project.goals]
    return pd.DataFrame(rows, columns=columns)


def project_logic(values: pd.DataFrame, project: Project) -> pd.DataFrame:
    """The project logic's nodes with rolled-up status (see :func:`analysis.goals.logic_status`).

    Goals take their own status (data or manual) or the roll-up of their sub-goals; activities a
    manual status or the roll-up of their activity indicators and the goals they serve; indicators
    the status of their own target or, without one, the roll-up of the goals they measure, and
    ``no_target`` when they have data but neither.
    """
    goals = goal_attainment(values, project)
    goal_status_by_id = dict(zip(goals["goal"], goals["status"], strict=True))
    registry = {i.id: i for i in project.indicators}
    used = [
        i.id
        for i in project.indicators
        if any(g.indicator == i.id for g in project.goals)
        or any(i.id in a.indicators for a in project.activities)
    ]
    nodes: list[dict] = []
    status_edges: list[tuple[str, str]] = []
    for g in project.goals:
        links = [g.parent] if g.parent else []
        nodes.append(
            {"node": g.id, "kind": g.level, "label_sv": g.labels.sv, "label_en": g.labels.en,
             "links_to": ";".join(links), "status": goal_status_by_id.get(g.id)}
        )  # fmt: skip
        if g.parent:
            status_edges.append((g.id, g.parent))
    for a in project.activities:
        nodes.append(
            {"node": a.id, "kind": "activity", "label_sv": a.labels.sv, "label_en": a.labels.en,
             "links_to": ";".join(a.goals), "status": a.status}
        )  # fmt: skip
        for iid in a.indicators:
            status_edges.append((iid, a.id))
        for gid in a.goals:
            status_edges.append((gid, a.id))
    for iid in used:
        ind = registry[iid]
        own = None
        if ind.target is not None:
            own = _evaluate_target(
                ind, values, baseline=ind.baseline.value if ind.baseline else None,
                baseline_source="", target_value=ind.target.resolve(
                    ind.baseline.value if ind.baseline else None),
                deadline=ind.target.deadline,
            )["status"]  # fmt: skip
        if own is None or own == "not_measured":
            measured_by = [goal_status_by_id[g.id] for g in project.goals if g.indicator == iid]
            own = roll_up(measured_by) if measured_by else None
        if own in (None, "not_measured") and (values["indicator"] == iid).any():
            own = "no_target"
        links = [g.id for g in project.goals if g.indicator == iid] + [
            a.id for a in project.activities if iid in a.indicators
        ]
        nodes.append(
            {"node": iid, "kind": "indicator", "label_sv": ind.labels.sv,
             "label_en": ind.labels.en, "links_to": ";".join(links), "status": own}
        )  # fmt: skip
    frame = pd.DataFrame(
        nodes, columns=["node", "kind", "label_sv", "label_en", "links_to", "status"]
    )
    if frame.empty:
        return frame.assign(status_source=pd.Series(dtype=object))
    return logic_status(frame, status_edges)
