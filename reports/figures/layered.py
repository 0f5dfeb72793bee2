"""A layered (Sugiyama) layout of boxes and links by Graphviz's ``dot``, for figures drawn with
matplotlib.

``dot`` places the boxes in ranks (one rank per level, left to right), orders each rank to keep
crossings few and routes every link as a spline around the boxes it does not join, so that no line
runs through a box. It comes from the ``graphviz-pure`` package (a self-contained ``dot`` program
installed with impleval's dependencies; no system Graphviz is needed) and is run with
``-Tjson0``: positions and routes only, nothing drawn. The graph handed to it names the boxes
``n0``, ``n1`` … and carries no label, so no text from the data reaches it.

All coordinates are in points (1/72 inch), origin bottom left, as ``dot`` writes them.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from project.errors import RenderError

DOT_PROGRAM = "graphviz-pure"
"""The ``dot`` command of the graphviz-pure package (it installs no command named ``dot``)."""


@dataclass(frozen=True)
class Box:
    """A box by its centre, width and height (points)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)``."""
        w, h = self.width / 2, self.height / 2
        return self.x - w, self.y - h, self.x + w, self.y + h


@dataclass(frozen=True)
class Link:
    """A routed link: a cubic Bézier spline (``3k + 1`` control points) from ``tail`` to
    ``head``."""

    tail: str
    head: str
    controls: tuple[tuple[float, float], ...]

    def polyline(self, steps: int = 24) -> np.ndarray:
        """Points along the spline, ``steps`` per Bézier piece (an ``(n, 2)`` array)."""
        c = np.asarray(self.controls, dtype=float)
        t = np.linspace(0.0, 1.0, steps + 1)[:, None]
        pieces = [
            (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3
            for p0, p1, p2, p3 in (c[i : i + 4] for i in range(0, len(c) - 1, 3))
        ]
        return np.vstack(pieces) if pieces else c


@dataclass(frozen=True)
class Layout:
    """Boxes and routed links, inside ``width`` × ``height`` points."""

    width: float
    height: float
    boxes: dict[str, Box]
    links: tuple[Link, ...]


def dot_program() -> str:
    """Where the ``graphviz-pure`` program is: beside this Python's scripts, else on the PATH."""
    scripts = Path(sysconfig.get_path("scripts"))
    found = shutil.which(DOT_PROGRAM, path=str(scripts)) or shutil.which(DOT_PROGRAM)
    if not found:
        raise RenderError(
            f"figures: the layout program {DOT_PROGRAM} was not found. Hint: install impleval's "
            f"dependencies again (make bootstrap); the graphviz-pure package ships it."
        )
    return found


def layered_layout(
    ranks: Sequence[Sequence[str]],
    links: Sequence[tuple[str, str]],
    *,
    box: tuple[float, float],
    nodesep: float = 0.14,
    ranksep: float = 0.45,
) -> Layout:
    """Lay out ``ranks`` (lists of node ids, left to right) with their ``links``.

    Parameters
    ----------
    ranks
        The node ids of each rank; every node in one rank only.
    links
        ``(a, b)`` pairs of node ids, in either direction; a link between nodes of one rank is
        routed without constraining the ranks; duplicates and unknown ids are dropped.
    box
        Every box's width and height in inches.
    nodesep, ranksep
        Gaps between boxes of a rank and between ranks, in inches.
    """
    ids = {node: f"n{i}" for i, node in enumerate(n for rank in ranks for n in rank)}
    level = {node: r for r, rank in enumerate(ranks) for node in rank}
    names = {v: k for k, v in ids.items()}
    source = _dot_source(ranks, _directed(links, level), ids, level, box, nodesep, ranksep)
    try:
        done = subprocess.run(
            [dot_program(), "-Tjson0"],
            input=source,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        said = " ".join(str(getattr(exc, "stderr", "") or exc).split())[:400]
        raise RenderError(
            f"figures: {DOT_PROGRAM} could not lay out the project logic. It said: {said} "
            f"Hint: install impleval's dependencies again (make bootstrap)."
        ) from exc
    return _parse(json.loads(done.stdout), names)


def _directed(links: Sequence[tuple[str, str]], level: dict[str, int]) -> list[tuple[str, str]]:
    """Each link once, from its lower rank to its higher one."""
    out: dict[tuple[str, str], None] = {}
    for a, b in links:
        if a in level and b in level and a != b:
            out[(a, b) if level[a] <= level[b] else (b, a)] = None
    return list(out)


def _dot_source(
    ranks: Sequence[Sequence[str]],
    links: list[tuple[str, str]],
    ids: dict[str, str],
    level: dict[str, int],
    box: tuple[float, float],
    nodesep: float,
    ranksep: float,
) -> str:
    lines = [
        "digraph logic {",
        f"rankdir=LR; splines=spline; nodesep={nodesep}; ranksep={ranksep}; outputorder=edgesfirst;",
        f'node [shape=box, fixedsize=true, width={box[0]}, height={box[1]}, label=""];',
        "edge [dir=none];",
    ]
    lines += ["{rank=same; " + " ".join(ids[n] for n in rank) + "}" for rank in ranks if rank]
    # an invisible chain keeps every level in its own rank, in order, even with no link to the next
    firsts = [ids[rank[0]] for rank in ranks if rank]
    lines += [f"{a} -> {b} [style=invis];" for a, b in itertools.pairwise(firsts)]
    for a, b in links:
        span = level[b] - level[a]
        attrs = f"minlen={span}" if span else "constraint=false"
        lines.append(f"{ids[a]} -> {ids[b]} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _parse(graph: dict, names: dict[str, str]) -> Layout:
    left, bottom, right, top = (float(v) for v in graph["bb"].split(","))
    boxes: dict[str, Box] = {}
    by_gvid: dict[int, str] = {}
    for obj in graph.get("objects", []):
        if obj.get("name") in names and "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
            boxes[names[obj["name"]]] = Box(x - left, y - bottom, w, h)
            by_gvid[int(obj["_gvid"])] = names[obj["name"]]
    links = []
    for edge in graph.get("edges", []):
        if edge.get("style") == "invis" or "pos" not in edge:
            continue
        points = [p for p in edge["pos"].split() if not p.startswith(("s,", "e,"))]
        controls = tuple(
            (float(x) - left, float(y) - bottom) for x, y in (p.split(",") for p in points)
        )
        links.append(Link(by_gvid[int(edge["tail"])], by_gvid[int(edge["head"])], controls))
    return Layout(right - left, top - bottom, boxes, tuple(links))
