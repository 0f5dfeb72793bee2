"""The NPT heat map: share of interviews coding each construct and sub-construct, by group and round.

Returns a :class:`matplotlib.figure.Figure` built with the object-oriented API (no pyplot); nothing
is saved or shown. Numbers written in the figure are formatted by :mod:`reports.disclosure`, and a
group × round with fewer interviews than the small-cell threshold is not drawn (its column is
greyed and says so): a share of a handful of interviews would point to persons.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from project.codebook import Codebook
from project.interviews import InterviewsConfig
from reports import disclosure
from reports.strings import report_strings

# ColorBrewer "Blues" (sequential, colour-blind safe, prints in grey).
_BLUES = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
_CMAP = LinearSegmentedColormap.from_list("npt_blues", _BLUES)
_HIDDEN = "#e0e0e0"


def heatmap_columns(
    frequencies: pd.DataFrame, config: InterviewsConfig
) -> list[tuple[str, str, int]]:
    """(group, round, interviews in it) in project.yaml order, for the group × round cells present."""
    cells = frequencies[
        (frequencies["stakeholder_group"] != "all") & (frequencies["round"] != "all")
    ][["stakeholder_group", "round", "documents_in_group"]].drop_duplicates()
    size = {(g, r): int(n) for g, r, n in cells.itertuples(index=False)}
    out = []
    for g in config.stakeholder_groups:
        for r in config.rounds:
            if (g.id, r.id) in size:
                out.append((g.id, r.id, size[(g.id, r.id)]))
    return out


def plot_npt_heatmap(
    frequencies: pd.DataFrame,
    *,
    codebook: Codebook,
    config: InterviewsConfig,
    threshold: int,
    lang: str,
    withheld: frozenset[tuple[str, str]] = frozenset(),
) -> Figure:
    """Rows: the four NPT constructs, each followed by its sub-constructs; columns: group × round.

    Parameters
    ----------
    frequencies
        ``coding_frequencies.csv`` (unrounded).
    codebook, config
        Labels and the order of groups and rounds.
    threshold
        ``project.privacy.min_cell_size``: a group × round with fewer interviews is not drawn.
    lang
        ``"sv"`` or ``"en"``.
    withheld
        (group, round) cells whose count the documents table hides so that a small one cannot be
        worked out (secondary suppression): not drawn either, their count shown as ``–``.
    """
    columns = heatmap_columns(frequencies, config)
    rows = _rows(codebook, lang)
    values = _shares(frequencies, rows, columns)
    hidden = [disclosure.too_small_base(n, threshold) or (g, r) in withheld for g, r, n in columns]
    width = 3.4 + 1.3 * max(len(columns), 1)
    fig = Figure(figsize=(width, 0.34 * len(rows) + 1.9), layout="constrained")
    ax = fig.add_subplot()
    shown = values.copy()
    shown[:, hidden] = np.nan
    ax.imshow(np.ma.masked_invalid(shown), cmap=_CMAP, vmin=0, vmax=1, aspect="auto")
    _cells(ax, values, rows, hidden, threshold=threshold, lang=lang)
    _axes(ax, rows, columns, config, threshold=threshold, lang=lang, withheld=withheld)
    bar = fig.colorbar(ax.images[0], ax=ax, shrink=0.5, pad=0.02)
    bar.set_label(report_strings(lang)("interviews.heatmap_axis"), fontsize=8)
    ticks = [0, 0.25, 0.5, 0.75, 1]
    bar.set_ticks(ticks)
    bar.set_ticklabels([disclosure.format_percent(t, lang=lang) for t in ticks], fontsize=7.5)
    return fig


def _rows(codebook: Codebook, lang: str) -> list[tuple[str, str, bool]]:
    """(code, label, is construct): each construct followed by its sub-constructs."""
    rows: list[tuple[str, str, bool]] = []
    for con in codebook.constructs():
        rows.append((con.id, con.labels.get(lang), True))
        for sub in codebook.children(con.id):
            if sub.level == "sub_construct":
                rows.append((sub.id, sub.labels.get(lang), False))
    return rows


def _shares(
    frequencies: pd.DataFrame,
    rows: list[tuple[str, str, bool]],
    columns: list[tuple[str, str, int]],
) -> np.ndarray:
    cell = frequencies[
        (frequencies["stakeholder_group"] != "all") & (frequencies["round"] != "all")
    ].set_index(["code_level", "code", "stakeholder_group", "round"])["share_of_documents"]
    values = np.full((len(rows), len(columns)), np.nan)
    for i, (code, _, is_construct) in enumerate(rows):
        level = "construct" if is_construct else "code"
        for j, (g, r, _) in enumerate(columns):
            values[i, j] = float(cell.get((level, code, g, r), 0.0))
    return values


def _cells(
    ax: Axes,
    values: np.ndarray,
    rows: list[tuple[str, str, bool]],
    hidden: list[bool],
    *,
    threshold: int,
    lang: str,
) -> None:
    """Each cell's share written in it; a hidden column greyed with a note instead."""
    s = report_strings(lang)
    for j, hide in enumerate(hidden):
        if hide:
            ax.axvspan(j - 0.5, j + 0.5, color=_HIDDEN, zorder=0)
            ax.text(
                j,
                (len(rows) - 1) / 2,
                s("interviews.too_few", threshold=threshold),
                rotation=90,
                ha="center",
                va="center",
                fontsize=8,
                color="#444444",
            )
            continue
        for i in range(len(rows)):
            v = values[i, j]
            ax.text(
                j,
                i,
                disclosure.format_percent(v, lang=lang),
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if v >= 0.55 else "#222222",
                fontweight="bold" if rows[i][2] else "normal",
            )


def _axes(
    ax: Axes,
    rows: list[tuple[str, str, bool]],
    columns: list[tuple[str, str, int]],
    config: InterviewsConfig,
    *,
    threshold: int,
    lang: str,
    withheld: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """Row labels (constructs bold), column labels with each group's interview count."""
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([label if con else "   " + label for _, label, con in rows], fontsize=8.5)
    for tick, (_, _, con) in zip(ax.get_yticklabels(), rows, strict=True):
        if con:
            tick.set_fontweight("bold")
    for i, (_, _, con) in enumerate(rows):
        if con and i:
            ax.axhline(i - 0.5, color="white", linewidth=2.5)
    labels = []
    for g, r, n in columns:
        count = (
            disclosure.SUPPRESSED
            if (g, r) in withheld and not disclosure.is_small_cell(n, threshold)
            else disclosure.format_n(n, threshold=threshold, lang=lang)
        )
        head = textwrap.fill(config.group_label(g, lang), 16, break_long_words=False)
        when = textwrap.fill(config.round_label(r, lang), 14, break_long_words=False)
        labels.append(f"{head}\n{when}\n({count})")
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
