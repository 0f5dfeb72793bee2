"""What people take out of a report: every table as CSV and XLSX, every figure as SVG and PDF,
named by their number in the report (``exports/tabell_07.xlsx``, ``exports/figur_03.svg``).

The tables are the report's own (the output of :func:`reports.disclosure.format_table`: rounded,
small cells suppressed), so an export shows nothing the report hides; the figures are drawn by
the same functions as the report's PNGs. Numbers follow the order tables and figures appear in
the report (the sections in order, the generated content before and after each section's
narrative, then the appendix), which is the order the formats number their captions in. Tables
written in the evaluator's narrative are not exported (they would shift the numbers: keep tables
out of the narrative, or count them in).

Each export is listed in the manifest with its caption, so a number can be traced from the report
to the file and from there (the manifest's inputs) to the results files it came from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reports.content import APPENDIX, SECTION_IDS, FigureBlock, SectionContent, Table
from reports.writer import atomic_path, write_text
from reports.zips import rewrite_zip

if TYPE_CHECKING:
    import datetime as dt

EXPORTS = "exports"
_NAMES = {"sv": ("tabell", "figur"), "en": ("table", "figure")}


@dataclass(frozen=True)
class Export:
    """One exported table or figure: its number in the report, caption and files."""

    kind: str  # table | figure
    number: int
    caption: str
    files: tuple[Path, ...]

    def entry(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "number": self.number,
            "caption": self.caption,
            "files": [p.name for p in self.files],
        }


def in_document_order(contents: Sequence[SectionContent]) -> list[Table | FigureBlock]:
    """The tables and figures of the generated content in the order the report shows them."""
    order = {s: i for i, s in enumerate((*SECTION_IDS, APPENDIX))}
    placed = sorted(contents, key=lambda c: (order[c.section], c.order >= 0, c.order))
    return [b for c in placed for b in c.blocks if isinstance(b, Table | FigureBlock)]


def _csv_text(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(c) for c in table.frame.columns])
    writer.writerows([str(v) for v in row] for row in table.frame.itertuples(index=False))
    for note in table.frame.attrs.get("notes", []):
        writer.writerow([note])
    return buffer.getvalue()


def _xlsx(table: Table, target: Path, *, number: int, prefix: str, day: dt.date) -> Path:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{prefix} {number}"[:31]
    sheet.append([f"{prefix.capitalize()} {number}: {table.caption}"])
    sheet.append([str(c) for c in table.frame.columns])
    for row in table.frame.itertuples(index=False):
        sheet.append([str(v) for v in row])
    for note in table.frame.attrs.get("notes", []):
        sheet.append([note])
    moment = dt.datetime.combine(day, dt.time())
    book.properties.created = moment
    with atomic_path(target) as tmp:
        book.save(tmp)
        _stamp_zip(tmp, moment)
    return target


def _stamp_zip(path: Path, moment: dt.datetime) -> None:
    """Give a saved workbook the report's date throughout, so the same report gives the same bytes:
    openpyxl stamps ``modified`` with the time of saving and each zip member with the clock."""
    import re

    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def modified(name: str, data: bytes) -> bytes:
        if name != "docProps/core.xml":
            return data
        return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)

    rewrite_zip(path, path, modified, stamp=moment.timetuple()[:6])  # type: ignore[arg-type]


def export_tables(
    contents: Sequence[SectionContent], out_dir: Path, *, lang: str, day: dt.date
) -> list[Export]:
    """Every table of the report as ``exports/<tabell|table>_NN.csv`` and ``.xlsx``."""
    prefix = _NAMES[lang][0]
    tables = [b for b in in_document_order(contents) if isinstance(b, Table)]
    exports = []
    for number, table in enumerate(tables, 1):
        stem = Path(out_dir) / EXPORTS / f"{prefix}_{number:02d}"
        files = (
            write_text(stem.with_suffix(".csv"), _csv_text(table)),
            _xlsx(table, stem.with_suffix(".xlsx"), number=number, prefix=prefix, day=day),
        )
        exports.append(Export("table", number, table.caption, files))
    return exports


def figure_exports(
    contents: Sequence[SectionContent], out_dir: Path, *, lang: str
) -> dict[str, tuple[Path, ...]]:
    """Where each figure (by stem) is also saved: ``exports/<figur|figure>_NN.svg`` and ``.pdf``."""
    prefix = _NAMES[lang][1]
    figures = [b for b in in_document_order(contents) if isinstance(b, FigureBlock)]
    return {
        f.stem: tuple(
            Path(out_dir) / EXPORTS / f"{prefix}_{number:02d}.{ext}" for ext in ("svg", "pdf")
        )
        for number, f in enumerate(figures, 1)
    }


def vector_drawings(
    pngs: Mapping[str, Path], targets: Mapping[str, Sequence[Path]]
) -> dict[Path, Path]:
    """Each figure's PNG (stem → file) → its SVG export (of :func:`figure_exports`): what the PDF
    report shows in the PNG's place."""
    return {
        pngs[stem]: svg
        for stem, files in targets.items()
        for svg in files
        if svg.suffix == ".svg" and stem in pngs
    }


def figure_entries(
    contents: Sequence[SectionContent], targets: dict[str, tuple[Path, ...]]
) -> list[Export]:
    figures = [b for b in in_document_order(contents) if isinstance(b, FigureBlock)]
    return [
        Export("figure", number, f.caption, targets[f.stem]) for number, f in enumerate(figures, 1)
    ]
