"""The project logic as a figure: one column per level, boxes coloured by goal status.

Returns a :class:`matplotlib.figure.Figure` (``Figure()``, no pyplot); nothing is saved or shown.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch

from reports.strings import Strings, report_strings

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
        ax.text(
            ci + 0.5,
            rows + 0.05,
            s(f"indicators.levels.{kind}"),
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
        )
        for ri, node in nodes.iterrows():
            y = rows - offset - int(ri) - 0.5  # type: ignore[call-overload]
            x = ci + 0.5
            pos[str(node["node"])] = (x, y)
            status = str(node["status"]) if isinstance(node["status"], str) else "not_measured"
            ax.add_patch(
                FancyBboxPatch(
                    (x - box_w / 2, y - box_h / 2),
                    box_w,
                    box_h,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    fc=STATUS_COLOURS.get(status, STATUS_COLOURS["not_measured"]),
                    ec="#444444",
                    lw=0.6,
                    zorder=3,
                )
            )
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
                ax.plot(
                    [x1 + box_w / 2, x2 - box_w / 2], [y1, y2], color="#888888", lw=0.6, zorder=1
                )
    present = [k for k in STATUS_COLOURS if (logic["status"] == k).any()]
    handles = [
        Patch(fc=STATUS_COLOURS[k], ec="#444444", lw=0.6, label=_status_label(k, s))
        for k in present
    ]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8)
    return fig


def _status_label(status: str, s: Strings) -> str:
    if status == "no_target":
        return s("indicators.no_target")
    return s(f"indicators.status.{status}")
