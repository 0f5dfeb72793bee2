"""The analysis plan of indicators: interrupted time series, before/after comparisons, summaries,
goal attainment, the project logic and participant outcomes.

:func:`analyse_indicators` takes the store's frames and project.yaml and returns the tables
``its``, ``its_coefficients``, ``its_series``, ``its_diagnostics``, ``before_after``,
``indicator_summary``, ``goals``, ``logic``, ``outcomes`` and ``outcome_targets`` — tidy and
unrounded, their columns as :mod:`analysis.columns` says. How a goal's values come from the data
is in :mod:`analysis.attainment`, the ITS model in :mod:`analysis.its`.

Nothing here reads files, prints, rounds or changes its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.attainment import goal_attainment, pooled_value, project_logic
from analysis.breakdowns import breakdown, with_breakdown
from analysis.columns import stack_tables, table
from analysis.its import ITSDataError, ITSModel, fit_its
from analysis.outcomes import outcome_tables
from analysis.periods import SUFFIX, period_floor
from analysis.proportions import before_after, wilson_ci
from project.config import Project
from project.indicators import Indicator


@dataclass(frozen=True)
class ITSUnit:
    """One ITS fit: an indicator × unit, and the (indicator, unit) series it reads."""

    indicator: str
    unit: str
    reads: tuple[tuple[str, str], ...]


__all__ = [
    "INDICATOR_VALUE_COLUMNS",
    "OUTCOME_VALUE_COLUMNS",
    "ITSUnit",
    "analyse_indicators",
    "its_plan",
    "its_unit",
    "series_with_totals",
    "summarise_indicators",
]

#: Columns of the store's indicator values (the input of :func:`analyse_indicators`).
INDICATOR_VALUE_COLUMNS = (
    "indicator",
    "unit",
    "period",
    "period_start",
    "disaggregation",
    "value",
    "denominator",
)
#: Columns of the store's outcome counts.
OUTCOME_VALUE_COLUMNS = (
    "outcome",
    "unit",
    "period",
    "period_start",
    "category",
    "disaggregation",
    "value",
)
_ITS_TABLES = ("its", "its_coefficients", "its_series", "its_diagnostics")


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    dtypes = {"period_start": "datetime64[ns]", "value": "float64", "denominator": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in columns})


def its_plan(series: Sequence[tuple[str, str]], project: Project) -> list[ITSUnit]:
    """The ITS fits of a project, one per indicator × unit with data (``series``: the store's
    (indicator, unit) pairs with totals), in the order of :func:`analyse_indicators`'s tables:
    indicators as registered, units sorted. Each names the series its fit reads (its own and
    its control's)."""
    plan = []
    for ind in project.indicators:
        if ind.model.type != "its":
            continue
        for unit in sorted(u for i, u in series if i == ind.id):
            reads = [(ind.id, unit)]
            if ind.model.control is not None:
                reads.append((ind.model.control.indicator, ind.model.control.unit or unit))
            plan.append(ITSUnit(ind.id, unit, tuple(reads)))
    return plan


def its_unit(values: pd.DataFrame, unit: ITSUnit, *, project: Project) -> dict[str, pd.DataFrame]:
    """The four ITS tables of one indicator × unit (a work unit of :func:`its_plan`) from
    ``values`` holding at least the totals of ``unit.reads``; a table the fit does not give is
    left out."""
    ind = next(i for i in project.indicators if i.id == unit.indicator)
    part = values[
        (values["indicator"] == ind.id)
        & (values["unit"] == unit.unit)
        & (values["disaggregation"] == "")
    ]
    return _its_tables(ind, unit.unit, part, values)


def analyse_indicators(
    values: pd.DataFrame | None,
    outcome_values: pd.DataFrame | None,
    *,
    project: Project,
    its: Sequence[Mapping[str, pd.DataFrame]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every indicator table of a project.

    Parameters
    ----------
    values
        The active indicator values (:data:`INDICATOR_VALUE_COLUMNS`; ``disaggregation`` is
        ``""`` for totals), or ``None`` when nothing is loaded. Not modified.
    outcome_values
        The active outcome counts (:data:`OUTCOME_VALUE_COLUMNS`), or ``None``.
    project
        The project: its indicators, goals, activities and outcomes.
    its
        The ITS tables of every fit of :func:`its_plan`, in its order, when they were computed
        apart (:func:`its_unit`, e.g. on a cluster); fitted here when ``None``.

    Returns
    -------
    dict of str to pandas.DataFrame
        The ten tables named in the module docstring; a table without rows keeps its columns.
    """
    values = _empty(INDICATOR_VALUE_COLUMNS) if values is None else values
    counts = _empty(OUTCOME_VALUE_COLUMNS) if outcome_values is None else outcome_values
    fits = list(its) if its is not None else _its_fits(values, project)
    comparisons = []
    for ind in project.indicators:
        data = values[values["indicator"] == ind.id]
        if not data.empty and ind.model.type == "before_after":
            comparisons.append(_before_after(ind, data))
    return (
        {name: stack_tables(name, [f[name] for f in fits if name in f]) for name in _ITS_TABLES}
        | {"before_after": stack_tables("before_after", comparisons)}
        | {
            "indicator_summary": summarise_indicators(values, project),
            "goals": goal_attainment(values, project),
            "logic": project_logic(values, project),
        }
        | outcome_tables(counts, project.outcomes)
    )


def series_with_totals(values: pd.DataFrame) -> list[tuple[str, str]]:
    """The (indicator, unit) pairs with totals (``disaggregation = ''``) in ``values``, sorted:
    what :func:`its_plan` takes."""
    totals = values[values["disaggregation"] == ""]
    return sorted(set(zip(totals["indicator"], totals["unit"], strict=True)))


def _its_fits(values: pd.DataFrame, project: Project) -> list[dict[str, pd.DataFrame]]:
    series = series_with_totals(values)
    return [its_unit(values, unit, project=project) for unit in its_plan(series, project)]


def _its_model(ind: Indicator) -> ITSModel:
    m = ind.model
    return ITSModel(
        family=m.family,
        frequency=ind.frequency,
        seasonality=m.seasonality if ind.frequency != "year" else "none",
        fourier_order=m.fourier_order,
        impact=m.impact,
        interval=m.interval,
        control=m.control.method if m.control else None,
        hac_lags=m.hac_lags,
        effect_times=tuple(m.effect_times),
        confidence=m.confidence,
    )


def _with_control(
    ind: Indicator, unit: str, frame: pd.DataFrame, values: pd.DataFrame
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The series with its control's values (column ``control``) on the periods both have, and
    what the diagnostics say about the control."""
    control = ind.model.control
    assert control is not None
    where = control.unit or unit
    rows = values[
        (values["indicator"] == control.indicator)
        & (values["unit"] == where)
        & (values["disaggregation"] == "")
    ]
    paired = frame.merge(
        rows[["period_start", "value"]].rename(
            columns={"period_start": "period_date", "value": "control"}
        ),
        on="period_date",
        how="inner",
    )
    left_out = len(frame) - len(paired)
    text = f"indicator {control.indicator}, unit {where}, method {control.method}"
    if left_out:
        text += f"; {left_out} period(s) without a control value left out"
    return paired, [("control", text)]


def _its_tables(
    ind: Indicator, unit: str, part: pd.DataFrame, values: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The four ITS tables of one indicator × unit; a series the model cannot be fitted to gives
    one ``not_fitted`` diagnostic with the reason and no estimates."""
    assert ind.intervention is not None  # checked by the config model
    frame = part.rename(columns={"period_start": "period_date"})
    tag = {"indicator": ind.id, "unit": unit, "model": ind.model.family}
    notes: list[tuple[str, str]] = []
    if ind.model.control is not None:
        frame, notes = _with_control(ind, unit, frame, values)
    try:
        fit = fit_its(
            frame,
            period="period_date",
            intervention=period_floor(ind.intervention, ind.frequency),
            model=_its_model(ind),
            denominator="denominator" if ind.model.offset else None,
            control="control" if ind.model.control else None,
        )
    except ITSDataError as exc:
        notes.append(("not_fitted", str(exc)))
        rows = [tag | {"diagnostic": d, "detail": text} for d, text in notes]
        columns = list(table("its_diagnostics").columns)
        return {"its_diagnostics": pd.DataFrame(rows).reindex(columns=columns)}
    est = fit.estimates
    coefficient = est["term"].str.startswith("coef:")
    main = est[~coefficient].assign(**tag)
    main["term"] = main["term"].str.replace(
        r"^effect_(\d+)_", lambda mt: f"effect_{mt.group(1)}{SUFFIX[ind.frequency]}_", regex=True
    )
    coefs = est[coefficient].assign(**tag)
    coefs["term"] = coefs["term"].str.removeprefix("coef:")
    labels = dict(zip(frame["period_date"], frame["period"], strict=True))
    series = fit.series.assign(**tag)
    series["period"] = [labels[p] for p in series["period"]]
    first_post = series.loc[series["post"], "period"].iloc[0]
    m = ind.model
    settings = [
        ("formula", fit.formula),
        ("intervention", f"{ind.intervention.isoformat()} (first post period {first_post})"),
        (
            "seasonality",
            m.seasonality + (f" (order {m.fourier_order})" if m.seasonality == "fourier" else ""),
        ),
        ("effect_ci", "delta method"),
        *notes,
    ]
    extra = pd.DataFrame([tag | {"diagnostic": d, "detail": text} for d, text in settings])
    return {
        "its": main,
        "its_coefficients": coefs,
        "its_series": series,
        "its_diagnostics": pd.concat([fit.diagnostics.assign(**tag), extra], ignore_index=True),
    }


def _before_after(ind: Indicator, data: pd.DataFrame) -> pd.DataFrame:
    """Before/after rows of one indicator, per unit × breakdown."""
    assert ind.intervention is not None
    cut = period_floor(ind.intervention, ind.frequency)
    frame = data.assign(post=data["period_start"] >= cut).sort_values("period_start")
    out = before_after(
        frame,
        measure="proportion" if ind.measure == "proportion" else "mean",
        period="period",
        by=["unit", "disaggregation"],
        confidence=ind.model.confidence,
    )
    return with_breakdown(out).assign(indicator=ind.id)


def _summary_row(ind: Indicator, part: pd.DataFrame) -> dict[str, object]:
    den = part["denominator"]
    total_den = float(den.sum()) if den.notna().any() else float("nan")
    low = high = float("nan")
    if ind.measure == "proportion" and total_den > 0:
        low, high = wilson_ci(float(part["value"].sum()), total_den)
    return {
        "indicator_measure": ind.measure,
        "first_period": part["period"].iloc[0],
        "last_period": part["period"].iloc[-1],
        "n_periods": len(part),
        "value_total": float(part["value"].sum()),
        "denominator_total": total_den,
        "estimate": pooled_value(ind, part),
        "ci_low": low,
        "ci_high": high,
    }


def summarise_indicators(values: pd.DataFrame, project: Project) -> pd.DataFrame:
    """The ``indicator_summary`` table: one row per indicator × unit × breakdown, the span of the
    data and a pooled value (:func:`analysis.attainment.pooled_value`)."""
    rows = []
    for ind in project.indicators:
        data = values[values["indicator"] == ind.id].sort_values("period_start")
        for (unit, disaggregation), part in data.groupby(["unit", "disaggregation"], sort=True):
            group_by, group = breakdown(str(disaggregation))
            head = {"indicator": ind.id, "unit": unit, "group_by": group_by, "group": group}
            rows.append(head | _summary_row(ind, part))
    return pd.DataFrame(rows, columns=list(table("indicator_summary").columns))
