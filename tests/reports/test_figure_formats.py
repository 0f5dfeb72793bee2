"""Each figure's saved formats (PNG, and the SVG and PDF export copies) are what the figure draws:
the same bytes as saving it the plain way, each save laying it out again (reports/writer.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from reports.content import FigureBlock
from reports.figures.indicators import plot_its
from reports.figures.survey import plot_construct_means
from reports.writer import FIGURE_DPI, FigureDrawing, draw_figure, fix_layout, lays_out

FORMATS = ("svg", "pdf", "png")
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


def plain_saves(make: Callable[[], Figure]) -> dict[str, bytes]:
    """The figure saved as each format the plain way: matplotlib lays it out before each save
    (SVG, PDF, then PNG, on one figure: the order the report has always saved them in)."""
    figure = make()
    saved = {}
    for fmt in FORMATS:
        buffer = io.BytesIO()
        if fmt == "png":
            figure.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
        else:
            metadata = {"svg": {"Date": None, "Creator": None}, "pdf": {"CreationDate": None}}
            with matplotlib.rc_context({"svg.hashsalt": "impleval"}):
                figure.savefig(buffer, format=fmt, metadata=metadata[fmt])
        saved[fmt] = buffer.getvalue()
    return saved


def its_series() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    periods = [f"{2017 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
    post = np.arange(24) >= 12
    fitted = np.where(post, 30 - 0.4 * np.arange(24), 40 - 0.2 * np.arange(24))
    counterfactual = 40 - 0.2 * np.arange(24)
    return pd.DataFrame(
        {
            "period": periods,
            "denominator": 100.0,
            "observed": fitted + rng.normal(0, 2, 24),
            "fitted": fitted,
            "counterfactual": counterfactual,
            "counterfactual_ci_low": counterfactual - 3,
            "counterfactual_ci_high": counterfactual + 3,
            "post": post,
        }
    )


def plain_figure() -> Figure:
    """No layout engine at all."""
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1, 2], [2, 0, 1], label="serie")
    ax.set_title("Åtta dagar", loc="left")
    ax.legend()
    return fig


@pytest.fixture()
def makes(scale_scores, spec, project) -> dict[str, Callable[[], Figure]]:
    its = partial(
        plot_its,
        its_series(),
        title="Dagar",
        y_label="Dagar per månad",
        intervention_label="Start",
        lang="sv",
    )
    means = partial(
        plot_construct_means,
        scale_scores,
        spec=spec,
        project=project,
        lang="sv",
        group_by="staff_group",
    )
    return {"constrained": means, "tight": its, "none": plain_figure}


def test_which_figures_are_laid_out_per_save(makes) -> None:
    assert lays_out(makes["constrained"]())
    assert not lays_out(makes["tight"]()) and not lays_out(makes["none"]())


def test_every_format_has_the_bytes_of_a_plain_save(tmp_path: Path, makes) -> None:
    for kind, make in makes.items():
        targets = {fmt: tmp_path / f"{kind}.{fmt}" for fmt in FORMATS}
        written = draw_figure(make, targets["png"], (targets["svg"], targets["pdf"]))
        assert written == targets["png"]
        want = plain_saves(make)
        for fmt, target in targets.items():
            assert target.read_bytes()[: len(MAGIC[fmt])] == MAGIC[fmt], (kind, fmt)
            assert target.read_bytes() == want[fmt], f"{kind} figure: {fmt} differs"


def test_a_fixed_layout_keeps_the_axes_where_they_were(makes) -> None:
    figure = makes["tight"]()
    before = [ax.get_position().bounds for ax in figure.axes]
    fix_layout(figure)
    assert figure.get_layout_engine() is None
    figure.savefig(io.BytesIO(), format="png", dpi=FIGURE_DPI)
    assert [ax.get_position().bounds for ax in figure.axes] == before


def test_every_figure_gets_its_png_and_both_export_copies(tmp_path: Path, makes) -> None:
    figures = [FigureBlock(kind, make, "caption") for kind, make in makes.items()]
    exports = {f.stem: (tmp_path / f"{f.stem}.svg", tmp_path / f"{f.stem}.pdf") for f in figures}
    with FigureDrawing(figures, tmp_path / "figures", exports=exports) as drawing:
        pngs = drawing.wait()
    assert list(pngs) == list(makes)
    for stem, png in pngs.items():
        assert png.read_bytes().startswith(MAGIC["png"])
        svg, pdf = exports[stem]
        assert svg.read_bytes().startswith(MAGIC["svg"])
        assert pdf.read_bytes().startswith(MAGIC["pdf"])
