"""Each figure's saved formats (PNG, and the SVG and PDF export copies) are one drawing: the SVG
has the bytes of saving the figure the plain way, the PDF (vector) and the PNG are that SVG as
typst sets it on a page of the figure's size (reports/writer.py, reports/figure_files.py)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image
from pypdf import PdfReader

from reports.content import FigureBlock
from reports.figure_files import from_svg
from reports.figures.indicators import plot_its
from reports.figures.survey import plot_construct_means
from reports.writer import FIGURE_DPI, FigureDrawing, draw_figure, fix_layout, lays_out

FORMATS = ("svg", "pdf", "png")
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


def plain_svg(make: Callable[[], Figure]) -> bytes:
    """The figure saved as SVG the plain way (matplotlib lays it out as it saves), its raster
    images (none in these figures) at the PNG's resolution."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "impleval"}):
        make().savefig(
            buffer, format="svg", dpi=FIGURE_DPI, metadata={"Date": None, "Creator": None}
        )
    return buffer.getvalue()


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


def test_every_format_is_the_one_svg_drawing(tmp_path: Path, makes) -> None:
    for kind, make in makes.items():
        targets = {fmt: tmp_path / f"{kind}.{fmt}" for fmt in FORMATS}
        written = draw_figure(make, targets["png"], (targets["svg"], targets["pdf"]))
        assert written == targets["png"]
        svg = targets["svg"].read_bytes()
        assert svg == plain_svg(make), f"{kind} figure: the SVG differs from a plain save"
        assert targets["pdf"].read_bytes() == from_svg(svg, "pdf"), kind
        assert targets["png"].read_bytes() == from_svg(svg, "png", dpi=FIGURE_DPI), kind
        for fmt, target in targets.items():
            assert target.read_bytes()[: len(MAGIC[fmt])] == MAGIC[fmt], (kind, fmt)


def test_the_pdf_is_vector_and_the_png_has_the_figures_size(tmp_path: Path, makes) -> None:
    figure = makes["tight"]()
    png, pdf = tmp_path / "f.png", tmp_path / "f.pdf"
    draw_figure(lambda: figure, png, (pdf,))
    page = PdfReader(pdf).pages[0]
    width, height = figure.get_size_inches()
    assert [float(v) for v in page.mediabox] == pytest.approx([0, 0, width * 72, height * 72])
    assert "/XObject" not in page["/Resources"]  # paths, not a picture of the figure
    assert "Dagar" not in page.extract_text()  # text is the glyphs' outlines
    with Image.open(png) as image:
        assert image.size == (round(width * FIGURE_DPI), round(height * FIGURE_DPI))
        assert image.getpixel((0, 0)) == (255, 255, 255, 255)


def test_the_same_figure_gives_the_same_bytes(tmp_path: Path, makes) -> None:
    for run in ("a", "b"):
        draw_figure(makes["constrained"], tmp_path / f"{run}.png", (tmp_path / f"{run}.pdf",))
    for fmt in ("png", "pdf"):
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()


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


def test_a_raster_in_the_figure_has_the_pngs_resolution(tmp_path: Path) -> None:
    def heatmap() -> Figure:
        figure = Figure(figsize=(2, 1))
        figure.add_axes((0, 0, 1, 1)).imshow(np.arange(8.0).reshape(2, 4), aspect="auto")
        return figure

    svg = tmp_path / "h.svg"
    draw_figure(heatmap, tmp_path / "h.png", (svg,))
    encoded = re.search(rb'href="data:image/png;base64,([^"]+)"', svg.read_bytes())
    assert encoded is not None
    with Image.open(io.BytesIO(base64.b64decode(encoded.group(1)))) as image:
        assert image.size == (2 * FIGURE_DPI, 1 * FIGURE_DPI)
