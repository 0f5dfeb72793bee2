"""Report figures. Each function returns a :class:`matplotlib.figure.Figure`; none saves or shows.

Figures are built with matplotlib's object-oriented API (``Figure()``, no ``pyplot``): nothing is
registered in pyplot's global figure list and no display is needed, so they work headless and in
parallel; ``Figure.savefig`` renders PNG with the Agg renderer. The rows to draw are passed through
:mod:`reports.disclosure` first, so a suppressed group is never drawn, and every number written in
a figure is formatted there.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter
from matplotlib.transforms import blended_transform_factory

from instruments.spec import InstrumentSpec
from project.config import Project
from reports import disclosure
from reports.strings import report_strings

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in greyscale by marker.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SERIES_MARKERS = ("o", "s", "D", "^", "v", "P", "X")
# ColorBrewer BrBG, 5 classes (colour-blind safe): disagree brown … agree teal, neutral grey.
DIVERGING_COLOURS = {1: "#a6611a", 2: "#dfc27d", 3: "#d9d9d9", 4: "#80cdc1", 5: "#018571"}

_GROUP_COLUMN_VALUES = ("all", "staff_group", "organisation")
# Where the "not relevant" and "unanswered" columns sit in the side panel (axes fractions).
_NA_COLUMN_X = 0.3
_MISSING_COLUMN_X = 0.76


def ordered_waves(project: Project, instrument: str, present: Iterable[object]) -> list[str]:
    """Waves in calendar order as declared in project.yaml; waves not declared come last."""
    declared = [w.id for w in project.waves if w.instrument == instrument]
    present_set = {str(w) for w in present}
    return [w for w in declared if w in present_set] + sorted(present_set - set(declared))


def wave_label(project: Project, instrument: str, wave: str, lang: str) -> str:
    for w in project.waves:
        if w.instrument == instrument and w.id == wave:
            return w.label(lang)
    return wave


def group_label(project: Project, group_by: str, group: str, lang: str) -> str:
    if group_by == "staff_group":
        return project.staff_group_label(group, lang)
    if group_by == "organisation":
        return project.organisation_label(group, lang)
    return group


def ordered_groups(project: Project, group_by: str, present: Iterable[object]) -> list[str]:
    """Groups in the order project.yaml lists them; groups not declared come last."""
    if group_by == "staff_group":
        declared = [g.id for g in project.staff_groups]
    elif group_by == "organisation":
        declared = [o.id for o in project.organisations]
    else:
        declared = []
    present_set = {str(g) for g in present}
    return [g for g in declared if g in present_set] + sorted(present_set - set(declared))


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def plot_construct_means(
    scale_scores: pd.DataFrame,
    *,
    spec: InstrumentSpec,
    project: Project,
    lang: str,
    group_by: str = "all",
) -> Figure:
    """Construct means with 95 % confidence intervals, by wave.

    Parameters
    ----------
    scale_scores
        ``scale_scores.csv`` as read (unrounded); rows of other instruments are ignored.
    spec
        The instrument; its scales (constructs) go on the x-axis in spec order.
    project
        For wave and group labels, wave order and ``privacy.min_cell_size``.
    lang
        ``"sv"`` or ``"en"``.
    group_by
        ``"all"``: one series per wave. ``"staff_group"`` or ``"organisation"``: one panel per wave
        and one series per group; groups withheld by the small-cell rule (including complementary
        suppression) are not drawn and a note says so.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if group_by not in _GROUP_COLUMN_VALUES:
        raise ValueError(
            f"group_by must be one of {', '.join(_GROUP_COLUMN_VALUES)}; got {group_by!r}"
        )
    s = report_strings(lang)
    threshold = project.privacy.min_cell_size
    scales = [sc.id for sc in spec.scales]
    data = scale_scores[
        (scale_scores["instrument"] == spec.id)
        & (scale_scores["group_by"] == group_by)
        & (scale_scores["scale"].isin(scales))
    ]
    checked = disclosure.suppress_small_groups(
        data,
        value_cols=[c for c in ("mean", "sd", "ci_low", "ci_high") if c in data.columns],
        threshold=threshold,
        complement_within=None
        if group_by == "all"
        else ["instrument", "wave", "scale", "group_by"],
    )
    any_hidden = bool(checked[disclosure.SUPPRESSED_COL].any())
    shown = disclosure.publishable(checked)
    waves = ordered_waves(project, spec.id, checked["wave"].astype(str).unique())

    panels: list[tuple[str | None, pd.DataFrame, list[str], str]] = []
    if group_by == "all":
        panels.append((None, shown, waves, "wave"))
        palette_order = waves
    else:
        # One colour per group across panels, in project order.
        palette_order = ordered_groups(project, group_by, shown["group"].astype(str).unique())
        for wave in waves:
            part = shown[shown["wave"].astype(str) == wave]
            groups = [g for g in palette_order if g in set(part["group"].astype(str))]
            panels.append((wave_label(project, spec.id, wave, lang), part, groups, "group"))

    if group_by == "all" and len({spec.score_range(sc) for sc in scales}) > 1:
        # Scales on different ranges (e.g. P-CAT sums): one panel per scale, each on its own axis.
        return _means_by_scale_panels(shown, spec=spec, project=project, lang=lang, waves=waves)
    n_panels = max(1, len(panels))
    fig = Figure(figsize=(7.5, 3.9 * n_panels if group_by != "all" else 4.4), layout="constrained")
    axes = fig.subplots(n_panels, 1, squeeze=False)[:, 0]
    scale_range = _scale_range(spec)
    xs = np.arange(len(scales), dtype=float)

    for ax, (title, part, series, series_col) in zip(
        axes, panels or [(None, shown, [], "wave")], strict=False
    ):
        width = 0.5 if len(series) <= 3 else 0.75
        step = width / max(1, len(series))
        for i, key in enumerate(series):
            style = palette_order.index(key) if key in palette_order else i
            rows = part[part[series_col].astype(str) == key].set_index("scale")
            rows = rows.reindex([sc for sc in scales if sc in rows.index])
            if rows.empty:
                continue
            x = xs[[scales.index(sc) for sc in rows.index]] - width / 2 + step * (i + 0.5)
            mean = rows["mean"].to_numpy(dtype=float)
            low = rows["ci_low"].to_numpy(dtype=float)
            high = rows["ci_high"].to_numpy(dtype=float)
            err = np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)])
            label = (
                wave_label(project, spec.id, key, lang)
                if series_col == "wave"
                else group_label(project, group_by, key, lang)
            )
            colour = SERIES_COLOURS[style % len(SERIES_COLOURS)]
            ax.errorbar(
                x,
                mean,
                yerr=np.nan_to_num(err),
                fmt=SERIES_MARKERS[style % len(SERIES_MARKERS)],
                color=colour,
                ecolor=colour,
                elinewidth=1.2,
                capsize=3,
                markersize=6,
                label=label,
            )
            if group_by == "all":
                for xi, mi in zip(x, mean, strict=True):
                    ax.annotate(
                        disclosure.format_number(mi, decimals=2, lang=lang),
                        (xi, mi),
                        xytext=(5, 0),
                        textcoords="offset points",
                        ha="left",
                        va="center",
                        fontsize=7.5,
                        color=colour,
                    )
        ax.set_xticks(xs, [_wrap(spec.scale(sc).label.get(lang), 16) for sc in scales], fontsize=9)
        ax.set_xlim(-0.6, len(scales) - 0.4)
        y_low, y_high = scale_range
        ax.set_ylim(y_low, y_high)
        ax.yaxis.set_major_locator(FixedLocator(np.arange(y_low, y_high + 0.5, 1.0).tolist()))
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: disclosure.format_number(v, decimals=0, lang=lang))
        )
        ax.set_ylabel(s("figures.mean_axis") + f" ({_range_text(scale_range, lang)})")
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if title:
            ax.set_title(title, fontsize=10, loc="left")
        if series and ax.get_legend_handles_labels()[0]:
            ax.legend(
                loc="upper center",
                bbox_to_anchor=(0.5, -0.16),
                ncol=min(3, len(series)),
                frameon=False,
                fontsize=8.5,
            )
        if part.empty:
            ax.text(0.5, 0.5, s("figures.nothing_to_show"), transform=ax.transAxes, ha="center")
    if any_hidden and group_by != "all":
        fig.supxlabel(
            s("figures.hidden_groups", threshold=threshold), fontsize=8, x=0.01, ha="left"
        )
    return fig


def _means_by_scale_panels(
    shown: pd.DataFrame, *, spec: InstrumentSpec, project: Project, lang: str, waves: list[str]
) -> Figure:
    """Means with 95 % CIs by wave, one panel per scale on the scale's own score range."""
    s = report_strings(lang)
    scales = [sc.id for sc in spec.scales]
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    axes = fig.subplots(1, len(scales), squeeze=False)[0, :]
    for ax, scale_id in zip(axes, scales, strict=True):
        rows = shown[shown["scale"] == scale_id]
        for i, wave in enumerate(waves):
            row = rows[rows["wave"].astype(str) == wave]
            if row.empty:
                continue
            mean = float(row["mean"].iloc[0])
            err = [
                [max(0.0, mean - float(row["ci_low"].iloc[0]))],
                [max(0.0, float(row["ci_high"].iloc[0]) - mean)],
            ]
            colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
            ax.errorbar(
                [i],
                [mean],
                yerr=np.nan_to_num(err),
                fmt=SERIES_MARKERS[i % len(SERIES_MARKERS)],
                color=colour,
                ecolor=colour,
                elinewidth=1.2,
                capsize=3,
                markersize=6,
                label=wave_label(project, spec.id, wave, lang),
            )
            ax.annotate(
                disclosure.format_number(mean, decimals=1, lang=lang),
                (i, mean),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
                color=colour,
            )
        low, high = spec.score_range(scale_id)
        ax.set_ylim(low, high)
        ax.set_xlim(-0.7, max(len(waves), 1) - 0.3)
        ax.set_xticks(range(len(waves)), waves, fontsize=8)
        ax.set_title(_wrap(spec.scale(scale_id).label.get(lang), 18), fontsize=9)
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: disclosure.format_number(v, decimals=0, lang=lang))
        )
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[0].set_ylabel(s("figures.mean_axis"))
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncol=min(3, len(labels)),
            frameon=False,
            fontsize=8.5,
        )
    return fig


def _scale_range(spec: InstrumentSpec) -> tuple[float, float]:
    sets = {spec.item(i).response_set for sc in spec.scales for i in sc.items}
    if len(sets) == 1:
        rs = spec.response_sets[next(iter(sets))]
        return (rs.low, rs.high)
    return (1.0, 5.0)


def _range_text(scale_range: tuple[float, float], lang: str) -> str:
    low, high = (disclosure.format_number(v, decimals=0, lang=lang) for v in scale_range)
    return f"{low}–{high}"


def plot_item_distributions(
    item_distributions: pd.DataFrame,
    *,
    spec: InstrumentSpec,
    project: Project,
    lang: str,
    wave: str,
) -> Figure:
    """Diverging stacked bars of the answers to each ordinal item in one wave.

    Disagreement goes to the left of zero, agreement to the right, and the middle option is split
    across zero. Bars are shares of the *scored* answers; the shares of "not relevant" answers (all
    options together) and of unanswered items, out of everyone asked, are written in two columns on
    the right. Items are grouped by construct in spec order, labelled with the spec's short labels.

    Parameters
    ----------
    item_distributions
        ``item_distributions.csv`` as read (unrounded).
    spec, project, lang
        The instrument, the project (for ``privacy.min_cell_size`` and labels) and the language.
    wave
        The wave id to draw.

    Returns
    -------
    matplotlib.figure.Figure
        Items withheld by :func:`reports.disclosure.suppress_distributions` show no bar, only a
        note.
    """
    s = report_strings(lang)
    threshold = project.privacy.min_cell_size
    data = item_distributions[
        (item_distributions["instrument"] == spec.id)
        & (item_distributions["wave"].astype(str) == str(wave))
    ]
    checked = disclosure.suppress_distributions(data, threshold=threshold)

    ordinal_items = [
        it for it in spec.items if spec.response_sets[it.response_set].type == "ordinal"
    ]
    present = set(checked["item"].astype(str))
    ordinal_items = [it for it in ordinal_items if it.id in present]

    # Rows from top to bottom: a construct heading, then its items.
    rows: list[tuple[str, object]] = []
    seen: list[str | None] = []
    for it in ordinal_items:
        construct = it.npt_construct
        if construct not in seen:
            seen.append(construct)
            rows.append(("heading", construct))
        rows.append(("item", it))

    fig = Figure(figsize=(7.5, 0.29 * len(rows) + 1.6), layout="constrained")
    ax, side = fig.subplots(
        1, 2, sharey=True, gridspec_kw={"width_ratios": [5.0, 1.6], "wspace": 0.0}
    )
    y_positions = np.arange(len(rows))[::-1].astype(float)
    codes_all: list[int] = []
    labels: list[str] = []
    ticks: list[float] = []
    right = blended_transform_factory(side.transAxes, side.transData)
    left_edge = blended_transform_factory(ax.transAxes, ax.transData)
    extent = 0.0
    headings: list[tuple[float, str]] = []

    for (kind, obj), y in zip(rows, y_positions, strict=True):
        if kind == "heading":
            name = _construct_label(spec, obj, lang)  # type: ignore[arg-type]
            headings.append((y, name))
            continue
        item = obj
        rs = spec.response_sets[item.response_set]  # type: ignore[attr-defined]
        codes = sorted(rs.codes)
        codes_all = codes_all or codes
        part = checked[checked["item"].astype(str) == item.id]  # type: ignore[attr-defined]
        label = f"{item.source_code} {item.label.get(lang)}"  # type: ignore[attr-defined]
        labels.append(_wrap(label, 44))
        ticks.append(y)
        scored = part[part["response_kind"] == "scored"].copy()
        scored["code"] = pd.to_numeric(scored["response"], errors="coerce")
        shares = scored.set_index("code")["share_of_scored"].reindex(codes)
        hidden = bool(part[disclosure.SUPPRESSED_COL].all()) or bool(
            scored[disclosure.SUPPRESSED_COL].any()
        )
        if hidden or shares.isna().all():
            ax.text(
                0,
                y,
                s("figures.too_few", threshold=threshold),
                ha="center",
                va="center",
                fontsize=7.5,
                color="#555555",
                style="italic",
            )
        else:
            shares = shares.fillna(0.0)
            mid = (len(codes) - 1) / 2
            below = [c for i, c in enumerate(codes) if i < mid]
            neutral = [c for i, c in enumerate(codes) if i == mid]
            left = -(shares[below].sum() + shares[neutral].sum() / 2)
            extent = max(extent, -left, left + shares.sum())
            for code in codes:
                width = float(shares[code])
                if width <= 0:
                    continue
                ax.barh(
                    y,
                    width,
                    left=left,
                    height=0.72,
                    color=_code_colour(code, codes),
                    edgecolor="white",
                    linewidth=0.5,
                )
                if width >= 0.07:
                    dark = codes.index(code) in (0, len(codes) - 1)
                    ax.text(
                        left + width / 2,
                        y,
                        disclosure.format_number(width * 100, decimals=0, lang=lang),
                        ha="center",
                        va="center",
                        fontsize=6.5,
                        color="white" if dark else "#222222",
                    )
                left += width
        base_hidden = bool(part["base_suppressed"].any()) if not part.empty else True
        na_share = part.loc[part["response_kind"] == "not_applicable", "share"].sum(min_count=1)
        missing_share = part.loc[part["response_kind"] == "missing", "share"].sum(min_count=1)
        for x, value in ((_NA_COLUMN_X, na_share), (_MISSING_COLUMN_X, missing_share)):
            text = (
                disclosure.SUPPRESSED
                if base_hidden
                else disclosure.format_percent(value, decimals=0, lang=lang)
            )
            side.text(x, y, text, transform=right, ha="center", va="center", fontsize=7.5)

    top = (y_positions.max() if len(rows) else 0) + 0.9
    for x, key in ((_NA_COLUMN_X, "figures.not_relevant"), (_MISSING_COLUMN_X, "figures.missing")):
        side.text(x, top, _wrap(s(key), 10), transform=right, ha="center", va="bottom", fontsize=7)
    for y, name in headings:
        ax.text(
            0.0,
            y,
            name,
            transform=left_edge,
            ha="left",
            va="center",
            fontsize=8.5,
            fontweight="bold",
        )
    ax.axvline(0, color="#444444", linewidth=0.8)
    limit = min(1.0, max(0.5, np.ceil(extent / 0.25) * 0.25))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-0.7, top + 0.1 if rows else 1)
    tick_step = 0.25 if limit <= 0.75 else 0.5
    ax.xaxis.set_major_locator(FixedLocator(np.arange(-limit, limit + 0.01, tick_step).tolist()))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: disclosure.format_percent(abs(v), decimals=0, lang=lang))
    )
    ax.set_xlabel(s("figures.share_axis"), fontsize=8.5)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_yticks(ticks, labels, fontsize=7.5)
    ax.tick_params(axis="y", length=0)
    for spine in ("top", "right", "left"):
        ax.spines[spine].set_visible(False)
    side.set_axis_off()
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    if codes_all:
        rs_codes = codes_all
        option_labels = _option_labels(spec, lang)
        handles = [
            Patch(facecolor=_code_colour(c, rs_codes), label=option_labels.get(c, str(c)))
            for c in rs_codes
        ]
        fig.legend(
            handles=handles,
            loc="outside upper center",
            ncol=len(rs_codes),
            frameon=False,
            fontsize=7.5,
            handlelength=1.2,
            columnspacing=1.0,
        )
    if not rows:
        ax.text(0.5, 0.5, s("figures.nothing_to_show"), transform=ax.transAxes, ha="center")
    return fig


def _construct_label(spec: InstrumentSpec, construct: str | None, lang: str) -> str:
    if construct is None:
        return ""
    try:
        return spec.scale(construct).label.get(lang)
    except KeyError:
        return construct.replace("_", " ")


def _option_labels(spec: InstrumentSpec, lang: str) -> dict[int, str]:
    for item in spec.items:
        rs = spec.response_sets[item.response_set]
        if rs.type == "ordinal":
            return {o.code: o.labels.get(lang) for o in rs.options}
    return {}


def _code_colour(code: int, codes: Sequence[int]) -> str:
    if len(codes) == 5:
        return DIVERGING_COLOURS[codes.index(code) + 1]
    # Other lengths: sample the same palette evenly.
    palette = list(DIVERGING_COLOURS.values())
    pos = codes.index(code) / max(1, len(codes) - 1)
    return palette[round(pos * (len(palette) - 1))]
