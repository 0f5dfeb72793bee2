"""Figures for the key figures: the interrupted time series and the participant outcomes.

Each function returns a :class:`matplotlib.figure.Figure` (``Figure()``, no pyplot) and never saves or
shows. Every number written in a figure is formatted by :mod:`reports.disclosure`.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from reports import disclosure
from reports.figures.style import SERIES_COLOURS, LocaleTicks
from reports.strings import report_strings


def plot_its(
    series: pd.DataFrame,
    *,
    title: str,
    y_label: str,
    intervention_label: str,
    lang: str,
    rate: bool = False,
) -> Figure:
    """Observed values, fitted segments and the counterfactual with its 95 % band.

    Parameters
    ----------
    series
        The rows of ``its_series.csv`` for one indicator and unit (unrounded).
    rate
        Divide every value by ``denominator`` (for models with an offset: a rate per unit).
    """
    s = report_strings(lang)
    f = "indicators.figure."
    df = series.sort_values("period").reset_index(drop=True)
    x = pd.to_datetime(df["period"].astype(str).str.slice(0, 7) + "-01")
    div = df["denominator"].astype(float).to_numpy() if rate else np.ones(len(df))

    def col(name: str) -> np.ndarray:
        return df[name].astype(float).to_numpy() / div

    post = df["post"].astype(str).str.lower().isin(["true", "1"]).to_numpy()
    fig = Figure(figsize=(7.5, 3.8))
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(x, col("observed"), s=14, color="#555555", zorder=3, label=s(f + "observed"))
    for mask in (~post, post):
        ax.plot(x[mask], col("fitted")[mask], color=SERIES_COLOURS[0], lw=2, zorder=4)
    first_post = int(np.flatnonzero(post)[0])
    cf = slice(max(first_post - 1, 0), None)
    ax.plot(x[cf], col("counterfactual")[cf], color=SERIES_COLOURS[1], lw=1.8, ls="--", zorder=4)
    ax.fill_between(
        x[post],
        col("counterfactual_ci_low")[post],
        col("counterfactual_ci_high")[post],
        color=SERIES_COLOURS[1],
        alpha=0.15,
        lw=0,
    )
    cut = float(date2num(x[first_post] - (x[first_post] - x[first_post - 1]) / 2))
    ax.axvline(cut, color="#000000", lw=0.8, ls=":")
    ax.text(cut, 1.01, f" {intervention_label}", transform=ax.get_xaxis_transform(), fontsize=8)
    ax.set_ylabel(y_label)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(LocaleTicks(lang))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    handles = [
        Line2D([], [], marker="o", ls="", color="#555555", label=s(f + "observed")),
        Line2D([], [], color=SERIES_COLOURS[0], lw=2, label=s(f + "fitted")),
        Line2D([], [], color=SERIES_COLOURS[1], lw=1.8, ls="--", label=s(f + "counterfactual")),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=3,
        frameon=False,
        fontsize=8,
    )
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def plot_outcome(
    shares: pd.DataFrame,
    *,
    labels: dict[str, str],
    title: str,
    lang: str,
    threshold: int,
) -> Figure:
    """The participant flow: one horizontal bar per category (share of all, 95 % CI).

    Parameters
    ----------
    shares
        The everyone rows of ``outcomes.csv`` for one outcome and unit, in category order, with
        ``suppressed`` and ``suppression_reason`` from
        :func:`reports.disclosure.suppress_breakdowns`. A hidden category gets no bar, only its
        mark (``<5`` or ``–``).
    labels
        Category id → label in the report's language.
    """
    s = report_strings(lang)
    f = "indicators.outcomes."
    df = shares.reset_index(drop=True)
    height = max(2.2, 0.48 * len(df) + 1.3)
    fig = Figure(figsize=(7.5, height))
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(len(df))[::-1]
    toward = df["toward_target"].astype(str).str.lower().isin(["true", "1"]).to_numpy()
    hidden = df["suppressed"].astype(bool).to_numpy()
    share = df["share"].astype(float).to_numpy()
    low = df["ci_low"].astype(float).to_numpy()
    high = df["ci_high"].astype(float).to_numpy()
    colours = [SERIES_COLOURS[0] if t or not toward.any() else "#9E9E9E" for t in toward]
    width = np.where(hidden, 0.0, share)
    ax.barh(y, width, color=colours, height=0.62, zorder=3)
    rows = zip(y, df.itertuples(index=False), hidden, width, low, high, strict=True)
    for yi, row, h, w, lo, hi in rows:
        if h:
            mark = disclosure.count_mark(row.suppression_reason, threshold)
            ax.text(0.005, yi, mark, va="center", fontsize=8)
            continue
        ax.errorbar(
            w,
            yi,
            xerr=[[w - lo], [hi - w]],
            fmt="none",
            ecolor="#333333",
            elinewidth=0.8,
            capsize=2.5,
            zorder=4,
        )
        text = (
            f"{disclosure.format_number(row.n, decimals=0, lang=lang)} "
            f"({disclosure.format_percent(row.share, lang=lang)})"
        )
        ax.text(hi + 0.012, yi, text, va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(
        ["\n".join(textwrap.wrap(labels.get(c, c), 30)) for c in df["category"]], fontsize=8
    )
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _: disclosure.format_percent(v, lang=lang))
    )
    ax.set_xlabel(s(f + "figure_share"), fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e5e5e5", lw=0.6, zorder=0)
    if toward.any():
        handles = [
            Patch(fc=SERIES_COLOURS[0], label=s(f + "toward_target")),
            Patch(fc="#9E9E9E", label=s(f + "other")),
        ]
        ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig
