"""Participant outcomes under N3: persons per outcome category, by subgroup, against a target.

Counts of persons add up two ways (across categories to a group's total, across a breakdown's
groups to everyone), so every table and sentence here is built from the cells of
:func:`reports.disclosure.suppress_breakdowns`: a small count is shown as ``<5``, a count hidden
so that a small one cannot be worked out as ``–``, and a sentence never states a hidden count.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from project.config import Project
from project.indicators import Outcome
from reports import disclosure
from reports.content import Block, FigureBlock, Heading, Source, Table, Text, source
from reports.disclosure import Column
from reports.escaping import Markdown
from reports.figures.indicators import plot_outcome
from reports.sections.indicator_common import group_text, title_of, unit_label
from reports.strings import Strings

TOTAL = "__total__"
"""The category of a group's total in the cells passed to the small-cell rule."""
OUT = "indicators.outcomes."
OH = OUT + "headers."


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


def _count_text(row: pd.Series, threshold: int, lang: str) -> str:
    return disclosure.format_count(
        row["n"],
        suppressed=bool(row["suppressed"]),
        reason=row["suppression_reason"],
        threshold=threshold,
        lang=lang,
    )


def _share_ci(row: pd.Series, lang: str) -> tuple[str, str]:
    if bool(row["suppressed"]):
        return disclosure.SUPPRESSED, disclosure.SUPPRESSED
    return (
        disclosure.format_percent(row["share"], lang=lang),
        disclosure.format_percent_ci(row["ci_low"], row["ci_high"], lang=lang),
    )


def _whole(x: object, lang: str) -> str:
    return disclosure.format_number(x, decimals=0, lang=lang)


class _Outcome:
    """One outcome of one unit: its cells after the small-cell rule and its words."""

    def __init__(self, outcome: Outcome, part: pd.DataFrame, project: Project, s: Strings) -> None:
        self.outcome, self.s, self.lang = outcome, s, s.lang
        self.threshold = project.privacy.min_cell_size
        self.unit = str(part["unit"].iloc[0])
        self.part = part
        self.cells = outcome_cells(part.reset_index(drop=True), self.threshold)
        is_total = self.cells["category"] == TOTAL
        everyone = (self.cells["group_by"] == "all") & ~is_total
        self.everyone = self.cells[everyone].reset_index(drop=True)
        name = outcome.labels.get(self.lang)
        self.title = title_of(name, unit_label(project, self.unit, self.lang))
        self.periods = str(part["periods"].iloc[0])
        self.labels = {c.id: c.labels.get(self.lang) for c in outcome.categories}
        self.phrases = {c.id: c.phrase.get(self.lang) for c in outcome.categories if c.phrase}

    def source(self, rows: pd.DataFrame, name: str = "outcomes", **where: object) -> Source:
        """Where a block of this outcome comes from: ``rows`` of results table ``name``."""
        where = {"outcome": self.outcome.id, "unit": self.unit} | where
        return source(name, rows, kind="indicators", **where)

    def note(self) -> str:
        return disclosure.persons_suppression_note(self.threshold, lang=self.lang)

    def sentence(self, r: pd.Series) -> str:
        s, cat = self.s, str(r["category"])
        phrase = self.phrases.get(cat)
        if bool(r["suppressed"]):
            primary = r["suppression_reason"] == disclosure.PRIMARY
            kind = "small_sentence" if primary else "hidden_sentence"
            if phrase:
                return s(OUT + kind, threshold=self.threshold, phrase=phrase)
            return s(
                OUT + kind + "_label", threshold=self.threshold, label=self.labels.get(cat, cat)
            )
        share, ci = _share_ci(r, self.lang)
        values = {"n": _whole(r["n"], self.lang), "total": _whole(r["total"], self.lang)}
        values |= {"share": share, "ci": ci}
        if phrase:
            return s(OUT + "sentence", phrase=phrase, **values)
        return s(OUT + "sentence_label", label=self.labels.get(cat, cat), **values)


def outcome_blocks(
    shares: pd.DataFrame, targets: pd.DataFrame, project: Project, s: Strings
) -> list[Block]:
    """Every declared outcome per unit: figure, sentences, table, subgroups and target."""
    if shares.empty:
        return []
    threshold = project.privacy.min_cell_size
    blocks: list[Block] = [
        Heading(s(OUT + "heading"), 3),
        Text(s(OUT + "intro", threshold=threshold)),
    ]
    for outcome in project.outcomes:
        for _, part in shares[shares["outcome"] == outcome.id].groupby("unit", sort=False):
            o = _Outcome(outcome, part, project, s)
            blocks.append(Heading(o.title, 4))
            if outcome.definition is not None:
                blocks.append(Text(outcome.definition.get(s.lang)))
            if not o.everyone.empty:
                blocks += _everyone(o)
            if not o.cells[o.cells["group_by"] != "all"].empty:
                subgroups = o.part[o.part["group_by"] != "all"]
                blocks.append(_subgroup_table(o).sourced(o.source(subgroups)))
            if outcome.target is not None and not targets.empty:
                t = targets[(targets["outcome"] == outcome.id) & (targets["unit"] == o.unit)]
                if not t.empty:
                    blocks += _target_blocks(t, o)
    return blocks


def _everyone(o: _Outcome) -> list[Block]:
    s, lang = o.s, o.lang
    make = partial(
        plot_outcome,
        o.everyone,
        labels=o.labels,
        title=o.title,
        lang=lang,
        threshold=o.threshold,
    )
    stem = f"outcome_{o.outcome.id}_{o.unit}_{lang}"
    caption = s(OUT + "figure", outcome=o.title, periods=o.periods)
    population = o.outcome.population.get(lang) if o.outcome.population else s(OUT + "population")
    total = float(o.everyone["total"].iloc[0])
    sentences = Markdown("\n").join(
        Markdown("- ") + o.sentence(r) for _, r in o.everyone.iterrows()
    )
    everyone = o.part[o.part["group_by"] == "all"]
    return [
        FigureBlock(stem, make, caption, width="90%").sourced(o.source(everyone, group_by="all")),
        Text(
            s(
                OUT + "total_sentence",
                total=_whole(total, lang),
                population=population,
                periods=o.periods,
            )
        ),
        Text(sentences),
        _outcome_table(o).sourced(o.source(everyone, group_by="all")),
    ]


def _outcome_table(o: _Outcome) -> Table:
    s, lang = o.s, o.lang
    rows = []
    for _, r in o.everyone.iterrows():
        share, ci = _share_ci(r, lang)
        rows.append(
            {
                "category": o.labels.get(str(r["category"]), str(r["category"])),
                "count": f"{_count_text(r, o.threshold, lang)} / {_whole(r['total'], lang)}",
                "share": share,
                "ci": ci,
                "toward": "✓" if bool(r["toward_target"]) else "",
            }
        )
    keys = ["category", "count", "share", "ci"]
    if any(row["toward"] for row in rows):
        keys.append("toward")
    align = ["left", "right", "right", "right", "center"]
    columns = [
        Column(s(OH + k), k, "text", align_as=a)  # type: ignore[arg-type]
        for k, a in zip(keys, align, strict=False)
    ]
    table = disclosure.format_table(pd.DataFrame(rows), columns, lang=lang, threshold=None)
    table.attrs["published"] = o.cells.attrs.get("published", [])  # every cell of the outcome
    if o.everyone["suppressed"].any():
        table.attrs["notes"] = [o.note()]
    caption = s(OUT + "caption", outcome=o.title, periods=o.periods)
    return Table(table, caption, s("note_prefix"))


def _subgroup_cell(r: pd.Series, o: _Outcome) -> str:
    if bool(r["suppressed"]):
        return _count_text(r, o.threshold, o.lang)
    if float(r["total"]) > 0:
        share = disclosure.format_percent(r["share"], lang=o.lang)
        return f"{_count_text(r, o.threshold, o.lang)} ({share})"
    return disclosure.NOT_AVAILABLE


def _subgroup_label(group_by: str, s: Strings) -> str:
    return s.get(f"{OUT}subgroups.{group_by}", group_by) if group_by != "all" else ""


def _subgroup_table(o: _Outcome) -> Table:
    s, lang = o.s, o.lang
    cats = [c.id for c in o.outcome.categories]
    rows = []
    for (subgroup, group), part in o.cells.groupby(["group_by", "group"], sort=False):
        by_cat = {str(r["category"]): r for _, r in part.iterrows()}
        row = {
            "subgroup": _subgroup_label(str(subgroup), s),
            "group": group_text(str(group), s),
            "n": _count_text(by_cat[TOTAL], o.threshold, lang),
        }
        row |= {c: _subgroup_cell(by_cat[c], o) for c in cats}
        rows.append(row)
    df = pd.DataFrame(rows)
    cols = [
        Column(s(OH + "subgroup"), "subgroup", "text"),
        Column(s(OH + "group"), "group", "text"),
        Column(s(OH + "n"), "n", "text", align_as="right"),
    ]
    cols += [Column(o.labels.get(c, c), c, "text", align_as="right") for c in cats]
    table = disclosure.format_table(df, cols, lang=lang, threshold=None)
    if o.everyone.empty:  # else the table of everyone carries the outcome's record
        table.attrs["published"] = o.cells.attrs.get("published", [])
    notes = [o.note()] if o.cells["suppressed"].any() else []
    if any(disclosure.NOT_AVAILABLE in str(v) for v in df.to_numpy().ravel()):
        notes.append(disclosure.not_available_note(lang=lang))
    table.attrs["notes"] = notes
    return Table(table, s(OUT + "by_subgroup_caption", outcome=o.title), s("note_prefix"))


def _target_row(r: pd.Series, o: _Outcome, toward: set[str]) -> tuple[dict[str, str], bool]:
    """A group's result against the target, and whether it may be stated (not hidden)."""
    s, lang = o.s, o.lang
    members = (o.cells["group_by"] == r["group_by"]) & (o.cells["group"] == r["group"])
    hidden = disclosure.sum_reveals_hidden(o.cells, members=members, counted=toward)
    status: str = s(f"indicators.status.{r['status']}")
    if hidden or disclosure.is_missing(r["share"]):
        result, share = disclosure.SUPPRESSED if hidden else disclosure.NOT_AVAILABLE, ""
        if hidden:
            status = disclosure.SUPPRESSED
    else:
        ci = disclosure.format_percent_ci(r["ci_low"], r["ci_high"], lang=lang)
        result = f"{_whole(r['n'], lang)} / {_whole(r['total'], lang)}"
        share = f"{disclosure.format_percent(r['share'], lang=lang)} ({ci})"
    row = {
        "subgroup": _subgroup_label(str(r["group_by"]), s),
        "group": group_text(str(r["group"]), s),
        "count": result,
        "share": share,
        "status": status,
    }
    return row, not hidden and not disclosure.is_missing(r["share"])


def _target_sentence(r: pd.Series, o: _Outcome, status: str) -> str:
    s, lang, target = o.s, o.lang, o.outcome.target
    assert target is not None
    if target.labels:
        what = target.labels.get(lang)
    else:
        listed = ", ".join(o.labels.get(c, c) for c in target.categories)
        what = s(OUT + "target_what", categories=listed)
    deadline = s(OUT + "deadline", deadline=target.deadline.isoformat()) if target.deadline else ""
    return s(
        OUT + "target_sentence",
        target=disclosure.format_percent(r["target"], lang=lang),
        what=what,
        deadline=deadline,
        n=_whole(r["n"], lang),
        total=_whole(r["total"], lang),
        share=disclosure.format_percent(r["share"], lang=lang),
        ci=disclosure.format_percent_ci(r["ci_low"], r["ci_high"], lang=lang),
        status=status.lower(),
        position=s(OUT + f"position.{r['ci_position']}") if r["ci_position"] else "",
    )


def _target_blocks(t: pd.DataFrame, o: _Outcome) -> list[Block]:
    s = o.s
    assert o.outcome.target is not None
    toward = set(o.outcome.target.categories)
    blocks: list[Block] = []
    rows = []
    for _, r in t.iterrows():
        row, stated = _target_row(r, o, toward)
        if r["group_by"] == "all" and stated:
            blocks.append(Text(_target_sentence(r, o, row["status"])))
        rows.append(row)
    if len(rows) > 1:
        df = pd.DataFrame(rows)
        heads = {"count": s(OH + "count"), "share": f"{s(OH + 'share')} ({s(OH + 'ci')})"}
        keys = ("subgroup", "group", "count", "share", "status")
        align = ("left", "left", "right", "right", "left")
        cols = [
            Column(heads.get(k, s(OH + k)), k, "text", align_as=a)  # type: ignore[arg-type]
            for k, a in zip(keys, align, strict=True)
        ]
        table = disclosure.format_table(df, cols, lang=o.lang, threshold=None)
        notes: list[str] = [s(OUT + "target_rule")]
        if (df["status"] == disclosure.SUPPRESSED).any():
            notes.append(o.note())
        table.attrs["notes"] = notes
        caption = s(OUT + "target_caption", outcome=o.title)
        table_ = Table(table, caption, s("note_prefix"))
        blocks.append(table_.sourced(o.source(t, "outcome_targets")))
    return blocks
