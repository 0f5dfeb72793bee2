"""The one place that writes report outputs: Markdown, tables, figures, rendered files, manifest.

Every file a user takes as finished is written **atomically**: to a hidden temporary name in the
same folder (``.report_sv.tmp-<pid>-<token>.pdf``), then renamed over the final name with
:func:`os.replace`. A run killed at any point leaves the previous complete file or none under the
final name, never a truncated one; the temporaries of dead processes are removed by the next run
(:func:`remove_stale_temporaries`).

Markdown comes from blocks (:mod:`reports.content`), and this is where data text is escaped:
every heading, text, quote and its source, caption, table header, cell and note goes through
:func:`reports.escaping.as_markdown`, so a string is escaped with :func:`escape` unless it is
already :class:`reports.escaping.Markdown` (the report's own words, with data escaped into them).
:func:`pipe_table` is the one table writer. Figures are drawn from their ``make`` function and
saved here, in worker processes when there are several (:func:`save_figures`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reports.content import Block, FigureBlock, Heading, Progress, Quote, Table, Text
from reports.escaping import Markdown, as_markdown, escape
from reports.figure_files import from_svg, svg_drawing

__all__ = [
    "Markdown",
    "as_markdown",
    "atomic_path",
    "block_markdown",
    "blocks_markdown",
    "escape",
    "is_wide",
    "pipe_table",
    "write_text",
]

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

FIGURE_DPI = 150
"""Resolution of the PNG figures."""
_TEMPORARY = re.compile(r"^\..+\.tmp-(\d+)-[0-9a-f]+(\.[A-Za-z0-9]+)?$")


# -- files -------------------------------------------------------------------------------------
def temporary_path(target: Path) -> Path:
    """A hidden name beside ``target`` for writing it (its extension kept, for tools that look)."""
    target = Path(target)
    token = secrets.token_hex(4)
    return target.with_name(f".{target.stem}.tmp-{os.getpid()}-{token}{target.suffix}")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Write ``target`` through a temporary name: yields the name to write; on success it is
    renamed to ``target``, on an error it is removed (and ``target`` left as it was).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('done', ['a.txt'])
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(target)
    try:
        yield tmp
        if not tmp.is_file():
            raise FileNotFoundError(f"{target.name}: nothing was written")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_with(target: Path, produce: Callable[[Path], object]) -> Path:
    """Have ``produce(path)`` write a file (pandoc, typst, matplotlib) and commit it to
    ``target`` atomically."""
    with atomic_path(target) as tmp:
        produce(tmp)
    return Path(target)


def write_text(path: Path, text: str) -> Path:
    """Write a text file (UTF-8) atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(*folders: Path) -> list[Path]:
    """Remove temporaries left by report runs that were killed (their process is gone)."""
    removed = []
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for path in Path(folder).iterdir():
            m = _TEMPORARY.match(path.name)
            if m and path.is_file() and not _alive(int(m.group(1))):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


# -- Markdown ----------------------------------------------------------------------------------
def _column_width(header: str, cells: Sequence[str]) -> int:
    """Room for the header on at most two lines without breaking a word, and for the content
    (long texts wrap)."""
    longest_word = max((len(w) for w in header.split()), default=1)
    longest_cell = max((len(c) for c in cells), default=1)
    return max(longest_word, min(len(header), 14), -(-len(header) // 2), min(longest_cell, 36), 3)


def pipe_table(frame: pd.DataFrame, *, caption: str, note_prefix: str | None = None) -> str:
    """A pandoc pipe table with a caption (no number: the output formats number captions).

    ``frame`` is the output of :func:`reports.disclosure.format_table` (strings; ``attrs`` with
    ``align`` and ``notes``). The separator line's dashes are proportional to the columns' content
    and the line is longer than pandoc's 72 columns, so pandoc uses these relative widths in every
    format (DOCX otherwise squeezes columns). A wide table (:func:`is_wide`) is set on a landscape
    page of its own in the PDF and the DOCX (nothing changes in HTML).
    """
    headers = [c if isinstance(c, str) else str(c) for c in frame.columns]
    align = list(frame.attrs.get("align", ["left"] * len(headers)))
    body = [[as_markdown(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [_column_width(h, [r[i] for r in body]) + 2 for i, h in enumerate(headers)]
    total = sum(widths)
    dashes = [max(3, round(100 * w / total)) for w in widths]
    seps = [
        (":" + "-" * (d - 1)) if a == "left" else ("-" * (d - 1) + ":")
        for d, a in zip(dashes, align, strict=True)
    ]
    lines = ["| " + " | ".join(as_markdown(h) for h in headers) + " |", "|" + "|".join(seps) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    text = "\n".join(lines) + f"\n\n: {as_markdown(caption)}\n"
    notes = list(frame.attrs.get("notes", []))
    if notes:
        prefix = f"{note_prefix} " if note_prefix else ""
        text += "\n[" + prefix + " ".join(as_markdown(n) for n in notes) + "]{.table-note}\n"
    raw = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    if is_wide(headers, raw):
        return f"{LANDSCAPE_BEGIN}\n{text}\n{LANDSCAPE_END}\n"
    return text


TEXT_WIDTH_PT = (210 - 2 * 23) * 72 / 25.4
"""The text's width on the A4 page with 2.3 cm side margins of the PDF and the default DOCX
(reports/render.py, reports/docx_reference.py), in points."""
_TABLE_CHAR_PT = 8.5 * 0.55  # a character of the tables' 8.5 pt type, bold headers included
_CELL_PAD_PT = 10.0  # a cell's inset, both sides
LANDSCAPE_COLUMNS = 9
"""A table of this many columns or more is set on a landscape page."""
LANDSCAPE_STYLES = ("ImplevalLandscapeBegin", "ImplevalLandscapeEnd")
"""The DOCX marker paragraphs around a wide table (made section breaks by
:mod:`reports.docx_layout`)."""


def _raw_blocks(typst: str, style: str) -> str:
    openxml = f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr></w:p>'
    return (
        f"``` {{.impleval-raw format=typst}}\n{typst}\n```\n\n"
        f"``` {{.impleval-raw format=openxml}}\n{openxml}\n```\n"
    )


LANDSCAPE_BEGIN = _raw_blocks("#set page(flipped: true)", LANDSCAPE_STYLES[0])
LANDSCAPE_END = _raw_blocks("#set page(flipped: false)", LANDSCAPE_STYLES[1])


def is_wide(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bool:
    """Whether a table goes on a landscape page: :data:`LANDSCAPE_COLUMNS` columns or more, or
    columns whose longest words (which never break) need more than the portrait text width."""
    need = 0.0
    for i, header in enumerate(headers):
        words = [w for text in (header, *(r[i] for r in rows)) for w in text.split()]
        need += max((len(w) for w in words), default=1) * _TABLE_CHAR_PT + _CELL_PAD_PT
    return len(headers) >= LANDSCAPE_COLUMNS or need > TEXT_WIDTH_PT


def block_markdown(block: Block, figure_ref: Callable[[FigureBlock], str]) -> str:
    """One block as Markdown; ``figure_ref`` says how the Markdown refers to a figure's file."""
    if isinstance(block, Heading):
        anchor = f" {{#{block.anchor}}}" if block.anchor else ""
        return f"{'#' * block.level} {as_markdown(block.text)}{anchor}"
    if isinstance(block, Text):
        return as_markdown(block.markdown)
    if isinstance(block, Table):
        return pipe_table(block.frame, caption=block.caption, note_prefix=block.note_prefix)
    if isinstance(block, FigureBlock):
        return f"![{as_markdown(block.caption)}]({figure_ref(block)}){{width={block.width}}}"
    if isinstance(block, Quote):
        text = as_markdown(" ".join(str(block.text).split()))
        marks = as_markdown(block.open_mark), as_markdown(block.close_mark)
        return f"> {marks[0]}{text}{marks[1]}\n>\n> — {as_markdown(block.source)}"
    raise TypeError(f"not a report block: {type(block).__name__}")


def blocks_markdown(blocks: Sequence[Block], figure_ref: Callable[[FigureBlock], str]) -> str:
    """Blocks as Markdown, one blank line between them."""
    parts = [block_markdown(b, figure_ref).strip() for b in blocks]
    return "\n\n".join(p for p in parts if p)


# -- figures ---------------------------------------------------------------------------------
def write_bytes(path: Path, data: bytes) -> Path:
    """Write a binary file atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def save_figure(figure: Figure, path: Path) -> Path:
    """Save a figure as PNG (``FIGURE_DPI``) atomically: drawn once as SVG, rasterised by typst
    (:mod:`reports.figure_files`), so the bytes repeat."""
    svg = svg_drawing(figure, dpi=FIGURE_DPI)
    return write_bytes(path, from_svg(svg, "png", dpi=FIGURE_DPI))


def fix_layout(figure: Figure) -> None:
    """Keep the figure's axes where they are: no layout engine any more, so a save draws the
    figure once (matplotlib otherwise runs a dry drawing before each save for the layout engine,
    even for the inert one :meth:`~matplotlib.figure.Figure.tight_layout` leaves behind)."""
    import matplotlib

    with matplotlib.rc_context(
        {"figure.autolayout": False, "figure.constrained_layout.use": False}
    ):
        figure.set_layout_engine(None)


def lays_out(figure: Figure) -> bool:
    """Whether the figure is laid out again as it is saved (constrained layout), rather than
    laid out once (``tight_layout``) or not."""
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = figure.get_layout_engine()
    return engine is not None and not isinstance(engine, PlaceHolderLayoutEngine)


def draw_svg(make: Callable[[], Figure]) -> bytes:
    """Build a figure with ``make`` and draw it once, as SVG (what a worker process does; a
    constrained layout is laid out by that one drawing)."""
    figure = make()
    if not lays_out(figure):
        fix_layout(figure)
    return svg_drawing(figure, dpi=FIGURE_DPI)


def write_figure(svg: bytes, path: Path, extra: Sequence[Path] = ()) -> Path:
    """Write a figure's drawing as ``path`` (PNG) and each of ``extra`` (SVG, PDF: vector copies
    for export): the PDF and PNG made from the SVG by typst (:mod:`reports.figure_files`).

    Always in the process that waits for the figures, never in a forked worker: typst keeps a
    pool of threads, which a process forked after its first use does not have (a compile there
    waits for them forever)."""
    for target in (*extra, path):
        fmt = Path(target).suffix.lstrip(".").lower()
        dpi = FIGURE_DPI if fmt == "png" else None
        write_bytes(Path(target), svg if fmt == "svg" else from_svg(svg, fmt, dpi=dpi))
    return Path(path)


def draw_figure(make: Callable[[], Figure], path: Path, extra: Sequence[Path] = ()) -> Path:
    """Build a figure with ``make`` and save it as ``path`` (PNG) and as each of ``extra`` (SVG,
    PDF): drawn once (:func:`draw_svg`), so every file shows the same drawing and repeats byte
    for byte (:func:`write_figure`)."""
    return write_figure(draw_svg(make), path, extra)


def _pool(workers: int) -> Executor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class FigureDrawing:
    """Figures being drawn and saved as ``figures_dir/<stem>.png``.

    With ``workers`` > 1 the drawing starts at once in that many worker processes (matplotlib is
    CPU bound and holds the GIL), so the caller can do other work until :meth:`wait`, which
    writes each figure's files as its drawing comes back (:func:`write_figure`); with one
    worker the figures are drawn by :meth:`wait` itself. The files are the same either way. Use
    it as a context manager: leaving it stops the workers.
    """

    def __init__(
        self,
        figures: Sequence[FigureBlock],
        figures_dir: Path,
        *,
        workers: int = 1,
        exports: Mapping[str, Sequence[Path]] | None = None,
    ):
        figures_dir = Path(figures_dir)
        figures_dir.mkdir(parents=True, exist_ok=True)
        self.figures = list(figures)
        self.targets = {f.stem: figures_dir / f"{f.stem}.png" for f in self.figures}
        self.exports = {f.stem: tuple((exports or {}).get(f.stem, ())) for f in self.figures}
        self._pool: Executor | None = None
        self._jobs: dict[Future[bytes], str] = {}
        if workers > 1 and len(self.figures) > 1:
            self._pool = _pool(min(workers, len(self.figures)))
            self._jobs = {self._pool.submit(draw_svg, f.make): f.stem for f in self.figures}

    def wait(self, progress: Progress | None = None) -> dict[str, Path]:
        """Every figure saved; stem → file, in the order given."""
        total = len(self.figures)
        if progress:
            progress("figures", 0, total)
        done_ = (
            (
                write_figure(job.result(), self.targets[stem], self.exports[stem])
                for job in as_completed(self._jobs)
                for stem in (self._jobs[job],)
            )
            if self._pool is not None
            else (
                draw_figure(f.make, self.targets[f.stem], self.exports[f.stem])
                for f in self.figures
            )
        )
        for done, _path in enumerate(done_, 1):
            if progress:
                progress("figures", done, total)
        return self.targets

    def __enter__(self) -> FigureDrawing:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def save_figures(
    figures: Sequence[FigureBlock],
    figures_dir: Path,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Draw and save every figure as ``figures_dir/<stem>.png`` (see :class:`FigureDrawing`).

    Returns
    -------
    dict
        Stem → file, in the order given.
    """
    with FigureDrawing(figures, figures_dir, workers=workers) as drawing:
        return drawing.wait(progress)


# -- the manifest ------------------------------------------------------------------------------
def write_manifest_file(
    path: Path, manifest: Mapping[str, Any], *, entry: str | None = None
) -> Path:
    """Write the manifest atomically.

    With ``entry`` (e.g. the report language) the manifest is stored under
    ``{"reports": {entry: ...}}`` and other entries already in the file are kept, so one
    ``manifest.json`` describes the Swedish and the English report side by side.
    """
    path = Path(path)
    document: Mapping[str, Any] = manifest
    if entry is not None:
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
            reports = dict(previous.get("reports", {})) if isinstance(previous, dict) else {}
        except (OSError, ValueError):
            reports = {}
        reports[entry] = manifest
        version = manifest.get("schema_version")
        document = {"schema_version": version, "reports": dict(sorted(reports.items()))}
    return write_text(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
