"""Figures return a Figure, save nothing, and never draw a suppressed group (reports/figures/)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from reports import disclosure
from reports.figures.style import DIVERGING_COLOURS
from reports.figures.survey import plot_construct_means
from reports.figures.survey_distributions import plot_item_distributions
from reports.strings import report_strings


def drawn_values(fig: Figure) -> set[float]:
    """Every y value drawn as a marker or error bar end, rounded to 6 decimals."""
    values: set[float] = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            values |= {round(float(v), 6) for v in np.asarray(line.get_ydata(), dtype=float)}
        for coll in ax.collections:
            if isinstance(coll, LineCollection):
                for seg in coll.get_segments():
                    values |= {round(float(v), 6) for v in seg[:, 1]}
    return values


def texts(fig: Figure) -> list[str]:
    out = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
    return [t for t in out if t]


def legend_labels(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def test_construct_means_by_wave(scale_scores, spec, project):
    fig = plot_construct_means(scale_scores, spec=spec, project=project, lang="sv")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_ylim() == (1.0, 5.0)
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == [
        sc.label.sv for sc in spec.scales
    ]
    assert legend_labels(fig) == [w.label("sv") for w in project.waves]
    overall = scale_scores[scale_scores["group_by"] == "all"]
    assert {round(v, 6) for v in overall["mean"]} <= drawn_values(fig)
    # Means are written with a decimal comma, through the disclosure module.
    first = overall.iloc[0]["mean"]
    assert disclosure.format_number(first, decimals=2, lang="sv") in texts(fig)


def test_english_labels(scale_scores, spec, project):
    fig = plot_construct_means(scale_scores, spec=spec, project=project, lang="en")
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_xticklabels()]
    assert labels == [sc.label.en for sc in spec.scales]


def test_small_group_is_not_drawn(scale_scores, spec, project):
    fig = plot_construct_means(
        scale_scores, spec=spec, project=project, lang="sv", group_by="staff_group"
    )
    small = scale_scores[
        (scale_scores["group_by"] == "staff_group") & (scale_scores["group"] == "unit_manager")
    ]
    assert (small["n"] < project.privacy.min_cell_size).all()
    drawn = drawn_values(fig)
    for col in ("mean", "ci_low", "ci_high"):
        assert not ({round(v, 6) for v in small[col]} & drawn), col
    assert "Enhetschef" not in legend_labels(fig)
    assert any("färre än 5" in t for t in texts(fig))


def test_small_overall_wave_is_not_drawn(scale_scores, spec, project):
    tiny = scale_scores.copy()
    mask = (tiny["group_by"] == "all") & (tiny["wave"] == "T1")
    tiny.loc[mask, "n"] = 3
    tiny.loc[mask, "mean"] = 4.987654
    fig = plot_construct_means(tiny, spec=spec, project=project, lang="sv")
    assert 4.987654 not in drawn_values(fig)
    assert "4,99" not in texts(fig)


@dataclass(frozen=True)
class Bar:
    """A drawn bar segment: a rectangle of the bars' collection (or a patch)."""

    x: float
    y: float
    width: float
    height: float
    colour: tuple[float, ...]

    def get_x(self) -> float:
        return self.x

    def get_y(self) -> float:
        return self.y

    def get_width(self) -> float:
        return self.width

    def get_height(self) -> float:
        return self.height


def bars(fig: Figure) -> list[Bar]:
    """Every bar segment drawn on the first axes, patches and polygon collections alike, with a
    width above zero."""
    ax = fig.axes[0]
    out = [
        Bar(p.get_x(), p.get_y(), p.get_width(), p.get_height(), tuple(p.get_facecolor()))
        for p in ax.patches
        if isinstance(p, Rectangle)
    ]
    for coll in ax.collections:
        if isinstance(coll, PolyCollection):
            colours = coll.get_facecolor()
            for i, path in enumerate(coll.get_paths()):
                xs, ys = path.vertices[:, 0], path.vertices[:, 1]
                colour = tuple(colours[i % len(colours)])
                out.append(
                    Bar(xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min(), colour)
                )
    return [b for b in out if b.width > 0]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_item_distributions(item_distributions, spec, project, lang):
    fig = plot_item_distributions(
        item_distributions, spec=spec, project=project, lang=lang, wave="T0"
    )
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    ordinal = [i for i in spec.items if spec.response_sets[i.response_set].type == "ordinal"]
    assert labels == [f"{i.source_code} {i.label.get(lang)}" for i in ordinal]
    # Shares of scored answers: each item's bars add up to 100 %.
    widths = sum(b.get_width() for b in bars(fig))
    assert widths == pytest.approx(len(ordinal), rel=1e-9)
    # Disagreement sits left of zero, agreement right of it.
    co1 = item_distributions.query("wave == 'T0' and item == 'co1' and response_kind == 'scored'")
    shares = co1.set_index("response")["share_of_scored"]
    left_edge = -(shares["1"] + shares["2"] + shares["3"] / 2)
    y_co1 = fig.axes[0].get_yticks()[0]
    co1_bars = sorted(
        (b for b in bars(fig) if abs(b.get_y() + b.get_height() / 2 - y_co1) < 1e-9),
        key=lambda b: b.get_x(),
    )
    assert co1_bars[0].get_x() == pytest.approx(left_edge)
    # Each segment in its option's colour, left to right (codes 1-5, those with answers).
    drawn = [code for code in "12345" if shares.get(code, 0) > 0]
    assert [b.colour for b in co1_bars] == [to_rgba(DIVERGING_COLOURS[int(c)]) for c in drawn]
    assert all(b.get_height() == pytest.approx(0.72) for b in co1_bars)
    joined = " ".join(texts(fig)).replace("\n", " ")
    assert report_strings(lang)("figures.not_relevant") in joined
    assert report_strings(lang)("figures.missing") in joined
    # The "not relevant" share of co1 (out of everyone asked) is written beside the bars.
    na = item_distributions.query(
        "wave == 'T0' and item == 'co1' and response_kind == 'not_applicable'"
    )["share"].sum()
    assert disclosure.format_percent(na, lang=lang) in texts(fig)


def test_item_with_few_answers_has_no_bar(item_distributions, spec, project):
    few = item_distributions.copy()
    mask = (few["wave"] == "T0") & (few["item"] == "co1") & (few["response_kind"] == "scored")
    few.loc[mask, "n"] = [1, 0, 1, 1, 0]
    fig = plot_item_distributions(few, spec=spec, project=project, lang="en", wave="T0")
    y_co1 = fig.axes[0].get_yticks()[0]
    on_row = [b for b in bars(fig) if abs(b.get_y() + b.get_height() / 2 - y_co1) < 1e-9]
    assert on_row == []
    assert "fewer than 5 answers" in texts(fig)
