"""The look every report figure shares: colours, markers, axis styling, locale-aware ticks."""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import Formatter, FuncFormatter

from reports import disclosure

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in greyscale by marker.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SERIES_MARKERS = ("o", "s", "D", "^", "v", "P", "X")
# ColorBrewer BrBG, 5 classes (colour-blind safe): disagree brown … agree teal, neutral grey.
DIVERGING_COLOURS = {1: "#a6611a", 2: "#dfc27d", 3: "#d9d9d9", 4: "#80cdc1", 5: "#018571"}


def wrap(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters (words are not broken)."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def tidy_axis(ax: Axes, *, grid: Literal["both", "x", "y"] = "y") -> None:
    """A light grid behind the data and no top or right frame."""
    ax.grid(axis=grid, color="#e0e0e0", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def whole_number_ticks(ax: Axes, lang: str) -> None:
    """Y tick labels as whole numbers written the language's way."""
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: disclosure.format_number(v, decimals=0, lang=lang))
    )


class LocaleTicks(Formatter):
    """Tick labels written the language's way with as many decimals as the tick step needs: a
    rate from 0.04 to 0.1 reads 0,04 0,06 0,08 0,10, never 0,0 0,1 0,1.

    >>> ticks = LocaleTicks("sv")
    >>> ticks.set_locs([0.04, 0.06, 0.08, 0.1])
    >>> [ticks(v) for v in (0.04, 0.1)], LocaleTicks("en").decimals_for([0, 500, 1000])
    (['0,04', '0,10'], 0)
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.decimals = 0

    @staticmethod
    def decimals_for(locs: Sequence[float]) -> int:
        steps = [abs(b - a) for a, b in itertools.pairwise(locs) if b != a]
        step = min(steps, default=1.0)
        return 0 if step >= 1 else min(6, math.ceil(-math.log10(step) - 1e-9))

    def set_locs(self, locs: Sequence[float]) -> None:
        self.locs = list(locs)
        self.decimals = self.decimals_for(self.locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return disclosure.format_number(x, decimals=self.decimals, lang=self.lang)


def mean_with_ci(
    ax: Axes,
    x: Sequence[float] | np.ndarray,
    mean: Sequence[float] | np.ndarray,
    err: np.ndarray | list[list[float]],
    *,
    style: int,
    label: str,
) -> str:
    """Means with their interval as error bars in series ``style``; returns the series colour."""
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
    return colour


def label_point(
    ax: Axes, text: str, xy: tuple[float, float], *, colour: str, offset: float
) -> None:
    """A value written beside its marker, ``offset`` points to the right."""
    ax.annotate(
        text,
        xy,
        xytext=(offset, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=7.5,
        color=colour,
    )
