"""What a report is made of, whatever the kind of data: sections, blocks, the context a section
builder reads, and the builder itself.

A section builder (one per kind, :mod:`reports.sections`) reads results through
:class:`ReportContext` and returns :class:`SectionContent`: a section id and a tuple of blocks.
Blocks keep what is data apart from what is Markdown, so that the writer (:mod:`reports.writer`)
is the one place that turns tables, figures, quotes and headings into Markdown and files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from reports.strings import Strings, report_strings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from instruments.spec import InstrumentSpec
    from project.config import Project
    from reports.results import Results

SECTION_IDS = (
    "basic_information",
    "design",
    "p1_project_logic",
    "p2_process",
    "p3_public_debate",
    "n1_key_activities",
    "n2_key_persons",
    "n3_key_figures",
    "summary",
)
"""The funder's nine sections, in order; also the narrative file names."""
APPENDIX = "appendix"
"""The statistical appendix after section 9."""

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: the report's long steps (``sections``, ``figures``,
``formats``) as they advance; ``done`` counts from 0 (started) to ``total``."""


# -- blocks ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """Where a table or figure comes from, for its provenance (the manifest, the appendix).

    ``files`` are the report's input names (``results/its.csv``, ``project.yaml``); ``rows`` the
    number of their rows it shows; ``where`` the filter that chose them (column, value); ``kind``
    the kind of data they were computed from (``survey``, ``indicators``, ``codings``: its ingested
    files, as ``results/ingest_summary.csv`` lists them, are what the table derives from).
    """

    files: tuple[str, ...]
    rows: int
    where: tuple[tuple[str, str], ...] = ()
    kind: str | None = None


def source(
    names: str | Sequence[str],
    rows: pd.DataFrame | int,
    *,
    kind: str | None = None,
    **where: object,
) -> Source:
    """The :class:`Source` of results tables ``names`` (``"project.yaml"`` names that file).

    >>> source("its", 4, kind="indicators", indicator="a").files
    ('results/its.csv',)
    """
    names = (names,) if isinstance(names, str) else tuple(names)
    files = tuple(n if n.endswith(".yaml") else f"results/{n}.csv" for n in names)
    count = rows if isinstance(rows, int) else len(rows)
    return Source(files, count, tuple((k, str(v)) for k, v in where.items()), kind)


@dataclass(frozen=True)
class Heading:
    """A heading; ``level`` 2 is the highest a section may use (level 1 is the section's own)."""

    text: str
    level: int = 2
    anchor: str | None = None


@dataclass(frozen=True)
class Text:
    """Generated Markdown: sentences and lists whose numbers went through the disclosure module.

    Only a :class:`reports.escaping.Markdown` is Markdown (what :class:`reports.strings.Strings`
    returns, or Markdown composed with its ``format``/``join``); a plain ``str`` is data and is
    shown as it is (the writer escapes it)."""

    markdown: str


@dataclass(frozen=True)
class Table:
    """A table: the output of :func:`reports.disclosure.format_table` (strings, with ``attrs``
    ``align`` and ``notes``), its caption (no number: the formats number captions) and the word
    that opens its notes."""

    frame: pd.DataFrame = field(repr=False)
    caption: str
    note_prefix: str | None = None
    source: Source | None = None

    def sourced(self, where: Source) -> Table:
        """The table with its source."""
        return replace(self, source=where)


@dataclass(frozen=True)
class FigureBlock:
    """A figure to draw and save as ``<stem>.png``.

    ``make`` builds the :class:`matplotlib.figure.Figure` when called (a function of the
    figures package with its data bound, e.g. a :func:`functools.partial`); it must be picklable,
    so that the writer can draw figures in worker processes.
    """

    stem: str
    make: Callable[[], Figure] = field(repr=False)
    caption: str
    width: str = "100%"
    source: Source | None = None

    def sourced(self, where: Source) -> FigureBlock:
        """The figure with its source."""
        return replace(self, source=where)


@dataclass(frozen=True)
class Quote:
    """A quote from the data with its source (who, when, which code)."""

    text: str
    source: str
    open_mark: str = "”"
    close_mark: str = "”"


Block = Heading | Text | Table | FigureBlock | Quote


# -- sections ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionContent:
    """Generated content for one report section.

    Attributes
    ----------
    section
        One of :data:`SECTION_IDS`, or ``"appendix"`` for the statistical appendix.
    blocks
        What the content shows, in order.
    order
        Where it goes in its section: the evaluator's narrative sits at 0; content with a negative
        order comes before it, other content after it; equal orders keep the order of the section
        builders (:data:`reports.sections.SECTION_BUILDERS`).
    """

    section: str
    blocks: tuple[Block, ...]
    order: int = 0

    def __post_init__(self) -> None:
        if self.section not in (*SECTION_IDS, APPENDIX):
            raise ValueError(f"unknown report section {self.section!r}")

    @property
    def figures(self) -> tuple[FigureBlock, ...]:
        return tuple(b for b in self.blocks if isinstance(b, FigureBlock))


@dataclass(frozen=True)
class ReportContext:
    """What a section builder reads: the project, its instruments, the results, the language."""

    project: Project
    results: Results
    lang: str
    specs: tuple[InstrumentSpec, ...] = ()

    @cached_property
    def strings(self) -> Strings:
        return report_strings(self.lang)

    @property
    def threshold(self) -> int:
        """The small-cell threshold (``privacy.min_cell_size``)."""
        return self.project.privacy.min_cell_size


@dataclass(frozen=True)
class SectionBuilder:
    """One kind's contribution to the report.

    ``is_declared(project)`` says whether project.yaml declares the kind (only then is ``build``
    called); ``build(context)`` returns the kind's content, an empty list when there is nothing to
    show.
    """

    name: str
    is_declared: Callable[[Project], bool]
    build: Callable[[ReportContext], list[SectionContent]]
