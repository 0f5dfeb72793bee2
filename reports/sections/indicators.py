"""Report content for the key figures (N3), the project logic (P1) and the statistical appendix.

:func:`report_sections` reads the results CSVs written from :func:`analysis.indicators.analyse_indicators`
and returns :class:`reports.document.SectionContent` for the report builder. Every number passes
through :mod:`reports.disclosure`; counts of persons (``persons: true`` indicators) obey the
small-cell rule (``project.privacy.min_cell_size``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from project.config import Project
from project.indicators import Indicator, Outcome
from reports import disclosure
from reports.disclosure import Column
from reports.document import FIGURE_DPI, SectionContent, figure_reference, pipe_table
from reports.figures.indicators import plot_its, plot_logic, plot_outcome
from reports.strings import Strings, report_strings

TOTAL = "__total__"
"""The category of a group's total in the cells passed to the small-cell rule."""
RESULTS = ("its", "its_series", "its_diagnostics", "before_after", "indicator_summary", "goals",
           "logic", "outcomes", "outcome_targets")  # fmt: skip
_TEXT = {c: str for c in ("indicator", "unit", "model", "term", "effect_scale", "group_by",
                          "group", "period", "goal", "level", "deadline", "status", "node", "kind",
                          "links_to", "measure", "diagnostic", "indicator_measure", "detail",
                          "phase", "first_period", "last_period", "evidence_sv", "evidence_en",
                          "label_sv", "label_en", "status_source", "achieved_periods",
                          "outcome", "periods", "category", "categories",
                          "ci_position", "toward_target", "method")}  # fmt: skip


def _read(results_dir: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Path]]:
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    for name in RESULTS:
        path = Path(results_dir) / f"{name}.csv"
        if path.is_file():
            df = pd.read_csv(path, dtype=_TEXT, keep_default_na=False, na_values=[""])
            for col in df.columns:
                if col in _TEXT:
                    df[col] = df[col].astype(object).where(df[col].notna(), "")
            tables[name] = df
            files[f"results/{name}.csv"] = path
    return tables, files


def _num(x: object, lang: str, decimals: int | None = None) -> str:
    if decimals is None:
        v = abs(float(x)) if not disclosure._is_missing(x) else 0.0
        decimals = 0 if v >= 100 else 1 if v >= 10 else 2
    return disclosure.format_number(x, decimals=decimals, lang=lang)


def _pct_change(ratio: object, lang: str, decimals: int = 0) -> str:
    if disclosure._is_missing(ratio):
        return disclosure.NOT_AVAILABLE
    return disclosure.format_percent(float(ratio) - 1, decimals=decimals, lang=lang)  # type: ignore[arg-type]


def _pct_ci(low: object, high: object, lang: str, *, change: bool, decimals: int = 0) -> str:
    if disclosure._is_missing(low) or disclosure._is_missing(high):
        return disclosure.NOT_AVAILABLE
    shift = 1.0 if change else 0.0
    text = disclosure.format_ci(
        (float(low) - shift) * 100,
        (float(high) - shift) * 100,
        decimals=decimals,
        lang=lang,  # type: ignore[arg-type]
    )
    return f"{text}\u00a0%" if lang == "sv" else f"{text}%"


def _p(p: object, s: Strings) -> str:
    if disclosure._is_missing(p):
        return disclosure.NOT_AVAILABLE
    if float(p) < 0.001:  # type: ignore[arg-type]
        return s("indicators.p_below")
    return disclosure.format_number(p, decimals=3, lang=s.lang)


def _unit_text(ind: Indicator, lang: str) -> str:
    return ind.unit_of_measure.get(lang) if ind.unit_of_measure else ""


def _month_text(period: str, lang: str) -> str:
    months_sv = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                 "september", "oktober", "november", "december"]  # fmt: skip
    months_en = ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"]  # fmt: skip
    if len(period) == 7 and period[4] == "-":
        m = int(period[5:7])
        return f"{(months_sv if lang == 'sv' else months_en)[m - 1]} {period[:4]}"
    return period


def _unit_label(project: Project, unit: str, lang: str) -> str:
    if unit == "all":
        return ""
    return project.organisation_label(unit, lang)


def report_sections(
    *, project: Project, results_dir: Path, figures_dir: Path, out_dir: Path, lang: str
) -> list[SectionContent]:
    """The generated content of N3 (key figures), P1 (project logic) and the appendix.

    Returns an empty list when the project declares no indicators, goals or activities.
    """
    if not (project.indicators or project.goals or project.activities or project.outcomes):
        return []
    s = report_strings(lang)
    tables, inputs = _read(results_dir)
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    registry = {i.id: i for i in project.indicators}
    figs: list[Path] = []
    n3: list[str] = [f"## {s('indicators.heading')}", ""]
    if project.indicators:
        n3 += [s("indicators.intro", n=_num(len(project.indicators), lang, 0)), ""]
    if not any(
        len(tables.get(n, pd.DataFrame())) for n in ("its", "before_after", "goals", "outcomes")
    ):
        n3 += [s("indicators.no_data"), ""]
    appendix: list[str] = []

    its = tables.get("its")
    series = tables.get("its_series")
    diagnostics = tables.get("its_diagnostics")
    if its is not None and not its.empty:
        appendix += [
            f"## {s('indicators.appendix_heading')}",
            "",
            s("indicators.appendix_intro"),
            "",
        ]
        for (ind_id, unit), part in its.groupby(["indicator", "unit"], sort=False):
            ind = registry.get(str(ind_id))
            if ind is None:
                continue
            name = ind.labels.get(lang)
            unit_label = _unit_label(project, str(unit), lang)
            title = f"{name} – {unit_label}" if unit_label else name
            n3 += [f"### {title}", ""]
            ser = None
            if series is not None:
                ser = series[(series["indicator"] == ind_id) & (series["unit"] == unit)]
            intervention = _month_text(
                f"{ind.intervention:%Y-%m}" if ind.intervention else "", lang
            )
            if ser is not None and not ser.empty:
                fig = plot_its(
                    ser, title=title, y_label=_y_label(ind, lang),
                    intervention_label=s("indicators.figure.intervention"), lang=lang,
                    rate=ind.model.offset,
                )  # fmt: skip
                path = figures_dir / f"its_{ind_id}_{unit}_{lang}.png"
                fig.savefig(path, dpi=FIGURE_DPI, metadata={"Software": None})
                figs.append(path)
                caption = s("indicators.its_figure", indicator=title, intervention=intervention)
                n3 += [f"![{caption}]({figure_reference(path, out_dir)}){{width=100%}}", ""]
            n3 += [*_its_sentences(part, ind, ser, intervention, s), ""]
            n3 += [_its_table(part, ind, s), ""]
            if diagnostics is not None:
                d = diagnostics[
                    (diagnostics["indicator"] == ind_id) & (diagnostics["unit"] == unit)
                ]
                appendix += [_diagnostics_table(d, title, ind, s), ""]

    ba = tables.get("before_after")
    if ba is not None and not ba.empty:
        n3 += [
            f"### {s('indicators.before_after_heading')}",
            "",
            _before_after_table(ba, project, s),
            "",
        ]
    summary = tables.get("indicator_summary")
    if summary is not None and not summary.empty:
        other = summary[[registry[i].model.type == "none" if i in registry else False
                         for i in summary["indicator"]]]  # fmt: skip
        if not other.empty:
            n3 += [_summary_table(other, project, s), ""]
    outcome_lines, outcome_figs = _outcome_content(tables, project, s, figures_dir, out_dir)
    n3 += outcome_lines
    figs += outcome_figs
    goals = tables.get("goals")
    if goals is not None and not goals.empty:
        n3 += [
            f"### {s('indicators.goals_heading')}",
            "",
            _goals_table(goals, project, s, tables.get("logic")),
            "",
        ]
        n3 += [s("indicators.goals_rule"), ""]
        judged = goals[goals["status_source"] == "manual"]
        if not judged.empty:
            n3 += [f"#### {s('indicators.evidence_heading')}", ""]
            labels = {g.id: g.labels.get(lang) for g in project.goals}
            for _, g in judged.iterrows():
                n3.append(f"- **{labels.get(g['goal'], g['goal'])}**: {g[f'evidence_{lang}']}")
            n3.append("")

    out = [SectionContent("n3_key_figures", "\n".join(n3), inputs=inputs, figures=tuple(figs))]
    logic = tables.get("logic")
    if logic is not None and not logic.empty:
        fig = plot_logic(logic, lang=lang)
        path = figures_dir / f"project_logic_{lang}.png"
        fig.savefig(path, dpi=FIGURE_DPI, metadata={"Software": None})
        p1 = [
            f"## {s('indicators.logic_heading')}", "", s("indicators.logic_intro"), "",
            f"![{s('indicators.logic_figure')}]({figure_reference(path, out_dir)}){{width=100%}}",
            "", _logic_table(logic, s), "",
        ]  # fmt: skip
        out.append(
            SectionContent("p1_project_logic", "\n".join(p1), inputs=inputs, figures=(path,))
        )
    if appendix:
        out.append(SectionContent("appendix", "\n".join(appendix), inputs=inputs))
    return out


def _y_label(ind: Indicator, lang: str) -> str:
    unit = _unit_text(ind, lang)
    freq = report_strings(lang)(f"indicators.frequency.{ind.frequency}")
    per = report_strings(lang)("indicators.per")
    if ind.model.offset:
        return f"{unit} {per} {_denominator_text(ind, lang)}".strip()
    return f"{unit} {per} {freq}".strip()


def _denominator_text(ind: Indicator, lang: str) -> str:
    if ind.denominator_unit is not None:
        return ind.denominator_unit.get(lang)
    return "nämnarenhet" if lang == "sv" else "unit of the denominator"


def _term_label(term: str, ind: Indicator, s: Strings) -> str:
    if term in ("pre_trend", "level_change", "slope_change"):
        return s(f"indicators.terms.{term}")
    parts = term.split("_")  # effect_12m_absolute
    h = int(parts[1][:-1])
    kind = parts[2]
    periods = s(f"indicators.frequency_plural.{ind.frequency}")
    return s(f"indicators.terms.effect_{kind}", h=h, periods=periods)


def _its_table(part: pd.DataFrame, ind: Indicator, s: Strings) -> str:
    lang = s.lang
    h = "indicators.headers."
    unit = _unit_text(ind, lang)
    rows = []
    for _, r in part.iterrows():
        if r["effect_scale"] == "ratio":
            est = _pct_change(
                r["estimate"], lang, 1 if r["term"] in ("pre_trend", "slope_change") else 0
            )
            ci = _pct_ci(r["ci_low"], r["ci_high"], lang, change=True,
                         decimals=1 if r["term"] in ("pre_trend", "slope_change") else 0)  # fmt: skip
        else:
            est = f"{_num(r['estimate'], lang)} {unit}".strip()
            ci = disclosure.format_ci(r["ci_low"], r["ci_high"], decimals=_decimals(r["estimate"]),
                                      lang=lang)  # fmt: skip
        rows.append({"term": _term_label(str(r["term"]), ind, s), "estimate": est, "ci": ci,
                     "p": _p(r["p_value"], s)})  # fmt: skip
    df = pd.DataFrame(rows)
    table = disclosure.format_table(
        df,
        [Column(s(h + "term"), "term", "text"), Column(s(h + "estimate"), "estimate", "text"),
         Column(s(h + "ci"), "ci", "text"), Column(s(h + "p"), "p", "text")],
        lang=lang, threshold=None,
    )  # fmt: skip
    table.attrs["align"] = ["left", "right", "right", "right"]
    if (part["effect_scale"] == "ratio").any():
        table.attrs["notes"] = [s("indicators.term_notes.ratio"), *table.attrs["notes"]]
    model = s(f"indicators.families.{ind.model.family}")
    if ind.model.offset:
        model += " " + s("indicators.with_offset")
    name = ind.labels.get(lang)
    return pipe_table(table, caption=s("indicators.its_caption", indicator=name, model=model),
                      note_prefix=s("note_prefix"))  # fmt: skip


def _decimals(x: object) -> int:
    v = abs(float(x)) if not disclosure._is_missing(x) else 0.0  # type: ignore[arg-type]
    return 0 if v >= 100 else 1 if v >= 10 else 2


def _its_sentences(
    part: pd.DataFrame, ind: Indicator, ser: pd.DataFrame | None, intervention: str, s: Strings
) -> list[str]:
    lang = s.lang
    rows = part.set_index("term")
    out = []
    if "level_change" in rows.index:
        r = rows.loc["level_change"]
        if r["effect_scale"] == "ratio":
            out.append(s("indicators.its_sentence_ratio", intervention=intervention,
                         level=_pct_change(r["estimate"], lang),
                         level_ci=_pct_ci(r["ci_low"], r["ci_high"], lang, change=True)))  # fmt: skip
        else:
            out.append(s("indicators.its_sentence_difference", intervention=intervention,
                         level=_num(r["estimate"], lang), unit=_unit_text(ind, lang),
                         period=s(f"indicators.frequency.{ind.frequency}"),
                         level_ci=disclosure.format_ci(r["ci_low"], r["ci_high"],
                                                       decimals=_decimals(r["estimate"]),
                                                       lang=lang)))  # fmt: skip
    for term in rows.index:
        if not (term.startswith("effect_") and term.endswith("_absolute")):
            continue
        rel_term = term.replace("_absolute", "_relative")
        if rel_term not in rows.index:
            continue
        a, r = rows.loc[term], rows.loc[rel_term]
        h = int(term.split("_")[1][:-1])
        when = ""
        if ser is not None and not ser.empty:
            post = ser[ser["post"].astype(str).str.lower().isin(["true", "1"])]
            if len(post) > h:
                when = _month_text(str(post["period"].iloc[h]), lang)
        unit = _unit_text(ind, lang)
        if ind.model.offset:
            unit = f"{unit} {s('indicators.per')} {_denominator_text(ind, lang)}".strip()
        else:
            unit = (
                f"{unit} {s('indicators.per')} {s(f'indicators.frequency.{ind.frequency}')}".strip()
            )
        out.append(s("indicators.its_effect_sentence", h=h,
                     periods=s(f"indicators.frequency_plural.{ind.frequency}"), when=when,
                     absolute=_num(a["estimate"], lang), unit=unit,
                     absolute_ci=disclosure.format_ci(a["ci_low"], a["ci_high"],
                                                      decimals=_decimals(a["estimate"]), lang=lang),
                     relative=_pct_change(r["estimate"], lang),
                     relative_ci=_pct_ci(r["ci_low"], r["ci_high"], lang, change=True)))  # fmt: skip
    return [" ".join(out)] if out else []


def _group_label(group: str, s: Strings) -> str:
    if not group or group == "all":
        return s("indicators.all_groups")
    return ", ".join(part.split("=", 1)[-1] for part in group.split(";"))


def _wide_before_after(ba: pd.DataFrame) -> pd.DataFrame:
    """``before_after.csv`` (one row per phase) as one row per comparison: ``before_*``,
    ``after_*`` and ``difference*`` side by side."""
    keys = ["indicator", "unit", "group_by", "group", "measure"]
    rows = []
    for key, part in ba.groupby(keys, sort=False):
        by = part.set_index("phase")
        row = dict(zip(keys, key, strict=True))
        for phase in ("before", "after"):
            for column in ("periods", "n", "estimate", "ci_low", "ci_high"):
                row[f"{phase}_{column}"] = by.loc[phase, column]
        difference = by.loc["difference"]
        row["difference"] = difference["estimate"]
        row["difference_ci_low"] = difference["ci_low"]
        row["difference_ci_high"] = difference["ci_high"]
        rows.append(row)
    return pd.DataFrame(rows)


def _before_after_table(long: pd.DataFrame, project: Project, s: Strings) -> str:
    ba = _wide_before_after(long)
    lang = s.lang
    threshold = project.privacy.min_cell_size
    registry = {i.id: i for i in project.indicators}
    h = "indicators.headers."
    rows = []
    suppressed = False
    for _, r in ba.iterrows():
        ind = registry.get(r["indicator"])
        if ind is None:
            continue
        persons = ind.persons
        name = ind.labels.get(lang)
        unit_label = _unit_label(project, r["unit"], lang)
        if unit_label:
            name = f"{name} ({unit_label})"
        small_b = persons and ind.measure == "proportion" and 0 < r["before_n"] < threshold
        small_a = persons and ind.measure == "proportion" and 0 < r["after_n"] < threshold

        def side(r: pd.Series, prefix: str, small: bool, periods: str) -> str:
            if small:
                return f"{disclosure.SUPPRESSED} ({periods})"
            if r["measure"] == "proportion":
                value = disclosure.format_percent(r[f"{prefix}_estimate"], lang=lang)
                ci = _pct_ci(r[f"{prefix}_ci_low"], r[f"{prefix}_ci_high"], lang, change=False)
                return (
                    f"{value} ({ci}; {periods})"
                    if ci != disclosure.NOT_AVAILABLE
                    else f"{value} ({periods})"
                )
            value = _num(r[f"{prefix}_estimate"], lang)
            return f"{value} ({periods})"

        if r["measure"] == "proportion":
            diff = ("–" if small_a or small_b else
                    f"{disclosure.format_number(r['difference'] * 100, decimals=0, lang=lang)} "
                    f"{'procentenheter' if lang == 'sv' else 'percentage points'} "
                    f"({disclosure.format_ci(r['difference_ci_low'] * 100, r['difference_ci_high'] * 100, decimals=0, lang=lang)})")  # fmt: skip
        else:
            ci = disclosure.format_ci(r["difference_ci_low"], r["difference_ci_high"],
                                      decimals=_decimals(r["difference"]), lang=lang)  # fmt: skip
            diff = _num(r["difference"], lang)
            if ci != disclosure.NOT_AVAILABLE:
                diff += f" ({ci})"
        is_share = r["measure"] == "proportion"
        cut = threshold if persons else None

        def n_col(n: object, is_share: bool = is_share, cut: int | None = cut) -> str:
            if not is_share:
                return disclosure.NOT_AVAILABLE
            return disclosure.format_n(n, threshold=cut, lang=lang)

        suppressed = suppressed or small_a or small_b
        rows.append({
            "indicator": name, "group": _group_label(r["group"], s),
            "before": side(r, "before", small_b, r["before_periods"]), "n_before": n_col(r["before_n"]),
            "after": side(r, "after", small_a, r["after_periods"]), "n_after": n_col(r["after_n"]),
            "difference": diff,
        })  # fmt: skip
    df = pd.DataFrame(rows)
    cols = [Column(s(h + k), k, "text") for k in
            ("indicator", "group", "before", "n_before", "after", "n_after", "difference")]  # fmt: skip
    table = disclosure.format_table(df, cols, lang=lang, threshold=None)
    table.attrs["align"] = ["left", "left", "right", "right", "right", "right", "right"]
    notes = []
    if suppressed:
        notes.append(disclosure.suppression_note(threshold, lang=lang))
    if any(disclosure.NOT_AVAILABLE in str(v) for v in df.to_numpy().ravel()):
        notes.append(disclosure.not_available_note(lang=lang))
    table.attrs["notes"] = notes
    return pipe_table(table, caption=s("indicators.before_after_caption"),
                      note_prefix=s("note_prefix"))  # fmt: skip


def _summary_table(summary: pd.DataFrame, project: Project, s: Strings) -> str:
    lang = s.lang
    threshold = project.privacy.min_cell_size
    registry = {i.id: i for i in project.indicators}
    h = "indicators.headers."
    rows = []
    for _, r in summary.iterrows():
        ind = registry[r["indicator"]]
        name = ind.labels.get(lang)
        unit_label = _unit_label(project, r["unit"], lang)
        period = r["first_period"] if r["first_period"] == r["last_period"] else \
            f"{r['first_period']}–{r['last_period']}"  # fmt: skip
        n = r["denominator_total"]
        if ind.measure == "proportion":
            value = disclosure.format_percent(r["estimate"], lang=lang)
            ci = _pct_ci(r["ci_low"], r["ci_high"], lang, change=False)
            value = f"{value} ({ci})"
            if ind.persons and 0 < float(n) < threshold:
                value = disclosure.SUPPRESSED
        elif ind.measure == "mean":
            value = f"{_num(r['estimate'], lang, 2)} {_unit_text(ind, lang)}".strip()
        else:
            value = f"{_num(r['value_total'], lang, 0)} {_unit_text(ind, lang)}".strip()
        rows.append({"indicator": name, "group": unit_label or _group_label(r["group"], s),
                     "period": period, "value": value, "n": n})  # fmt: skip
    df = pd.DataFrame(rows)
    table = disclosure.format_table(
        df,
        [Column(s(h + "indicator"), "indicator", "text"), Column(s(h + "group"), "group", "text"),
         Column(s(h + "period"), "period", "text"), Column(s(h + "value"), "value", "text"),
         Column("n", "n", "integer")],
        lang=lang, threshold=None,
    )  # fmt: skip
    caption = "Övriga nyckeltal" if lang == "sv" else "Other key figures"
    return pipe_table(table, caption=caption, note_prefix=s("note_prefix"))


def _goal_value(ind: Indicator | None, x: object, lang: str) -> str:
    if disclosure._is_missing(x):
        return disclosure.NOT_AVAILABLE
    if ind is not None and ind.measure == "proportion":
        return disclosure.format_percent(x, lang=lang)
    return _num(x, lang, 1 if abs(float(x)) < 100 else 0)  # type: ignore[arg-type]


def _goals_table(
    goals: pd.DataFrame, project: Project, s: Strings, logic: pd.DataFrame | None = None
) -> str:
    lang = s.lang
    rolled: dict[str, str] = {}
    if logic is not None and not logic.empty:
        rolled = dict(zip(logic["node"], logic["status"], strict=True))
    any_rolled = False
    registry = {i.id: i for i in project.indicators}
    labels = {g.id: g.labels.get(lang) for g in project.goals}
    h = "indicators.headers."
    rows = []
    for _, g in goals.iterrows():
        ind = registry.get(g["indicator"]) if g["indicator"] else None
        status = s(f"indicators.status.{g['status']}")
        if g["status_source"] == "manual":
            status += "*"
        elif g["status"] == "not_measured" and rolled.get(g["goal"], "not_measured") not in (
            "not_measured",
            "no_target",
        ):
            status = s(f"indicators.status.{rolled[g['goal']]}") + "†"
            any_rolled = True
        rows.append({
            "goal": f"{labels.get(g['goal'], g['goal'])}",
            "level": s(f"indicators.levels.{g['level']}"),
            "baseline": _goal_value(ind, g["baseline"], lang),
            "target": _goal_value(ind, g["target"], lang),
            "achieved": _goal_value(ind, g["achieved"], lang),
            "deadline": g["deadline"] or "",
            "status": status,
        })  # fmt: skip
    df = pd.DataFrame(rows)
    keys = ("goal", "level", "baseline", "target", "achieved", "deadline", "status")
    table = disclosure.format_table(df, [Column(s(h + k), k, "text") for k in keys],
                                    lang=lang, threshold=None)  # fmt: skip
    table.attrs["align"] = ["left", "left", "right", "right", "right", "left", "left"]
    notes = []
    if any_rolled:
        notes.append(s("indicators.rolled_up_note"))
    if (goals["achieved"].isna()).any():
        notes.append(disclosure.not_available_note(lang=lang))
    table.attrs["notes"] = notes
    text = pipe_table(table, caption=s("indicators.goals_caption"), note_prefix=s("note_prefix"))
    return text


def _logic_table(logic: pd.DataFrame, s: Strings) -> str:
    lang = s.lang
    h = "indicators.headers."
    rows = [
        {"level": s(f"indicators.levels.{r['kind']}"), "node": r[f"label_{lang}"],
         "status": s("indicators.no_target") if r["status"] == "no_target"
         else s(f"indicators.status.{r['status']}")}
        for _, r in logic.iterrows()
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    table = disclosure.format_table(
        df, [Column(s(h + k), k, "text") for k in ("level", "node", "status")], lang=lang,
        threshold=None,
    )  # fmt: skip
    return pipe_table(table, caption=s("indicators.logic_caption"))


def _diagnostics_table(d: pd.DataFrame, title: str, ind: Indicator, s: Strings) -> str:
    lang = s.lang
    h = "indicators.headers."
    rows = []
    model = s(f"indicators.families.{ind.model.family}")
    if ind.model.offset:
        model += " " + s("indicators.with_offset")
    season = s(f"indicators.seasonality.{ind.model.seasonality}", order=ind.model.fourier_order)
    rows.append(
        {"measure": s("indicators.headers.measure"), "value": f"{model}; {season}", "p": ""}
    )
    for _, r in d.iterrows():
        m = str(r["diagnostic"])
        if m in ("formula", "intervention", "seasonality", "effect_ci"):
            if m == "formula":
                rows.append({"measure": "Formel" if lang == "sv" else "Formula",
                             "value": str(r["detail"]), "p": ""})  # fmt: skip
            continue
        label = s.get(f"indicators.diagnostics.{m}", m)
        decimals = 0 if m in ("n", "n_pre", "n_post", "hac_lag", "parameters") else 2
        value = disclosure.format_number(r["estimate"], decimals=decimals, lang=lang)
        if m == "ljung_box" and not disclosure._is_missing(r["df"]):
            value += f" ({r['detail']})"
        rows.append({"measure": label, "value": value,
                     "p": "" if disclosure._is_missing(r["p_value"]) else _p(r["p_value"], s)})  # fmt: skip
    df = pd.DataFrame(rows)
    table = disclosure.format_table(
        df, [Column(s(h + "measure"), "measure", "text"), Column(s(h + "value"), "value", "text"),
             Column(s(h + "p"), "p", "text")], lang=lang, threshold=None,
    )  # fmt: skip
    return pipe_table(table, caption=s("indicators.diagnostics_caption", indicator=title))


def _isnan(x: object) -> bool:
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


# -- participant outcomes ------------------------------------------------------------------------
def outcome_cells(part: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The rows of ``outcomes.csv`` for one outcome and unit with the small-cell rule applied.

    Adds each group's total as a ``__total__`` row and runs
    :func:`reports.disclosure.suppress_breakdowns` (primary and complementary suppression across
    categories and across the groups of each breakdown).
    """
    totals = part.drop_duplicates(["group_by", "group"])[["group_by", "group", "total"]].assign(
        category=TOTAL, n=lambda f: f["total"]
    )
    cells = pd.concat([part, totals], ignore_index=True)
    # suppress_breakdowns knows everyone by an empty subgroup; the results say group_by "all"
    subgroup = cells["group_by"].where(cells["group_by"] != "all", "")
    out = disclosure.suppress_breakdowns(cells.assign(subgroup=subgroup), threshold=threshold)
    return out.drop(columns=["subgroup"])


def _is_true(x: object) -> bool:
    return str(x).strip().lower() in ("true", "1")


def _count_text(row: pd.Series, threshold: int, lang: str) -> str:
    if not bool(row["suppressed"]):
        return disclosure.format_number(row["n"], decimals=0, lang=lang)
    return (
        f"<{threshold}"
        if row["suppression_reason"] == disclosure.PRIMARY
        else disclosure.SUPPRESSED
    )


def _share_ci(row: pd.Series, lang: str) -> tuple[str, str]:
    if bool(row["suppressed"]):
        return disclosure.SUPPRESSED, disclosure.SUPPRESSED
    return (
        disclosure.format_percent(row["share"], lang=lang),
        _pct_ci(row["ci_low"], row["ci_high"], lang, change=False),
    )


def _group_text(group: str, outcome_subgroups: tuple[str, ...], s: Strings) -> str:
    if not group or group == "all":
        return s("indicators.all_groups")
    return ", ".join(part.split("=", 1)[-1] for part in group.split(";"))


def _outcome_content(
    tables: dict[str, pd.DataFrame],
    project: Project,
    s: Strings,
    figures_dir: Path,
    out_dir: Path,
) -> tuple[list[str], list[Path]]:
    shares = tables.get("outcomes")
    if shares is None or shares.empty:
        return [], []
    lang = s.lang
    threshold = project.privacy.min_cell_size
    targets = tables.get("outcome_targets", pd.DataFrame())
    o_ = "indicators.outcomes."
    lines = [f"### {s(o_ + 'heading')}", "", s(o_ + "intro", threshold=threshold), ""]
    figs: list[Path] = []
    for outcome in project.outcomes:
        for unit, part in shares[shares["outcome"] == outcome.id].groupby("unit", sort=False):
            cells = outcome_cells(part.reset_index(drop=True), threshold)
            is_total = cells["category"] == TOTAL
            everyone = cells[(cells["group_by"] == "all") & ~is_total].reset_index(drop=True)
            name = outcome.labels.get(lang)
            unit_label = _unit_label(project, str(unit), lang)
            title = f"{name} – {unit_label}" if unit_label else name
            periods = str(part["periods"].iloc[0])
            lines += [f"#### {title}", ""]
            if outcome.definition is not None:
                lines += [outcome.definition.get(lang), ""]
            labels = {c.id: c.labels.get(lang) for c in outcome.categories}
            phrases = {c.id: c.phrase.get(lang) for c in outcome.categories if c.phrase}
            if not everyone.empty:
                fig = plot_outcome(everyone, labels=labels, title=title, lang=lang,
                                   threshold=threshold)  # fmt: skip
                path = figures_dir / f"outcome_{outcome.id}_{unit}_{lang}.png"
                fig.savefig(path, dpi=FIGURE_DPI, metadata={"Software": None})
                figs.append(path)
                caption = s(o_ + "figure", outcome=title, periods=periods)
                lines += [f"![{caption}]({figure_reference(path, out_dir)}){{width=90%}}", ""]
                total = float(everyone["total"].iloc[0])
                population = (
                    outcome.population.get(lang) if outcome.population else s(o_ + "population")
                )
                lines.append(
                    s(
                        o_ + "total_sentence",
                        total=_num(total, lang, 0),
                        population=population,
                        periods=periods,
                    )
                )
                lines.append("")
                for _, r in everyone.iterrows():
                    lines.append("- " + _outcome_sentence(r, labels, phrases, threshold, s))
                lines.append("")
                lines += [_outcome_table(everyone, labels, s, threshold, title, periods), ""]
            sub = cells[(cells["group_by"] != "all")]
            if not sub.empty:
                lines += [_subgroup_table(cells, outcome, labels, s, threshold, title), ""]
            if outcome.target is not None and not targets.empty:
                t = targets[(targets["outcome"] == outcome.id) & (targets["unit"] == unit)]
                if not t.empty:
                    lines += _target_lines(t, cells, outcome, labels, s, threshold, title)
    return lines, figs


def _outcome_sentence(
    r: pd.Series, labels: dict[str, str], phrases: dict[str, str], threshold: int, s: Strings
) -> str:
    lang = s.lang
    o_ = "indicators.outcomes."
    cat = str(r["category"])
    phrase = phrases.get(cat)
    if bool(r["suppressed"]):
        kind = (
            "small_sentence" if r["suppression_reason"] == disclosure.PRIMARY else "hidden_sentence"
        )
        if phrase:
            text = s(o_ + kind, threshold=threshold, phrase=phrase)
        else:
            text = s(o_ + kind + "_label", threshold=threshold, label=labels.get(cat, cat))
        return text
    share, ci = _share_ci(r, lang)
    values = {
        "n": _num(r["n"], lang, 0),
        "total": _num(r["total"], lang, 0),
        "share": share,
        "ci": ci,
    }
    if phrase:
        return s(o_ + "sentence", phrase=phrase, **values)
    return s(o_ + "sentence_label", label=labels.get(cat, cat), **values)


def _outcome_table(
    everyone: pd.DataFrame,
    labels: dict[str, str],
    s: Strings,
    threshold: int,
    title: str,
    periods: str,
) -> str:
    lang = s.lang
    h = "indicators.outcomes.headers."
    rows = []
    for _, r in everyone.iterrows():
        share, ci = _share_ci(r, lang)
        rows.append({
            "category": labels.get(str(r["category"]), str(r["category"])),
            "count": f"{_count_text(r, threshold, lang)} / {_num(r['total'], lang, 0)}",
            "share": share, "ci": ci,
            "toward": "✓" if _is_true(r["toward_target"]) else "",
        })  # fmt: skip
    keys = ["category", "count", "share", "ci"]
    if any(row["toward"] for row in rows):
        keys.append("toward")
    df = pd.DataFrame(rows)
    table = disclosure.format_table(df, [Column(s(h + k), k, "text") for k in keys], lang=lang,
                                    threshold=None)  # fmt: skip
    table.attrs["align"] = ["left", "right", "right", "right", "center"][: len(keys)]
    if everyone["suppressed"].any():
        table.attrs["notes"] = [_outcome_suppression_note(threshold, lang)]
    return pipe_table(table, caption=s("indicators.outcomes.caption", outcome=title,
                                       periods=periods), note_prefix=s("note_prefix"))  # fmt: skip


def _outcome_suppression_note(threshold: int, lang: str) -> str:
    if lang == "sv":
        return (
            f"<{threshold} = färre än {threshold} personer; {disclosure.SUPPRESSED} = visas inte så "
            f"att en liten grupp inte kan räknas fram ur summorna."
        )
    return (
        f"<{threshold} = fewer than {threshold} persons; {disclosure.SUPPRESSED} = withheld so "
        f"that a small group cannot be worked out from the totals."
    )


def _subgroup_table(
    cells: pd.DataFrame,
    outcome: Outcome,
    labels: dict[str, str],
    s: Strings,
    threshold: int,
    title: str,
) -> str:
    lang = s.lang
    h = "indicators.outcomes.headers."
    cats = [c.id for c in outcome.categories]
    rows = []
    for (subgroup, group), part in cells.groupby(["group_by", "group"], sort=False):
        by_cat = part.set_index("category")
        tot = by_cat.loc[TOTAL]
        row = {
            "subgroup": s.get(f"indicators.outcomes.subgroups.{subgroup}", str(subgroup))
            if subgroup != "all" else "",
            "group": _group_text(str(group), outcome.subgroups, s),
            "n": _count_text(tot, threshold, lang),
        }  # fmt: skip
        for c in cats:
            r = by_cat.loc[c]
            if bool(r["suppressed"]):
                row[c] = _count_text(r, threshold, lang)
            elif float(r["total"]) > 0:
                row[c] = (f"{_count_text(r, threshold, lang)} "
                          f"({disclosure.format_percent(r['share'], lang=lang)})")  # fmt: skip
            else:
                row[c] = disclosure.NOT_AVAILABLE
        rows.append(row)
    df = pd.DataFrame(rows)
    cols = [Column(s(h + "subgroup"), "subgroup", "text"), Column(s(h + "group"), "group", "text"),
            Column(s(h + "n"), "n", "text")]  # fmt: skip
    cols += [Column(labels.get(c, c), c, "text") for c in cats]
    table = disclosure.format_table(df, cols, lang=lang, threshold=None)
    table.attrs["align"] = ["left", "left", "right"] + ["right"] * len(cats)
    notes = []
    if cells["suppressed"].any():
        notes.append(_outcome_suppression_note(threshold, lang))
    if any(disclosure.NOT_AVAILABLE in str(v) for v in df.to_numpy().ravel()):
        notes.append(disclosure.not_available_note(lang=lang))
    table.attrs["notes"] = notes
    return pipe_table(table, caption=s("indicators.outcomes.by_subgroup_caption", outcome=title),
                      note_prefix=s("note_prefix"))  # fmt: skip


def _target_hidden(cells: pd.DataFrame, group: tuple[str, str], toward: set[str]) -> bool:
    """Whether a group's (``group_by``, ``group``) target count would reveal hidden cells: hidden
    cells on both sides."""
    mine = (cells["group_by"] == group[0]) & (cells["group"] == group[1])
    part = cells[mine & (cells["category"] != TOTAL)]
    hidden = part[part["suppressed"].astype(bool)]
    sides = {c in toward for c in hidden["category"]}
    tot = cells[mine & (cells["category"] == TOTAL)]
    small_total = bool(tot["suppressed"].any()) if not tot.empty else False
    return len(sides) > 1 or small_total


def _target_lines(
    t: pd.DataFrame,
    cells: pd.DataFrame,
    outcome: Outcome,
    labels: dict[str, str],
    s: Strings,
    threshold: int,
    title: str,
) -> list[str]:
    lang = s.lang
    o_ = "indicators.outcomes."
    h = o_ + "headers."
    target = outcome.target
    assert target is not None
    toward = set(target.categories)
    what = (
        target.labels.get(lang)
        if target.labels
        else s(
            o_ + "target_what", categories=", ".join(labels.get(c, c) for c in target.categories)
        )
    )
    deadline = s(o_ + "deadline", deadline=target.deadline.isoformat()) if target.deadline else ""
    out: list[str] = []
    rows = []
    for _, r in t.iterrows():
        hidden = _target_hidden(cells, (str(r["group_by"]), str(r["group"])), toward)
        status = s(f"indicators.status.{r['status']}")
        if hidden or disclosure._is_missing(r["share"]):
            result, share = disclosure.SUPPRESSED if hidden else disclosure.NOT_AVAILABLE, ""
            if hidden:
                status = disclosure.SUPPRESSED
        else:
            share = disclosure.format_percent(r["share"], lang=lang)
            ci = _pct_ci(r["ci_low"], r["ci_high"], lang, change=False)
            result = f"{_num(r['n'], lang, 0)} / {_num(r['total'], lang, 0)}"
            share = f"{share} ({ci})"
        if r["group_by"] == "all" and not hidden and not disclosure._is_missing(r["share"]):
            position = s(o_ + f"position.{r['ci_position']}") if r["ci_position"] else ""
            out += [
                s(o_ + "target_sentence",
                  target=disclosure.format_percent(r["target"], lang=lang), what=what,
                  deadline=deadline, n=_num(r["n"], lang, 0), total=_num(r["total"], lang, 0),
                  share=disclosure.format_percent(r["share"], lang=lang),
                  ci=_pct_ci(r["ci_low"], r["ci_high"], lang, change=False),
                  status=status.lower(), position=position),
                "",
            ]  # fmt: skip
        rows.append({
            "subgroup": s.get(f"{o_}subgroups.{r['group_by']}", str(r["group_by"]))
            if r["group_by"] != "all" else "",
            "group": _group_text(str(r["group"]), outcome.subgroups, s),
            "count": result, "share": share, "status": status,
        })  # fmt: skip
    if len(rows) > 1:
        df = pd.DataFrame(rows)
        keys = ("subgroup", "group", "count", "share", "status")
        heads = {"count": s(h + "count"), "share": f"{s(h + 'share')} ({s(h + 'ci')})"}
        cols = [Column(heads.get(k, s(h + k)), k, "text") for k in keys]
        table = disclosure.format_table(df, cols, lang=lang, threshold=None)
        table.attrs["align"] = ["left", "left", "right", "right", "left"]
        notes = [s(o_ + "target_rule")]
        if (df["status"] == disclosure.SUPPRESSED).any():
            notes.append(_outcome_suppression_note(threshold, lang))
        table.attrs["notes"] = notes
        out += [pipe_table(table, caption=s(o_ + "target_caption", outcome=title),
                           note_prefix=s("note_prefix")), ""]  # fmt: skip
    return out
