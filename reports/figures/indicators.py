"""Figures for the key figures: the interrupted time series and the project logic.

Each function returns a :class:`matplotlib.figure.Figure` (``Figure()``, no pyplot) and never saves or
shows. Every number written in a figure is formatted by :mod:`reports.disclosure`.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.ticker import FuncFormatter

from reports import disclosure
from reports.figures.survey import SERIES_COLOURS
from reports.strings import report_strings

STATUS_COLOURS = {
    "reached": "#009E73",
    "partly_reached": "#E69F00",
    "not_reached": "#D55E00",
    "not_measured": "#D9D9D9",
    "no_target": "#CFE3F3",
}
"""Okabe–Ito green, orange and vermillion; grey for not measured; pale blue for data without a
target."""

LOGIC_COLUMNS = ("impact", "project", "sub_goal", "activity", "indicator")


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
    cut = x[first_post] - (x[first_post] - x[first_post - 1]) / 2
    ax.axvline(cut, color="#000000", lw=0.8, ls=":")
    ax.text(cut, 1.01, f" {intervention_label}", transform=ax.get_xaxis_transform(), fontsize=8)
    ax.set_ylabel(y_label)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(
        FuncFormatter(
            lambda v, _: disclosure.format_number(
                v, decimals=0 if abs(v) >= 10 or float(v).is_integer() else 1, lang=lang
            )
        )
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    handles = [
        Line2D([], [], marker="o", ls="", color="#555555", label=s(f + "observed")),
        Line2D([], [], color=SERIES_COLOURS[0], lw=2, label=s(f + "fitted")),
        Line2D([], [], color=SERIES_COLOURS[1], lw=1.8, ls="--", label=s(f + "counterfactual")),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3,
              frameon=False, fontsize=8)  # fmt: skip
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def plot_logic(logic: pd.DataFrame, *, lang: str) -> Figure:
    """The project logic: one column per level, boxes coloured by status, links between them.

    Parameters
    ----------
    logic
        ``logic.csv``: node, kind, label_sv, label_en, links_to, status.
    """
    s = report_strings(lang)
    label_col = f"label_{lang}"
    columns = [k for k in LOGIC_COLUMNS if (logic["kind"] == k).any()]
    by_kind = {k: logic[logic["kind"] == k].reset_index(drop=True) for k in columns}
    rows = max((len(v) for v in by_kind.values()), default=1)
    width = 10.0
    height = max(3.0, 0.62 * rows + 1.2)
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0.01, 0.1, 0.98, 0.84))
    ax.set_xlim(0, len(columns))
    ax.set_ylim(0, rows)
    ax.axis("off")
    box_w, box_h = 0.86, 0.8
    pos: dict[str, tuple[float, float]] = {}
    for ci, kind in enumerate(columns):
        nodes = by_kind[kind]
        n = len(nodes)
        offset = (rows - n) / 2
        ax.text(ci + 0.5, rows + 0.05, s(f"indicators.levels.{kind}"), ha="center", va="bottom",
                fontsize=9, fontweight="bold")  # fmt: skip
        for ri, node in nodes.iterrows():
            y = rows - offset - int(ri) - 0.5  # type: ignore[call-overload]
            x = ci + 0.5
            pos[str(node["node"])] = (x, y)
            status = str(node["status"]) if isinstance(node["status"], str) else "not_measured"
            ax.add_patch(
                FancyBboxPatch(
                    (x - box_w / 2, y - box_h / 2), box_w, box_h,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    fc=STATUS_COLOURS.get(status, STATUS_COLOURS["not_measured"]),
                    ec="#444444", lw=0.6, zorder=3,
                )
            )  # fmt: skip
            text = "\n".join(textwrap.wrap(str(node[label_col]), 26)[:3])
            ax.text(x, y, text, ha="center", va="center", fontsize=6.3, zorder=4)
    for _, node in logic.iterrows():
        src = str(node["node"])
        links = node["links_to"] if isinstance(node["links_to"], str) else ""
        for dst in filter(None, links.split(";")):
            if src in pos and dst in pos:
                (x1, y1), (x2, y2) = pos[src], pos[dst]
                if x1 > x2:  # draw from the right edge of the left box
                    x1, y1, x2, y2 = x2, y2, x1, y1
                ax.plot([x1 + box_w / 2, x2 - box_w / 2], [y1, y2], color="#888888", lw=0.6,
                        zorder=1)  # fmt: skip
    present = [k for k in STATUS_COLOURS if (logic["status"] == k).any()]
    handles = [
        Patch(fc=STATUS_COLOURS[k], ec="#444444", lw=0.6, label=_status_label(k, s))
        for k in present
    ]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8)
    return fig


def _status_label(status: str, s) -> str:  # type: ignore[no-untyped-def]
    if status == "no_target":
        return s("indicators.no_target")
    return s(f"indicators.status.{status}")


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
    colours = [SERIES_COLOURS[0] if t or not toward.any() else "#9E9E9E" for t in toward]
    width = np.where(hidden, 0.0, share)
    ax.barh(y, width, color=colours, height=0.62, zorder=3)
    for yi, row, h, w in zip(y, df.itertuples(index=False), hidden, width, strict=True):
        if h:
            mark = f"<{threshold}" if row.suppression_reason == "small_cell" else "–"
            ax.text(0.005, yi, mark, va="center", fontsize=8)
            continue
        ax.errorbar(
            w, yi, xerr=[[w - float(row.ci_low)], [float(row.ci_high) - w]],
            fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2.5, zorder=4,
        )  # fmt: skip
        text = (
            f"{disclosure.format_number(row.n, decimals=0, lang=lang)} "
            f"({disclosure.format_percent(row.share, lang=lang)})"
        )
        ax.text(float(row.ci_high) + 0.012, yi, text, va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(["\n".join(textwrap.wrap(labels.get(c, c), 30)) for c in df["category"]],
                       fontsize=8)  # fmt: skip
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
