"""The survey section's descriptive tables: answers per wave, scale means (overall, by group),
general items, reliability, and the sentence on items that run against their scale."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pandas as pd

from reports import disclosure
from reports.content import Table
from reports.disclosure import Column
from reports.labels import group_label, ordered_groups
from reports.sections.survey_common import H, Instrument, blank_repeats, method_in_words


def accounting(ins: Instrument) -> tuple[Table | None, list[str]]:
    """Rows read, loaded and quarantined per wave against the invited; the quarantine reasons."""
    ingest = ins.get("ingest_summary")
    if ingest is None:
        return None, []
    s, spec = ins.s, ins.spec
    sums: dict[Hashable, dict[Hashable, Any]] = (
        ingest.groupby("wave", sort=False)[["rows_read", "rows_loaded", "rows_quarantined"]]
        .sum()
        .to_dict(orient="index")
    )
    rows = []
    for wave in ins.waves(ingest):
        declared = next(
            (w for w in ins.project.waves if w.instrument == spec.id and w.id == wave), None
        )
        invited = declared.invited if declared else None
        loaded = sums[wave]["rows_loaded"]
        period = f"{declared.opens.isoformat()} – {declared.closes.isoformat()}" if declared else ""
        rows.append(
            {
                "wave": ins.wave_label(wave),
                "period": period,
                "invited": invited,
                "rows_read": sums[wave]["rows_read"],
                "rows_loaded": loaded,
                "rows_quarantined": sums[wave]["rows_quarantined"],
                "rate": (loaded / invited) if invited else float("nan"),
            }
        )
    columns = [
        Column(s(H + "wave"), "wave", "text"),
        Column(s(H + "period"), "period", "text"),
        Column(s(H + "invited"), "invited", "integer"),
        Column(s(H + "rows_read"), "rows_read", "integer"),
        Column(s(H + "rows_loaded"), "rows_loaded", "integer"),
        Column(s(H + "rows_quarantined"), "rows_quarantined", "integer"),
        Column(s(H + "response_rate"), "rate", "percent"),
    ]
    # Row counts of files, not answers about people: no small-cell rule here.
    table = disclosure.format_table(pd.DataFrame(rows), columns, lang=ins.lang, threshold=None)
    caption = s("survey.accounting_caption")
    return ins.table(table, caption, "ingest_summary", ingest), _quarantine_sentences(ins)


def _quarantine_sentences(ins: Instrument) -> list[str]:
    reasons = ins.get("quarantine_reasons")
    if reasons is None:
        return []
    sentences: list[str] = []
    for wave in ins.waves(reasons):
        rows_of_wave = reasons[reasons["wave"].astype(str) == wave]
        per_rule = rows_of_wave.groupby("rule", sort=True)["n"].sum()
        per_rule = per_rule[per_rule > 0]
        if per_rule.empty:
            continue
        listed = ", ".join(
            ins.s(f"quarantine_rules.{rule}", n=ins.number(n)) for rule, n in per_rule.items()
        )
        label = ins.wave_label(wave)
        sentences.append(ins.s("survey.quarantine_sentence", wave=label, reasons=listed))
    return sentences


def constructs_table(ins: Instrument) -> Table | None:
    """Scale means with SD and CI per wave, everyone."""
    scores = ins.get("scale_scores")
    if scores is None:
        return None
    s = ins.s
    df = scores[(scores["group_by"] == "all") & scores["scale"].isin(ins.scale_order)].copy()
    if df.empty:
        return None
    df = ins.by_construct_and_wave(df)
    columns = [
        Column(ins.scale_header, "construct", "text"),
        Column(s(H + "wave"), "wave", "text"),
        Column(s(H + "n"), "n", "n"),
        Column(s(H + "mean"), "mean", "number"),
        Column(s(H + "sd"), "sd", "number"),
        Column(s(H + "ci"), ("ci_low", "ci_high"), "ci"),
    ]
    table = blank_repeats(ins.format(df, columns), ins.scale_header)
    caption = s("survey.constructs_caption", kind=ins.kind_words, range=ins.range_words())
    return ins.table(table, caption, "scale_scores", df)


def numeric_items(ins: Instrument) -> list[str]:
    """The instrument's general (numeric) items, in spec order."""
    spec = ins.spec
    return [it.id for it in spec.items if spec.response_sets[it.response_set].type == "numeric"]


def general_table(ins: Instrument) -> Table | None:
    """The general (numeric) items described per wave."""
    summaries = ins.get("item_summaries")
    numeric = numeric_items(ins)
    if summaries is None:
        return None
    s, spec, lang = ins.s, ins.spec, ins.lang
    df = summaries[summaries["item"].isin(numeric)].copy()
    if df.empty:
        return None
    waves = ins.waves(df)
    df["_i"] = df["item"].map({k: i for i, k in enumerate(numeric)})
    df["_w"] = df["wave"].astype(str).map({w: i for i, w in enumerate(waves)})
    df = df.sort_values(["_i", "_w"], kind="stable")
    df["question"] = [
        f"{spec.item(i).source_code} {spec.item(i).label.get(lang)}" for i in df["item"]
    ]
    columns = [
        Column(s(H + "question"), "question", "text"),
        Column(s(H + "wave"), "wave", "text"),
        Column(s(H + "n"), "n", "n"),
        Column(s(H + "mean"), "mean", "number"),
        Column(s(H + "sd"), "sd", "number"),
        Column(s(H + "median"), "median", "number", decimals=1),
    ]
    table = blank_repeats(ins.format(df, columns), s(H + "question"))
    rs = spec.response_set_of(numeric[0])
    caption = s("survey.general_caption", low=ins.number(rs.low), high=ins.number(rs.high))
    return ins.table(table, caption, "item_summaries", df)


def group_table(ins: Instrument, group_by: str) -> Table | None:
    """Construct means by group and wave, one column per construct: ``M (n)``.

    The groups' ``n`` add up to everyone's (stated in the table of construct means), so the
    counts are protected against subtraction (:func:`reports.disclosure.linear.protect`): a
    group hidden so that a small one cannot be worked out shows ``– (–)``."""
    scores = ins.get("scale_scores")
    if scores is None:
        return None
    s, spec, lang, order = ins.s, ins.spec, ins.lang, ins.scale_order
    df = scores[(scores["group_by"] == group_by) & scores["scale"].isin(order)]
    df = df.reset_index(drop=True)
    if df.empty:
        return None
    long = ins.format(
        df,
        [
            Column("group", "group", "text"),
            Column("wave", "wave", "text"),
            Column("scale", "scale", "text"),
            Column("cell", ("mean", "n"), "mean_n"),
        ],
        additive=disclosure.Additive(disclosure.group_sums(scores, df)),
    )
    cells = {(r.group, r.wave, r.scale): r.cell for r in long.itertuples(index=False)}
    group_header = s(H + group_by)
    scale_headers = [spec.scale(sc).label.get(lang) for sc in order]
    rows = []
    waves = ins.waves(df)
    for g in ordered_groups(ins.project, group_by, df["group"].astype(str).unique()):
        for w in waves:
            if not any((g, w, sc) in cells for sc in order):
                continue
            row: dict[str, object] = {
                group_header: group_label(ins.project, group_by, g, lang),
                s(H + "wave"): w,
            }
            for sc, header in zip(order, scale_headers, strict=True):
                row[header] = cells.get((g, w, sc), disclosure.NOT_AVAILABLE)
            rows.append(row)
    table = pd.DataFrame(rows, columns=[group_header, s(H + "wave"), *scale_headers], dtype=object)
    notes = list(long.attrs["notes"])
    if any(v == disclosure.NOT_AVAILABLE for v in table.to_numpy().ravel()):
        note = disclosure.not_available_note(lang=lang)
        notes += [] if note in notes else [note]
    # Group names are repeated on every row: this table can run over a page break.
    table.attrs = {
        "align": ["left", "left"] + ["right"] * len(scale_headers),
        "notes": notes,
        "published": long.attrs["published"],
    }
    caption = s(f"survey.groups_caption.{group_by}", kind=ins.kind_words)
    return ins.table(table, caption, "scale_scores", df)


def _overall_rows(reliability: pd.DataFrame) -> pd.DataFrame:
    """The per-wave rows of ``reliability.csv`` (``group_by`` "all")."""
    return reliability[reliability["group_by"].isin(["", "all"])]


def reliability_table(ins: Instrument) -> Table | None:
    """Alpha (and omega) per scale and wave, everyone."""
    reliability = ins.get("reliability")
    if reliability is None:
        return None
    s = ins.s
    df = _overall_rows(reliability)
    df = df[df["scale"].isin(ins.scale_order)].copy()
    if df.empty:
        return None
    df = ins.by_construct_and_wave(df)
    df["method_text"] = [method_in_words(m, s) for m in df["method"]]
    methods = list(dict.fromkeys(df["method_text"]))
    # alpha and omega: the estimate column is not only alpha
    estimate = s("survey_stats.headers.coefficient") if len(methods) > 1 else s(H + "alpha")
    columns = [
        Column(ins.scale_header, "construct", "text"),
        Column(s(H + "wave"), "wave", "text"),
        Column(s(H + "n"), "n", "n"),
        Column(s(H + "k"), "k_items", "integer"),
        Column(estimate, "estimate", "number"),
        Column(s(H + "ci"), ("ci_low", "ci_high"), "ci"),
    ]
    if len(methods) > 1:  # one method for all rows goes into a note instead of every row
        columns.append(Column(s(H + "method"), "method_text", "text"))
    table = blank_repeats(ins.format(df, columns), ins.scale_header)
    if len(methods) == 1:
        table.attrs["notes"] = [f"{s(H + 'method')}: {methods[0]}.", *table.attrs["notes"]]
    caption = s("survey.reliability_caption", kind=ins.kind_words, instrument=ins.short_name)
    return ins.table(table, caption, "reliability", df)


def group_reliability_table(ins: Instrument) -> Table | None:
    """Alpha and omega per wave × staff group and wave × organisation: only groups with at least
    ``survey.reliability_min_n`` complete cases (and the small-cell rule on top)."""
    reliability = ins.get("reliability")
    if reliability is None:
        return None
    s, lang = ins.s, ins.lang
    min_n = ins.project.survey.reliability_min_n
    df = reliability[
        reliability["group_by"].isin(["staff_group", "organisation"])
        & reliability["scale"].isin(ins.scale_order)
        & (reliability["n"] >= min_n)
    ].copy()
    if df.empty:
        return None
    df = ins.by_construct_and_wave(df)
    df["_g"] = df["group_by"].map({"staff_group": 0, "organisation": 1})
    df = df.sort_values(["_g", "_s", "_w"], kind="stable")
    df["grouping"] = [s(f"survey_stats.grouping_one.{g}") for g in df["group_by"]]
    df["group_label"] = [
        group_label(ins.project, str(g), str(v), lang)
        for g, v in zip(df["group_by"], df["group"], strict=True)
    ]
    df["method_text"] = [method_in_words(m, s) for m in df["method"]]
    columns = [
        Column(ins.scale_header, "construct", "text"),
        Column(s(H + "wave"), "wave", "text"),
        Column(s("survey_stats.headers.grouping"), "grouping", "text"),
        Column(s("survey_stats.headers.group_value"), "group_label", "text"),
        Column(s(H + "n"), "n", "n"),
        Column(s("survey_stats.headers.coefficient"), "estimate", "number"),
        Column(s(H + "ci"), ("ci_low", "ci_high"), "ci"),
        Column(s(H + "method"), "method_text", "text"),
    ]
    table = blank_repeats(ins.format(df, columns), ins.scale_header)
    caption = s(
        "survey_stats.group_reliability_caption",
        kind=ins.kind_words,
        instrument=ins.short_name,
        min_n=min_n,
    )
    return ins.table(table, caption, "reliability", df)


def item_rest_warnings(ins: Instrument) -> list[str]:
    """A sentence for each item that correlates negatively with the rest of its scale."""
    stats = ins.get("item_statistics")
    if stats is None:
        return []
    bad = stats[(stats["r_item_rest"] < 0) & (stats["n"] >= 3)]
    return [
        ins.s(
            "survey.negative_item_rest",
            item=ins.spec.item(str(row.item)).source_code,
            scale=ins.spec.scale(str(row.scale)).label.get(ins.lang),
            wave=str(row.wave),
            r=ins.number(row.r_item_rest, 2),
        )
        for row in bad.itertuples(index=False)
    ]
