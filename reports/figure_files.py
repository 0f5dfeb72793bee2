"""A figure drawn once, as SVG, and its PDF and PNG made from that drawing by typst.

matplotlib draws a figure again for every format it saves, laying out and drawing every text each
time (a constrained-layout figure is even laid out anew per format); for the report's twelve
figures the PDF and PNG saves cost about 2 s of CPU each. typst (already the report's PDF engine)
places the SVG on a page of the figure's size and writes the PDF (vector: matplotlib's SVG paths,
the text as the glyph outlines matplotlib wrote; raster images embedded in the SVG stay as they
are) or the PNG (rasterised at the report's resolution) in a few hundredths of a second. The three
files so show one and the same drawing, and the same SVG gives the same bytes every time: typst
writes no date (``date: none``) and names no file.

>>> from matplotlib.figure import Figure
>>> fig = Figure(figsize=(2, 1))
>>> _ = fig.add_subplot().plot([0, 1], [1, 0])
>>> svg = svg_drawing(fig)
>>> figure_size_pt(svg)
(144.0, 72.0)
>>> from_svg(svg, "pdf")[:5], from_svg(svg, "png", dpi=150)[1:4]
(b'%PDF-', b'PNG')
>>> from_svg(svg, "pdf") == from_svg(svg, "pdf")
True
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SVG_METADATA = {"Date": None, "Creator": None}
"""No date and no software in the SVG, so the bytes repeat (with ``svg.hashsalt`` fixed)."""
_SIZE = re.compile(rb'<svg[^>]*?\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')
_PAGE = """#set document(date: none)
#set page(width: {width}pt, height: {height}pt, margin: 0pt)
#image(bytes(sys.inputs.svg), format: "svg", width: 100%, height: 100%)
"""


def svg_drawing(figure: Figure, *, dpi: float = 100) -> bytes:
    """The figure drawn once, as SVG (text as paths, matplotlib's default), without a stamp;
    ``dpi`` is the resolution of the raster images in it (a heatmap's cells): the PNG's, so that
    the PNG made from the SVG is as sharp as one matplotlib draws."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "impleval"}):
        figure.savefig(buffer, format="svg", dpi=dpi, metadata=SVG_METADATA)
    return buffer.getvalue()


def figure_size_pt(svg: bytes) -> tuple[float, float]:
    """The drawing's width and height in points, as matplotlib's SVG states them."""
    found = _SIZE.search(svg)
    if found is None:
        raise ValueError("not an SVG drawing of matplotlib: no width and height in points")
    return float(found.group(1)), float(found.group(2))


def from_svg(svg: bytes, fmt: str, *, dpi: float | None = None) -> bytes:
    """The drawing as ``fmt`` (``pdf`` or ``png``, at ``dpi``) on a page of its own size."""
    import typst

    if fmt not in ("pdf", "png"):
        raise ValueError(f"a figure is made from its SVG as pdf or png, not {fmt!r}")
    width, height = figure_size_pt(svg)
    page = _PAGE.format(width=f"{width:g}", height=f"{height:g}").encode("utf-8")
    out = typst.compile(
        page,
        format="png" if fmt == "png" else "pdf",
        ppi=dpi if fmt == "png" else None,
        ignore_system_fonts=True,
        sys_inputs={"svg": svg.decode("utf-8")},
    )
    if not isinstance(out, bytes):  # one page: one file
        raise TypeError(f"typst gave {type(out).__name__} for one page of {fmt}")
    return out
