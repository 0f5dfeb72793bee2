"""The key figures' tables: the ITS model per indicator and its diagnostics, before/after
comparisons, other key figures and goal attainment.

Cells are written through :mod:`reports.disclosure` (values by size, percentage changes for
ratios, p-values one way); counts of persons (``persons: true`` indicators) obey the small-cell
rule. Rows are read by their ``term``, ``diagnostic``, ``phase`` and ``measure`` values, so a
term or diagnostic the analysis adds shows up by its name until the strings give it words.
"""

from __future__ import annotations

import math

import pandas as pd

from project.config import Project
from project.indicators import Indicator
from reports import disclosure
from reports.content import Table
from reports.disclosure import Column
from reports.sections.indicator_common import (
    group_text,
    model_words,
    term_label,
    unit_label,
    unit_text,
)
from reports.strings import Strings

H = "indicators.headers."
_SLOW_TERMS = ("pre_trend", "slope_change")
"""Terms that change little per period: their percentage changes get a decimal."""


def _text_columns(s: Strings, keys: tuple[str, ...], align: tuple[str, ...]) -> list[Column]:
    return [
        Column(s(H + k), k, "text", align_as=a)  # type: ignore[arg-type]
        for k, a in zip(keys, align, strict=True)
    ]


def _text_table(df: pd.DataFrame, columns: list[Column], lang: str) -> pd.DataFrame:
    """Cells already written as text (no small-cell rule left to apply)."""
    return disclosure.format_table(df, columns, lang=lang, threshold=None)


def its_table(part: pd.DataFrame, ind: Indicator, s: Strings) -> Table:
    """The model's terms and effects of one indicator and unit."""
    lang = s.lang
    unit = unit_text(ind, lang)
    rows = []
    for _, r in part.iterrows():
        if r["effect_scale"] == "ratio":
            decimals = 1 if r["term"] in _SLOW_TERMS else 0
            est = disclosure.format_change(r["estimate"], lang=lang, decimals=decimals)
            ci = disclosure.format_percent_ci(
                r["ci_low"], r["ci_high"], lang=lang, change=True, decimals=decimals
            )
        else:
            est = f"{disclosure.format_value(r['estimate'], lang=lang)} {unit}".strip()
            decimals = disclosure.auto_decimals(r["estimate"])
            ci = disclosure.format_ci(r["ci_low"], r["ci_high"], decimals=decimals, lang=lang)
        p = disclosure.format_p(r["p_value"], lang=lang)
        rows.append({"term": term_label(str(r["term"]), ind, s), "estimate": est, "ci": ci, "p": p})
    keys = ("term", "estimate", "ci", "p")
    table = _text_table(pd.DataFrame(rows), _text_columns(s, keys, ("left", *["right"] * 3)), lang)
    if (part["effect_scale"] == "ratio").any():
        table.attrs["notes"] = [s("indicators.term_notes.ratio"), *table.attrs["notes"]]
    caption = s("indicators.its_caption", indicator=ind.labels.get(lang), model=model_words(ind, s))
    return Table(table, caption, s("note_prefix"))


_SETTINGS = ("formula", "intervention", "seasonality", "effect_ci")
_PROSE = ("design", "impact", "interval")
"""Diagnostics that are the analysis' English description of the model (no estimate): shown in
the English report with their labels, left out of the Swedish one (the results file has them)."""
_WHOLE = ("n", "n_pre", "n_post", "hac_lag", "parameters")


def diagnostics_table(d: pd.DataFrame, title: str, ind: Indicator, s: Strings) -> Table:
    """The model, its formula and its checks (dispersion, autocorrelation, fit)."""
    lang = s.lang
    season = s(f"indicators.seasonality.{ind.model.seasonality}", order=ind.model.fourier_order)
    rows = [{"measure": s(H + "measure"), "value": f"{model_words(ind, s)}; {season}", "p": ""}]
    for _, r in d.iterrows():
        m = str(r["diagnostic"])
        if m in _SETTINGS:
            if m == "formula":
                formula = "Formel" if lang == "sv" else "Formula"
                rows.append({"measure": formula, "value": str(r["detail"]), "p": ""})
            continue
        if m in _PROSE:
            if lang == "en" and str(r["detail"]):
                label = s.get(f"indicators.diagnostics.{m}", m)
                rows.append({"measure": label, "value": str(r["detail"]), "p": ""})
            continue
        decimals = 0 if m in _WHOLE else 2
        value = disclosure.format_number(r["estimate"], decimals=decimals, lang=lang)
        if m == "ljung_box" and not disclosure.is_missing(r["df"]):
            value += f" ({r['detail']})"
        p = (
            ""
            if disclosure.is_missing(r["p_value"])
            else disclosure.format_p(r["p_value"], lang=lang)
        )
        rows.append({"measure": s.get(f"indicators.diagnostics.{m}", m), "value": value, "p": p})
    columns = [Column(s(H + k), k, "text") for k in ("measure", "value", "p")]
    table = _text_table(pd.DataFrame(rows), columns, lang)
    return Table(table, s("indicators.diagnostics_caption", indicator=title))


def _side(row: pd.Series, small: bool, lang: str) -> str:
    """One side of a before/after comparison: value (interval; periods)."""
    periods = row["periods"]
    if small:
        return f"{disclosure.SUPPRESSED} ({periods})"
    if row["measure"] == "proportion":
        value = disclosure.format_percent(row["estimate"], lang=lang)
        ci = disclosure.format_percent_ci(row["ci_low"], row["ci_high"], lang=lang)
        return (
            f"{value} ({ci}; {periods})"
            if ci != disclosure.NOT_AVAILABLE
            else f"{value} ({periods})"
        )
    return f"{disclosure.format_value(row['estimate'], lang=lang)} ({periods})"


def _difference(row: pd.Series, hidden: bool, lang: str) -> str:
    if row["measure"] == "proportion":
        if hidden:
            return disclosure.SUPPRESSED
        points = disclosure.format_number(row["estimate"] * 100, decimals=0, lang=lang)
        word = "procentenheter" if lang == "sv" else "percentage points"
        ci = disclosure.format_ci(row["ci_low"] * 100, row["ci_high"] * 100, decimals=0, lang=lang)
        return f"{points} {word} ({ci})"
    decimals = disclosure.auto_decimals(row["estimate"])
    ci = disclosure.format_ci(row["ci_low"], row["ci_high"], decimals=decimals, lang=lang)
    text = disclosure.format_value(row["estimate"], lang=lang)
    return f"{text} ({ci})" if ci != disclosure.NOT_AVAILABLE else text


def _comparison_row(
    part: pd.DataFrame, ind: Indicator, project: Project, s: Strings
) -> tuple[dict[str, str], bool]:
    """One comparison (its before, after and difference rows) as a table row; whether a side
    was hidden by the small-cell rule."""
    lang, threshold = s.lang, project.privacy.min_cell_size
    phase = {str(r["phase"]): r for _, r in part.iterrows()}
    before, after, difference = phase["before"], phase["after"], phase["difference"]
    first = part.iloc[0]
    counted = ind.persons and ind.measure == "proportion"
    small_b = counted and disclosure.is_small_cell(before["n"], threshold)
    small_a = counted and disclosure.is_small_cell(after["n"], threshold)
    is_share = first["measure"] == "proportion"

    def n_text(n: object) -> str:
        if not is_share:
            return disclosure.NOT_AVAILABLE
        return disclosure.format_n(n, threshold=threshold if ind.persons else None, lang=lang)

    name = ind.labels.get(lang)
    place = unit_label(project, first["unit"], lang)
    row = {
        "indicator": f"{name} ({place})" if place else name,
        "group": group_text(first["group"], s),
        "before": _side(before, small_b, lang),
        "n_before": n_text(before["n"]),
        "after": _side(after, small_a, lang),
        "n_after": n_text(after["n"]),
        "difference": _difference(difference, small_a or small_b, lang),
    }
    return row, small_a or small_b


def before_after_table(ba: pd.DataFrame, project: Project, s: Strings) -> Table:
    """Each comparison (indicator × unit × group) in one row: before, after, difference."""
    lang, threshold = s.lang, project.privacy.min_cell_size
    registry = {i.id: i for i in project.indicators}
    keys = ["indicator", "unit", "group_by", "group", "measure"]
    rows, suppressed = [], False
    for (indicator, *_), part in ba.groupby(keys, sort=False):
        ind = registry.get(str(indicator))
        if ind is None:
            continue
        row, hidden = _comparison_row(part, ind, project, s)
        rows.append(row)
        suppressed = suppressed or hidden
    df = pd.DataFrame(rows)
    names = ("indicator", "group", "before", "n_before", "after", "n_after", "difference")
    table = _text_table(df, _text_columns(s, names, ("left", "left", *["right"] * 5)), lang)
    notes = [disclosure.suppression_note(threshold, lang=lang)] if suppressed else []
    if any(disclosure.NOT_AVAILABLE in str(v) for v in df.to_numpy().ravel()):
        notes.append(disclosure.not_available_note(lang=lang))
    table.attrs["notes"] = notes
    return Table(table, s("indicators.before_after_caption"), s("note_prefix"))


def summary_table(summary: pd.DataFrame, project: Project, s: Strings) -> Table:
    """Indicators without a model: their span of data and pooled value."""
    lang, threshold = s.lang, project.privacy.min_cell_size
    registry = {i.id: i for i in project.indicators}
    rows = []
    for _, r in summary.iterrows():
        ind = registry[r["indicator"]]
        first, last = r["first_period"], r["last_period"]
        n = r["denominator_total"]
        if ind.measure == "proportion":
            value = disclosure.format_percent(r["estimate"], lang=lang)
            ci = disclosure.format_percent_ci(r["ci_low"], r["ci_high"], lang=lang)
            value = f"{value} ({ci})"
            if ind.persons and disclosure.is_small_cell(n, threshold):
                value = disclosure.SUPPRESSED
        elif ind.measure == "mean":
            value = f"{disclosure.format_value(r['estimate'], lang=lang, decimals=2)} {unit_text(ind, lang)}"
        else:
            value = f"{disclosure.format_value(r['value_total'], lang=lang, decimals=0)} {unit_text(ind, lang)}"
        rows.append(
            {
                "indicator": ind.labels.get(lang),
                "group": unit_label(project, r["unit"], lang) or group_text(r["group"], s),
                "period": first if first == last else f"{first}–{last}",
                "value": value.strip(),
                "n": n,
            }
        )
    columns = [Column(s(H + k), k, "text") for k in ("indicator", "group", "period", "value")]
    table = _text_table(pd.DataFrame(rows), [*columns, Column("n", "n", "integer")], lang)
    caption = "Övriga nyckeltal" if lang == "sv" else "Other key figures"
    return Table(table, caption, s("note_prefix"))


def _goal_value(ind: Indicator | None, x: object, lang: str) -> str:
    if disclosure.is_missing(x):
        return disclosure.NOT_AVAILABLE
    if ind is not None and ind.measure == "proportion":
        return disclosure.format_percent(x, lang=lang)
    return disclosure.format_value(x, lang=lang, decimals=goal_decimals(float(x)))  # type: ignore[arg-type]


def goal_decimals(x: float) -> int:
    """Decimals of a goal's value: none from 100, one from 1, else two significant digits (a
    rate of 0.058 is 0,058, never 0,1).

    >>> goal_decimals(1712.0), goal_decimals(12.5), goal_decimals(0.058), goal_decimals(0.0)
    (0, 1, 3, 1)
    """
    v = abs(x)
    if v >= 100:
        return 0
    if v >= 1 or v == 0:
        return 1
    return min(4, 1 - math.floor(math.log10(v)))


_STATUSES = ("reached", "partly_reached", "not_reached", "not_measured")
_LEVELS = ("impact", "project", "sub_goal", "activity")


def _rolled(logic: pd.DataFrame) -> dict[str, str]:
    return dict(zip(logic["node"], logic["status"], strict=True)) if not logic.empty else {}


def effective_status(goal: pd.Series, rolled: dict[str, str]) -> str:
    """A goal's status as the goals table shows it: its own, or, when it has no data of its own,
    the status rolled up from its sub-goals in the project logic (marked † there)."""
    own = str(goal["status"])
    if own == "not_measured" and rolled.get(goal["goal"]) in _STATUSES:
        return rolled[goal["goal"]]
    return own


def attainment_table(goals: pd.DataFrame, s: Strings, logic: pd.DataFrame) -> Table:
    """A final report's goal attainment in full: how many goals of each level are reached,
    partly reached, not reached or not measured (each goal counted once, by the status the goals
    table shows), and all levels together. Counts of goals, not of persons: no small cells."""
    rolled = _rolled(logic)
    status = [effective_status(g, rolled) for _, g in goals.iterrows()]
    counts = pd.crosstab(goals["level"].to_numpy(), pd.Series(status, dtype=str).to_numpy())
    counts = counts.reindex(columns=list(_STATUSES), fill_value=0)
    levels = [lv for lv in _LEVELS if lv in counts.index]
    levels += [lv for lv in counts.index if lv not in levels]
    counts = counts.reindex(levels)
    counts.loc["all"] = counts.sum()
    counts["total"] = counts.sum(axis=1)
    names = {lv: s(f"indicators.levels.{lv}") for lv in levels} | {"all": s("indicators.all_goals")}
    rows = pd.DataFrame({"level": [names[lv] for lv in counts.index]})
    for col in [*_STATUSES, "total"]:
        rows[col] = [str(int(v)) for v in counts[col]]
    heads = {k: s(f"indicators.status.{k}") for k in _STATUSES} | {"total": s("indicators.total")}
    columns = [Column(s(H + "level"), "level", "text", align_as="left")]
    columns += [Column(heads[k], k, "text", align_as="right") for k in [*_STATUSES, "total"]]
    return Table(_text_table(rows, columns, s.lang), s("indicators.attainment_caption"))


def goals_table(goals: pd.DataFrame, project: Project, s: Strings, logic: pd.DataFrame) -> Table:
    """Goal attainment: baseline, target, achieved, deadline and status per goal."""
    lang = s.lang
    rolled = _rolled(logic)
    any_rolled = False
    registry = {i.id: i for i in project.indicators}
    labels = {g.id: g.labels.get(lang) for g in project.goals}
    rows = []
    for _, g in goals.iterrows():
        ind = registry.get(g["indicator"]) if g["indicator"] else None
        status: str = s(f"indicators.status.{g['status']}")
        if g["status_source"] == "manual":
            status = f"{status}*"  # a cell is text: pipe_table escapes it
        elif g["status"] == "not_measured" and rolled.get(g["goal"], "not_measured") not in (
            "not_measured",
            "no_target",
        ):
            status = str(s(f"indicators.status.{rolled[g['goal']]}")) + "†"
            any_rolled = True
        rows.append(
            {
                "goal": f"{labels.get(g['goal'], g['goal'])}",
                "level": s(f"indicators.levels.{g['level']}"),
                "baseline": _goal_value(ind, g["baseline"], lang),
                "target": _goal_value(ind, g["target"], lang),
                "achieved": _goal_value(ind, g["achieved"], lang),
                "deadline": g["deadline"] or "",
                "status": status,
            }
        )
    keys = ("goal", "level", "baseline", "target", "achieved", "deadline", "status")
    align = ("left", "left", "right", "right", "right", "left", "left")
    table = _text_table(pd.DataFrame(rows), _text_columns(s, keys, align), lang)
    notes: list[str] = [s("indicators.rolled_up_note")] if any_rolled else []
    if goals["achieved"].isna().any():
        notes.append(disclosure.not_available_note(lang=lang))
    table.attrs["notes"] = notes
    return Table(table, s("indicators.goals_caption"), s("note_prefix"))
