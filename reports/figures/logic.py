"""The project logic as a figure: one column per level, boxes coloured by goal status, links routed
around the boxes by a layered layout (:mod:`reports.figures.layered`).

Returns a :class:`matplotlib.figure.Figure` (``Figure()``, no pyplot); nothing is saved or shown.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch, PathPatch
from matplotlib.path import Path as MplPath

from reports.figures.layered import layered_layout
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


BOX = (1.6, 0.5)
"""Every box's width and height in inches: three lines of a label at :data:`LABEL_SIZE`."""
LABEL_SIZE = 6.3
LABEL_WIDTH = 30
"""Characters on a line of a box's label; a fourth line is cut to an ellipsis."""
_MARGIN = 0.12  # inches around the drawing
_TOP = 0.3  # inches above it for the level headings
_BOTTOM = 0.42  # inches below it for the legend


def plot_logic(logic: pd.DataFrame, *, lang: str) -> Figure:
    """The project logic: one column per level, boxes coloured by status, links between them.

    The boxes and the links' routes come from a layered layout (:mod:`reports.figures.layered`):
    no link runs through a box it does not join. Labels are drawn as given (no maths parsing).

    Parameters
    ----------
    logic
        ``logic.csv``: node, kind, label_sv, label_en, links_to, status.
    """
    s = report_strings(lang)
    label_col = f"label_{lang}"
    nodes = logic.drop_duplicates("node")
    columns = [k for k in LOGIC_COLUMNS if (nodes["kind"] == k).any()]
    ranks = [[str(n) for n in nodes.loc[nodes["kind"] == k, "node"]] for k in columns]
    layout = layered_layout(ranks, logic_links(logic), box=BOX)
    width, height = layout.width / 72, layout.height / 72
    fig = Figure(figsize=(width + 2 * _MARGIN, height + _TOP + _BOTTOM))
    fig_w, fig_h = fig.get_size_inches()
    ax = fig.add_axes((_MARGIN / fig_w, _BOTTOM / fig_h, width / fig_w, height / fig_h))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(0, layout.height)
    ax.axis("off")
    for link in layout.links:
        codes = [MplPath.MOVETO] + [MplPath.CURVE4] * (len(link.controls) - 1)
        ax.add_patch(
            PathPatch(MplPath(link.controls, codes), fc="none", ec="#888888", lw=0.6, zorder=1)
        )
    rows = nodes.set_index(nodes["node"].astype(str))
    for node, box in layout.boxes.items():
        status = rows.at[node, "status"]
        status = status if isinstance(status, str) else "not_measured"
        left, bottom, _, _ = box.bounds
        ax.add_patch(
            FancyBboxPatch(
                (left, bottom),
                box.width,
                box.height,
                boxstyle="round,pad=0,rounding_size=3",
                fc=STATUS_COLOURS.get(status, STATUS_COLOURS["not_measured"]),
                ec="#444444",
                lw=0.6,
                zorder=3,
            )
        )
        label = _box_label(str(rows.at[node, label_col]))
        ax.text(box.x, box.y, label, ha="center", va="center", fontsize=LABEL_SIZE, zorder=4)
    for kind, rank in zip(columns, ranks, strict=True):
        x = layout.boxes[rank[0]].x
        heading = s(f"indicators.levels.{kind}")
        ax.text(
            x,
            layout.height + 4,
            heading,
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
            clip_on=False,
        )
    present = [k for k in STATUS_COLOURS if (nodes["status"] == k).any()]
    handles = [
        Patch(fc=STATUS_COLOURS[k], ec="#444444", lw=0.6, label=_status_label(k, s))
        for k in present
    ]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8)
    return fig


def logic_links(logic: pd.DataFrame) -> list[tuple[str, str]]:
    """Every ``links_to`` pair of ``logic.csv`` as ``(node, linked node)``."""
    pairs = []
    for node, links in zip(logic["node"], logic["links_to"], strict=True):
        targets = links.split(";") if isinstance(links, str) else []
        pairs += [(str(node), t) for t in targets if t]
    return pairs


def _box_label(text: str) -> str:
    lines = textwrap.wrap(text, LABEL_WIDTH, break_long_words=True) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), LABEL_WIDTH, placeholder=" …")]
    return "\n".join(lines)


def _status_label(status: str, s: Strings) -> str:
    if status == "no_target":
        return s("indicators.no_target")
    return s(f"indicators.status.{status}")
