"""Survey figures: construct (scale) means by wave or by group.

Each function returns a :class:`matplotlib.figure.Figure`; none saves or shows. Figures are built
with matplotlib's object-oriented API (``Figure()``, no ``pyplot``): nothing is registered in
pyplot's global figure list and no display is needed, so they work headless and in worker
processes; the writer (:mod:`reports.writer`) saves them. The rows to draw pass through
:mod:`reports.disclosure` first, so a suppressed group is never drawn, and every number written in
a figure is formatted there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator

from instruments.spec import InstrumentSpec
from project.config import Project
from reports import disclosure
from reports.figures.style import (
    label_point,
    mean_with_ci,
    tidy_axis,
    whole_number_ticks,
    wrap,
)
from reports.labels import group_label, ordered_groups, ordered_waves, wave_label
from reports.strings import report_strings

_GROUP_COLUMN_VALUES = ("all", "staff_group", "organisation")


@dataclass(frozen=True)
class _Panel:
    """One panel: its title, its rows, the series drawn (waves or groups) and their column."""

    title: str | None
    rows: pd.DataFrame
    series: list[str]
    series_col: str


@dataclass(frozen=True)
class _MeansPlot:
    """What every panel of the construct-means figure shares."""

    spec: InstrumentSpec
    project: Project
    lang: str
    group_by: str
    palette_order: list[str]

    @property
    def scales(self) -> list[str]:
        return [sc.id for sc in self.spec.scales]

    def label(self, key: str, series_col: str) -> str:
        if series_col == "wave":
            return wave_label(self.project, self.spec.id, key, self.lang)
        return group_label(self.project, self.group_by, key, self.lang)


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
    threshold = project.privacy.min_cell_size
    scales = [sc.id for sc in spec.scales]
    data = scale_scores[
        (scale_scores["instrument"] == spec.id)
        & (scale_scores["group_by"] == group_by)
        & (scale_scores["scale"].isin(scales))
    ]
    value_cols = [c for c in ("mean", "sd", "ci_low", "ci_high") if c in data.columns]
    if group_by == "all":
        checked = disclosure.suppress_small_groups(
            data, value_cols=value_cols, threshold=threshold, complement_within=None
        )
    else:  # the same rows hidden as in the table (groups add up to everyone's n)
        data = data.reset_index(drop=True)
        every = scale_scores[scale_scores["instrument"] == spec.id]
        additive = disclosure.Additive(disclosure.group_sums(every, data))
        checked = disclosure.protect_rows(
            data, n_col="n", value_cols=value_cols, threshold=threshold, additive=additive
        )
    any_hidden = bool(checked[disclosure.SUPPRESSED_COL].any())
    shown = disclosure.publishable(checked)
    waves = ordered_waves(project, spec.id, checked["wave"].astype(str).unique())
    if group_by == "all" and len({spec.score_range(sc) for sc in scales}) > 1:
        # Scales on different ranges (e.g. P-CAT sums): one panel per scale, each on its own axis.
        return _means_by_scale_panels(shown, spec=spec, project=project, lang=lang, waves=waves)
    plot, panels = _panels(shown, waves, spec=spec, project=project, lang=lang, group_by=group_by)
    fig = Figure(
        figsize=(7.5, 3.9 * len(panels) if group_by != "all" else 4.4), layout="constrained"
    )
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, panel in zip(axes, panels, strict=True):
        _draw_panel(ax, panel, plot)
    if any_hidden and group_by != "all":
        s = report_strings(lang)
        fig.supxlabel(
            s("figures.hidden_groups", threshold=threshold), fontsize=8, x=0.01, ha="left"
        )
    return fig


def _panels(
    shown: pd.DataFrame,
    waves: list[str],
    *,
    spec: InstrumentSpec,
    project: Project,
    lang: str,
    group_by: str,
) -> tuple[_MeansPlot, list[_Panel]]:
    """One panel of all waves, or one panel per wave with a series per group."""
    if group_by == "all":
        plot = _MeansPlot(spec, project, lang, group_by, waves)
        return plot, [_Panel(None, shown, waves, "wave")]
    # One colour per group across panels, in project order.
    order = ordered_groups(project, group_by, shown["group"].astype(str).unique())
    panels = []
    for wave in waves:
        part = shown[shown["wave"].astype(str) == wave]
        groups = [g for g in order if g in set(part["group"].astype(str))]
        panels.append(_Panel(wave_label(project, spec.id, wave, lang), part, groups, "group"))
    plot = _MeansPlot(spec, project, lang, group_by, order)
    return plot, panels or [_Panel(None, shown, [], "wave")]


def _draw_panel(ax: Axes, panel: _Panel, plot: _MeansPlot) -> None:
    scales, lang = plot.scales, plot.lang
    xs = np.arange(len(scales), dtype=float)
    width = 0.5 if len(panel.series) <= 3 else 0.75
    step = width / max(1, len(panel.series))
    for i, key in enumerate(panel.series):
        style = plot.palette_order.index(key) if key in plot.palette_order else i
        rows = panel.rows[panel.rows[panel.series_col].astype(str) == key].set_index("scale")
        rows = rows.reindex([sc for sc in scales if sc in rows.index])
        if rows.empty:
            continue
        x = xs[[scales.index(sc) for sc in rows.index]] - width / 2 + step * (i + 0.5)
        mean = rows["mean"].to_numpy(dtype=float)
        low = rows["ci_low"].to_numpy(dtype=float)
        high = rows["ci_high"].to_numpy(dtype=float)
        err = np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)])
        label = plot.label(key, panel.series_col)
        colour = mean_with_ci(ax, x, mean, err, style=style, label=label)
        if plot.group_by == "all":
            for xi, mi in zip(x, mean, strict=True):
                text = disclosure.format_number(mi, decimals=2, lang=lang)
                label_point(ax, text, (xi, mi), colour=colour, offset=5)
    _means_axis(ax, panel, plot)


def _means_axis(ax: Axes, panel: _Panel, plot: _MeansPlot) -> None:
    s = report_strings(plot.lang)
    scales = plot.scales
    labels = [wrap(plot.spec.scale(sc).label.get(plot.lang), 16) for sc in scales]
    ax.set_xticks(np.arange(len(scales), dtype=float), labels, fontsize=9)
    ax.set_xlim(-0.6, len(scales) - 0.4)
    y_low, y_high = scale_range = _scale_range(plot.spec)
    ax.set_ylim(y_low, y_high)
    ax.yaxis.set_major_locator(FixedLocator(np.arange(y_low, y_high + 0.5, 1.0).tolist()))
    whole_number_ticks(ax, plot.lang)
    ax.set_ylabel(s("figures.mean_axis") + f" ({_range_text(scale_range, plot.lang)})")
    tidy_axis(ax)
    if panel.title:
        ax.set_title(panel.title, fontsize=10, loc="left")
    if panel.series and ax.get_legend_handles_labels()[0]:
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            ncol=min(3, len(panel.series)),
            frameon=False,
            fontsize=8.5,
        )
    if panel.rows.empty:
        ax.text(0.5, 0.5, s("figures.nothing_to_show"), transform=ax.transAxes, ha="center")


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
            label = wave_label(project, spec.id, wave, lang)
            colour = mean_with_ci(ax, [i], [mean], err, style=i, label=label)
            text = disclosure.format_number(mean, decimals=1, lang=lang)
            label_point(ax, text, (i, mean), colour=colour, offset=6)
        low, high = spec.score_range(scale_id)
        ax.set_ylim(low, high)
        ax.set_xlim(-0.7, max(len(waves), 1) - 0.3)
        ax.set_xticks(range(len(waves)), waves, fontsize=8)
        ax.set_title(wrap(spec.scale(scale_id).label.get(lang), 18), fontsize=9)
        whole_number_ticks(ax, lang)
        tidy_axis(ax)
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
