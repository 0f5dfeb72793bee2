"""The survey section's statistics: normalisation profile, change between waves, differences
between groups, response rates and the appendix's mixed-model table."""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

from analysis.wave_comparison import MIXED_MODEL
from reports import disclosure
from reports.content import Block, Table, Text
from reports.disclosure import Column
from reports.disclosure.linear import (
    PRIMARY,
    SECONDARY,
    Cell,
    Published,
    Sum,
    hidden_bounds,
    protect,
    secure,
)
from reports.escaping import Markdown
from reports.labels import group_label
from reports.sections.survey_common import H, Instrument, blank_repeats

SH = "survey_stats.headers."
"""The strings of the statistics tables' headers."""
_LIGHTS = {"green": 3.0, "yellow": 2.0, "red": 1.0}
GROUPINGS = ("staff_group", "organisation")


def _measure_label(ins: Instrument, scale: str, item: str) -> str:
    if scale:
        return ins.spec.scale(scale).label.get(ins.lang)
    it = ins.spec.item(item)
    return f"{it.source_code} {it.label.get(ins.lang)}"


def profile_table(ins: Instrument) -> Table | None:
    """Constructs and general items side by side per wave with a traffic light."""
    profile = ins.get("normalisation_profile")
    if profile is None or profile.empty:
        return None
    s = ins.s
    waves = ins.waves(profile)
    df = profile.assign(
        _w=profile["wave"].astype(str).map({w: i for i, w in enumerate(waves)}),
        _k=(profile["scale"] == "").astype(int),
    ).sort_values(["_w", "_k"], kind="stable")
    df["label"] = [
        _measure_label(ins, sc, it) for sc, it in zip(df["scale"], df["item"], strict=True)
    ]
    df["wave_label"] = [ins.wave_label(w) for w in df["wave"]]
    # The light is a value like the mean: blank it with the mean for small groups.
    df["light_code"] = [_LIGHTS.get(str(x), float("nan")) for x in df["light"]]
    columns = [
        Column(s(H + "wave"), "wave_label", "text"),
        Column(s(SH + "measure"), "label", "text"),
        Column(s(H + "n"), "n", "n"),
        Column(s(H + "mean"), "mean", "number"),
        Column(s(H + "ci"), ("ci_low", "ci_high"), "ci"),
        Column(s(SH + "light"), "light_code", "number", decimals=0),
    ]
    table = ins.format(df, columns)
    names = {"3": "green", "2": "yellow", "1": "red"}
    light_header = s(SH + "light")
    table[light_header] = [
        s(f"survey_stats.light.{names[v]}") if v in names else v for v in table[light_header]
    ]
    table = blank_repeats(table, s(H + "wave"))
    lights = ins.project.survey.traffic_lights
    table.attrs["notes"] = [
        s(
            "survey_stats.profile_note",
            green=ins.number(lights.green * 100),
            yellow=ins.number(lights.yellow * 100),
            green_15=ins.number(1 + 4 * lights.green, 1),
            yellow_15=ins.number(1 + 4 * lights.yellow, 1),
        ),
        *table.attrs["notes"],
    ]
    caption = s("survey_stats.profile_caption", kind=ins.kind_words)
    return ins.table(table, caption, "normalisation_profile", profile)


def _change_rows(ins: Instrument, part: pd.DataFrame) -> list[dict[str, object]]:
    """Per scale of one contrast: the paired change of the linked and the mixed model of all."""
    order = ins.scale_order
    rows = []
    for scale in sorted(set(part["scale"]) & set(order), key=order.__getitem__):
        sc = part[part["scale"] == scale]
        paired = sc[sc["method"] == "paired t test"]
        # The model every instrument gets (the extended one is in the appendix).
        mixed = sc[(sc["sample"] == "all") & (sc["method"] == MIXED_MODEL)]
        if paired.empty or mixed.empty:
            continue
        p, m = paired.iloc[0], mixed.iloc[0]
        rows.append(
            {
                "construct": ins.spec.scale(scale).label.get(ins.lang),
                "n_linked": int(p["n_linked"]),
                "paired": p["estimate"],
                "paired_low": p["ci_low"],
                "paired_high": p["ci_high"],
                "dz": p["effect_size"],
                "n_all": int(m["n"]),
                "mixed": m["estimate"],
                "mixed_low": m["ci_low"],
                "mixed_high": m["ci_high"],
                "p": m["p_value"],
            }
        )
    return rows


def change_blocks(ins: Instrument) -> list[Block]:
    """Per contrast: an intro (how many were linked) and a table of change per construct."""
    comparison = ins.get("wave_comparison")
    if comparison is None:
        return []
    s, threshold = ins.s, ins.threshold
    out: list[Block] = []
    for contrast in list(dict.fromkeys(comparison["contrast"].astype(str))):
        part = comparison[comparison["contrast"].astype(str) == contrast]
        rows = _change_rows(ins, part)
        if not rows:
            continue
        df = pd.DataFrame(rows)
        columns = [
            Column(ins.scale_header, "construct", "text"),
            Column(s(SH + "n_linked"), "n_linked", "n"),
            Column(s(SH + "paired"), "paired", "number"),
            Column(s(H + "ci") + " ", ("paired_low", "paired_high"), "ci"),
            Column(s(SH + "dz"), "dz", "number"),
            Column(s(SH + "mixed"), "mixed", "number"),
            Column(s(H + "ci"), ("mixed_low", "mixed_high"), "ci"),
            Column(s(SH + "p"), "p", "p"),
        ]
        # The linked n governs the rule (the smallest group behind any value in the row).
        table = ins.format(df, columns, n_col="n_linked")

        def fmt_n(n: object) -> str:
            return disclosure.format_n(int(n), threshold=threshold, lang=ins.lang)  # type: ignore[call-overload]

        low, high = int(df["n_linked"].min()), int(df["n_linked"].max())
        linked = fmt_n(low) if low == high else f"{fmt_n(low)}–{fmt_n(high)}"
        present = part["n_present_both"].dropna()
        contrast = ins.contrast_label(contrast)
        intro = (
            s(
                "survey_stats.change_intro_present",
                contrast=contrast,
                present=fmt_n(present.max()),
                linked=linked,
            )
            if not present.empty
            else s("survey_stats.change_intro", contrast=contrast, linked=linked)
        )
        caption = s("survey_stats.change_caption", kind=ins.kind_words, contrast=contrast)
        out += [Text(intro), ins.table(table, caption, "wave_comparison", part)]
    return out


def _welch_rows(ins: Instrument, part: pd.DataFrame) -> pd.DataFrame | None:
    welch = part[part["method"] == "Welch one-way ANOVA"]
    if welch.empty:
        return None
    kw = part[part["method"] == "Kruskal-Wallis test"].set_index(["wave", "scale"])["p_value"]
    df = ins.by_construct_and_wave(welch)
    df["welch_text"] = [
        f"{ins.number(f, 2)} ({ins.number(d1, 0)}; {ins.number(d2, 1)})"
        for f, d1, d2 in zip(df["statistic"], df["df"], df["df2"], strict=True)
    ]
    df["kw_p"] = [
        kw.get((w, sc), float("nan")) for w, sc in zip(df["wave"], df["scale"], strict=True)
    ]
    return df


def group_tests(ins: Instrument) -> list[tuple[Table, str]]:
    """Omnibus tests per grouping (only groups of at least min_cell_size; never their names when
    excluded), with the Holm-significant pairs in a sentence."""
    comparison = ins.get("group_comparison")
    if comparison is None:
        return []
    s, lang, spec = ins.s, ins.lang, ins.spec
    out: list[tuple[Table, str]] = []
    for group_by in GROUPINGS:
        part = comparison[
            (comparison["group_by"] == group_by) & comparison["scale"].isin(ins.scale_order)
        ]
        df = _welch_rows(ins, part)
        if df is None:
            continue
        columns = [
            Column(ins.scale_header, "construct", "text"),
            Column(s(H + "wave"), "wave", "text"),
            Column(s(SH + "k_groups"), "k_groups", "integer"),
            Column(s(H + "n"), "n", "n"),
            Column(s(SH + "welch"), "welch_text", "text"),
            Column("p", "p_value", "p"),
            Column(s(SH + "omega2"), "effect_size", "number"),
            Column(s(SH + "kw_p"), "kw_p", "p"),
        ]
        table = blank_repeats(ins.format(df, columns), ins.scale_header)
        _protect_test_n(ins, df.reset_index(drop=True), table, group_by)
        pairs = part[(part["comparison"] == "pairwise") & (part["p_adjusted"] < 0.05)]
        listed = [
            f"{spec.scale(str(r.scale)).label.get(lang)} {r.wave}: "
            f"{group_label(ins.project, group_by, str(r.group_b), lang)} − "
            f"{group_label(ins.project, group_by, str(r.group_a), lang)} "
            f"{ins.number(r.estimate, 2)}"
            for r in pairs.itertuples(index=False)
        ]
        sentence = (
            s("survey_stats.pairs_sentence", pairs="; ".join(listed))
            if listed
            else s("survey_stats.pairs_none")
        )
        caption = s(
            "survey_stats.groups_tests_caption",
            grouping=s(f"survey_stats.grouping.{group_by}"),
            kind=ins.kind_words,
            threshold=ins.threshold,
        )
        out.append((ins.table(table, caption, "group_comparison", part), sentence))
    return out


def _test_n_record(
    row: pd.Series, sizes: dict[tuple[str, ...], float], threshold: int, group_by: str
) -> Published | None:
    """The sum a reader knows for one test row: the included groups' ``n`` and the excluded
    groups (each with its mark in the table of means) add up to everyone's ``n``."""
    wave, scale = str(row["wave"]), str(row["scale"])
    everyone = sizes.get(("all", wave, scale))
    excluded = [g for g in str(row.get("groups_excluded") or "").split(";") if g and g != "nan"]
    if everyone is None or not excluded:
        return None
    cells = [Cell("n", wave, "n", float(row["n"])), Cell("all", wave, "n (everyone)", everyone)]
    for g in excluded:
        n = sizes.get((group_by, wave, scale, g), 0.0)
        small = 0 < n < threshold
        low, high = hidden_bounds(PRIMARY, threshold) if small else (n, n)
        cells.append(Cell(g, f"{wave} | {g}", "n", None if small else n, low, high))
    members = tuple(c.id for c in cells if c.id != "all")
    exact = float(row["n"]) + sum(sizes.get((group_by, wave, scale, g), 0.0) for g in excluded)
    return Published("", "", tuple(cells), (Sum(members, "all", exact == everyone),))


def _protect_test_n(ins: Instrument, df: pd.DataFrame, table: pd.DataFrame, group_by: str) -> None:
    """Hide a test row's ``n`` (``–``) when it and everyone's ``n`` give the excluded small groups
    away; the records go with the table (in place)."""
    scores = ins.get("scale_scores")
    if scores is None:
        return
    sizes: dict[tuple[str, ...], float] = {}
    columns = [scores[c].astype(str) for c in ("group_by", "wave", "scale", "group")]
    for by, wave, scale, group, n in zip(*columns, scores["n"].astype(float), strict=True):
        key = ("all", wave, scale) if by == "all" else (by, wave, scale, group)
        sizes[key] = float(n)
    records = []
    for i, (_, row) in enumerate(df.iterrows()):
        record = _test_n_record(row, sizes, ins.threshold, group_by)
        if record is None:
            continue
        record, hidden = secure(record, hidden_bounds(SECONDARY, ins.threshold))
        if "n" in hidden:
            table.loc[table.index[i], ins.s(H + "n")] = disclosure.SUPPRESSED
        records.append(record)
    table.attrs["published"] = [*table.attrs.get("published", []), *records]


def rate_sums(df: pd.DataFrame) -> list[tuple[list[Hashable], Hashable]]:
    """Which rows of ``response_rates`` add up: within a wave, the organisations of one staff
    group (``all`` included) to that group's row of every organisation, and the staff groups of
    one organisation to its row of every group."""
    sums: list[tuple[list[Hashable], Hashable]] = []
    for _, wave in df.groupby("wave", sort=False):
        for dim, other in (("organisation", "staff_group"), ("staff_group", "organisation")):
            for _, part in wave.groupby(other, sort=False):
                every = part.index[part[dim].astype(str) == "all"]
                members = part.index[part[dim].astype(str) != "all"]
                if len(every) == 1 and len(members):
                    sums.append((list(members), every[0]))
    return sums


def withheld_invited(df: pd.DataFrame, sums: list, threshold: int) -> pd.Series:
    """Rows whose number invited is withheld: a group of fewer than ``threshold`` invited (its
    size points to persons, and as the respondents' bound it would pin a hidden count: 1 invited,
    ``<5`` responded is 1), and, by the same proof as the respondents', any invited count that would
    give such a group away by subtraction (:func:`reports.disclosure.linear.protect`)."""
    cells = tuple(
        Cell(str(i), "", "invited", None if pd.isna(v) else float(v))
        for i, v in df["invited"].items()
    )
    relations = tuple(Sum(tuple(str(m) for m in members), str(total)) for members, total in sums)
    _, reasons = protect(Published("invited", "", cells, relations), threshold)
    return pd.Series([str(i) in reasons for i in df.index], index=df.index)


def rates_table(ins: Instrument) -> Table | None:
    """Respondents against the invited per wave, organisation and staff group.

    The groups add up to the row of everyone, so the respondents are protected with secondary
    suppression (:func:`reports.disclosure.linear.protect`): a hidden count cannot be worked
    out by subtraction. A hidden row's rate is withheld with it (the invited are shown)."""
    rates = ins.get("response_rates")
    if rates is None or rates.empty:
        return None
    s, project, lang = ins.s, ins.project, ins.lang
    waves = ins.waves(rates)
    df = rates.assign(
        _w=rates["wave"].astype(str).map({w: i for i, w in enumerate(waves)})
    ).sort_values("_w", kind="stable")
    every = s("survey_stats.all")
    df["wave_label"] = [ins.wave_label(w) for w in df["wave"]]
    df["org_label"] = [
        every if str(o) == "all" else project.organisation_label(str(o), lang)
        for o in df["organisation"]
    ]
    df["group_label"] = [
        every if str(g) == "all" else project.staff_group_label(str(g), lang)
        for g in df["staff_group"]
    ]
    df = df.reset_index(drop=True)
    sums = rate_sums(df)
    small = withheld_invited(df, sums, ins.threshold)  # with it the rate, which would tell it
    df["invited"] = df["invited"].astype("float64").mask(small)
    df["rate"] = df["rate"].astype("float64").mask(small)
    df["below_threshold"] = df["below_threshold"].mask(small, False)
    df["flag"] = [  # a small group's flag would tell its rate: withheld with the rate
        s("survey_stats.below")
        if bool(b) and not disclosure.is_small_cell(n, ins.threshold)
        else ""
        for b, n in zip(df["below_threshold"], df["responded"], strict=True)
    ]
    columns = [
        Column(s(H + "wave"), "wave_label", "text"),
        Column(s(SH + "organisation"), "org_label", "text"),
        Column(s(SH + "group"), "group_label", "text"),
        Column(s(SH + "invited"), "invited", "integer"),
        Column(s(SH + "responded"), "responded", "n"),
        Column(s(SH + "rate"), "rate", "percent"),
        Column(s(SH + "flag"), "flag", "text"),
    ]
    table = ins.format(
        df, columns, n_col="responded", additive=disclosure.Additive(sums, cap="invited")
    )
    hidden = table[s(SH + "rate")] == disclosure.SUPPRESSED  # a hidden row's flag tells its rate
    table.loc[hidden, s(SH + "flag")] = ""
    threshold = disclosure.format_percent(project.survey.response_rate_threshold, lang=lang)
    caption = s("survey_stats.rates_caption", threshold=threshold)
    return ins.table(table, caption, "response_rates", rates)


def significant_decimals(values: pd.Series, *, least: int = 3, most: int = 6) -> int:
    """Decimals that show each value of a column with two significant digits (at least
    ``least``, at most ``most``): a variance of 0.0004 prints as 0,00040, never 0,000. Values
    below ``10**-most`` count as zero (a variance estimated at its boundary).

    >>> significant_decimals(pd.Series([0.232, 0.0004, float("nan"), 0.0, 1e-9]))
    5
    """
    import math

    shown = [abs(float(v)) for v in values if pd.notna(v) and abs(float(v)) >= 10.0**-most]
    needed = [1 - math.floor(math.log10(v)) for v in shown]
    return max(least, min(most, max(needed, default=least)))


def _model_letters(formulas: pd.Series) -> dict[str, str]:
    """Each formula's model letter (A, B, …) in order of first appearance."""
    return {f: chr(ord("A") + i) for i, f in enumerate(dict.fromkeys(formulas.astype(str)))}


def model_table(ins: Instrument) -> list[Table]:
    """The appendix's mixed-model details in two tables that fit the page: the estimates and
    tests per model, then the variance components; the formulas (model A, B) in a note."""
    comparison = ins.get("wave_comparison")
    if comparison is None:
        return []
    s, order = ins.s, ins.scale_order
    df = comparison[(comparison["sample"] == "all") & comparison["scale"].isin(order)].copy()
    if df.empty:
        return []
    df["_s"] = df["scale"].map(order)
    df = df.sort_values(["contrast", "_s"], kind="stable")
    df["construct"] = [ins.spec.scale(x).label.get(ins.lang) for x in df["scale"]]
    df["contrast"] = df["contrast"].astype(str).map(ins.contrast_label)
    letters = _model_letters(df["formula"])
    df["model"] = df["formula"].astype(str).map(letters)
    first = [
        Column(ins.scale_header, "construct", "text"),
        Column(s(SH + "contrast"), "contrast", "text"),
        Column(s(SH + "model"), "model", "text"),
    ]
    estimates = [
        *first,
        Column(s(SH + "n_obs"), "n", "n"),
        Column(s(SH + "n_groups"), "n_respondents", "integer"),
        Column(s(SH + "estimate"), "estimate", "number", decimals=3),
        Column(s(H + "ci"), ("ci_low", "ci_high"), "ci", decimals=3),
        Column("p", "p_value", "p"),
    ]
    variances = [
        *first,
        Column(s(SH + "n_obs"), "n", "n"),
        *(
            Column(
                s(SH + key),
                f"variance_{key[4:]}",
                "number",
                significant_decimals(df[f"variance_{key[4:]}"]),
            )
            for key in ("var_organisation", "var_respondent", "var_residual")
        ),
    ]
    if df["variance_organisation"].isna().all():
        variances = [c for c in variances if c.source != "variance_organisation"]
    formulas = Markdown(" ").join(  # each part escaped once by its string
        s("survey_stats.model_formula", model=letter, formula=formula)
        for formula, letter in letters.items()
    )
    tables = []
    for columns, caption in ((estimates, "model_caption"), (variances, "variance_caption")):
        table = blank_repeats(ins.format(df, columns), ins.scale_header)
        table.attrs["notes"] = [*table.attrs.get("notes", []), formulas]
        title = s(f"survey_stats.{caption}", kind=ins.kind_words)
        tables.append(ins.table(table, title, "wave_comparison", df))
    return tables
