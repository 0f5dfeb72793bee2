"""The project logic's figure: boxes and links from a layered layout, no link through a box.

The check is geometric, on the layout's own coordinates: every link's route (its Bézier spline,
sampled finely) is clipped against every box other than the two it joins.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import FancyBboxPatch, PathPatch

from analysis.attainment import project_logic
from project.config import load_project
from reports.figures.layered import Box, Layout, Link, layered_layout
from reports.figures.logic import BOX, LOGIC_COLUMNS, logic_links, plot_logic
from reports.strings import report_strings
from tests.conftest import EXAMPLE

INSET = 0.5  # points: a route may touch a box's outline, not enter it


def _segment_enters(p: np.ndarray, q: np.ndarray, box: Box) -> bool:
    """Whether the segment p→q enters ``box`` shrunk by :data:`INSET` (Liang–Barsky)."""
    left, bottom, right, top = box.bounds
    lo, hi = 0.0, 1.0
    d = q - p
    for delta, start, low, high in ((d[0], p[0], left, right), (d[1], p[1], bottom, top)):
        low, high = low + INSET, high - INSET
        if delta == 0:
            if not low < start < high:
                return False
            continue
        t1, t2 = sorted(((low - start) / delta, (high - start) / delta))
        lo, hi = max(lo, t1), min(hi, t2)
        if lo >= hi:
            return False
    return True


def crossings(layout: Layout) -> list[tuple[str, str, str]]:
    """``(tail, head, box)`` for every link that runs through a box it does not join."""
    found = []
    for link in layout.links:
        points = link.polyline(steps=48)
        for name, box in layout.boxes.items():
            if name in (link.tail, link.head):
                continue
            if any(_segment_enters(a, b, box) for a, b in itertools.pairwise(points)):
                found.append((link.tail, link.head, name))
    return found


def _ranks(logic: pd.DataFrame) -> list[list[str]]:
    kinds = [k for k in LOGIC_COLUMNS if (logic["kind"] == k).any()]
    return [list(logic.loc[logic["kind"] == k, "node"]) for k in kinds]


@pytest.fixture(scope="module")
def example_logic() -> pd.DataFrame:
    """The example project's logic (no indicator data: every status from the manual ones)."""
    values = pd.DataFrame(
        columns=[
            "indicator",
            "period",
            "period_start",
            "value",
            "numerator",
            "denominator",
            "unit",
            "disaggregation",
        ]
    )
    return project_logic(values, load_project(EXAMPLE))


def dense_logic(seed: int = 3) -> pd.DataFrame:
    """3 impacts, 4 project goals, 6 sub-goals, 12 activities, 14 indicators, many-to-many links,
    some skipping a level (an activity to a project goal, an indicator to a sub-goal)."""
    rng = np.random.default_rng(seed)
    sizes = {"impact": 3, "project": 4, "sub_goal": 6, "activity": 12, "indicator": 14}
    kinds = list(sizes)
    rows = []
    for level, kind in enumerate(kinds):
        for i in range(sizes[kind]):
            targets: list[str] = []
            if level:
                above = kinds[level - 1]
                picks = rng.choice(sizes[above], size=rng.integers(1, 4), replace=False)
                targets += [f"{above}{j}" for j in sorted(picks)]
            if level >= 2 and rng.random() < 0.3:
                targets.append(f"{kinds[level - 2]}{rng.integers(sizes[kinds[level - 2]])}")
            label = f"{kind} {i}: a label long enough to wrap over two lines"
            rows.append(
                {"node": f"{kind}{i}", "kind": kind, "label_sv": label, "label_en": label}
                | {"links_to": ";".join(targets), "status": "not_measured"}
            )
    return pd.DataFrame(rows)


def test_the_check_sees_a_line_through_a_box():
    boxes = {"a": Box(10, 50, 20, 20), "b": Box(60, 50, 20, 20), "c": Box(110, 50, 20, 20)}
    straight = Link("a", "c", ((20, 50), (50, 50), (70, 50), (100, 50)))
    around = Link("a", "c", ((20, 50), (40, 90), (80, 90), (100, 50)))
    assert crossings(Layout(120, 100, boxes, (straight,))) == [("a", "c", "b")]
    assert crossings(Layout(120, 100, boxes, (around,))) == []


@pytest.mark.parametrize("which", ["example", "dense"])
def test_no_link_runs_through_a_box(which, example_logic):
    logic = example_logic if which == "example" else dense_logic()
    links = logic_links(logic)
    layout = layered_layout(_ranks(logic), links, box=BOX)
    assert set(layout.boxes) == set(logic["node"])
    joined = {frozenset(pair) for pair in links}
    assert {frozenset((link.tail, link.head)) for link in layout.links} == joined
    assert crossings(layout) == []
    # one column per level, left to right, every level's boxes on one x
    xs = [{layout.boxes[n].x for n in rank} for rank in _ranks(logic)]
    assert all(len(x) == 1 for x in xs)
    columns = [x.pop() for x in xs]
    assert columns == sorted(columns) and len(set(columns)) == len(columns)


def test_the_figure_draws_the_layout(example_logic):
    fig = plot_logic(example_logic, lang="en")
    ax = fig.axes[0]
    layout = layered_layout(_ranks(example_logic), logic_links(example_logic), box=BOX)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    routes = [p for p in ax.patches if isinstance(p, PathPatch)]
    drawn = sorted((round(b.get_x(), 3), round(b.get_y(), 3)) for b in boxes)
    bounds = sorted((round(b.bounds[0], 3), round(b.bounds[1], 3)) for b in layout.boxes.values())
    assert drawn == bounds
    assert sorted(map(tuple, (r.get_path().vertices.round(3).tolist() for r in routes))) == sorted(
        tuple(np.round(link.controls, 3).tolist()) for link in layout.links
    )
    s = report_strings("en")
    headings = {s(f"indicators.levels.{k}") for k in LOGIC_COLUMNS}
    assert headings <= {t.get_text() for t in ax.texts}


def test_labels_are_drawn_as_text(example_logic):
    logic = example_logic.copy()
    logic.loc[0, "label_en"] = "$x^2$ costs $5 and <b>10</b> {{ y }}"
    fig = plot_logic(logic, lang="en")
    texts = [t for t in fig.axes[0].texts if "costs" in t.get_text()]
    assert texts and texts[0].get_text().replace("\n", " ") == logic.loc[0, "label_en"]
    assert not texts[0].get_parse_math()  # "$x^2$ … $5" is text, not maths
    fig.savefig(io.BytesIO(), format="png")
