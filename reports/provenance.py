"""Where each table and figure of a report comes from: its entry in the manifest and, for the
tables of the appendix, a short source line under the table.

Every table and figure carries a :class:`reports.content.Source` (set by its section builder): the
results files it was made from, the rows it shows and the filter that chose them. The manifest
lists, per table and figure (by its number in the report, as :mod:`reports.exports` names its
files), those files with their SHA-256, the rows, and the ingested files they derive from (the
rows of ``results/ingest_summary.csv`` of the same kind, instrument and wave, with the hash of
each file as it was landed). A number can so be traced from the report to the results file and
from there to the file the evaluator received.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from project.provenance import file_sha256, portable_path
from reports.content import APPENDIX, Block, FigureBlock, SectionContent, Source, Table, Text
from reports.disclosure import format_number
from reports.exports import in_document_order
from reports.results import Results
from reports.strings import Strings

_ROSTER_TABLES = frozenset({"results/response_rates.csv"})
"""Results that also derive from the rosters of the invited."""


def source_line(source: Source, s: Strings) -> Text:
    """``Källa: results/its.csv, 4 rader`` (the files and rows a table shows)."""
    key = "provenance.source_line_one" if source.rows == 1 else "provenance.source_line"
    rows = format_number(source.rows, decimals=0, lang=s.lang)
    return Text(s(key, files=", ".join(source.files), rows=rows))


def with_source_lines(contents: Sequence[SectionContent], s: Strings) -> list[SectionContent]:
    """The contents with a source line after every table of the appendix that has a source."""
    out = []
    for content in contents:
        if content.section != APPENDIX:
            out.append(content)
            continue
        blocks: list[Block] = []
        for block in content.blocks:
            blocks.append(block)
            if isinstance(block, Table) and block.source is not None:
                blocks.append(source_line(block.source, s))
        out.append(replace(content, blocks=tuple(blocks)))
    return out


def _derived(source: Source, ingested: pd.DataFrame) -> list[dict[str, Any]]:
    if source.kind is None or ingested.empty:
        return []
    kinds: tuple[str, ...] = (source.kind,)  # as ingest_summary.kind names it
    if _ROSTER_TABLES.intersection(source.files):
        kinds = (*kinds, "roster")
    where = dict(source.where)
    mask = ingested["kind"].isin(kinds)
    for column in ("instrument", "wave"):
        if column in where:
            mask &= ingested[column] == where[column]
    rows = ingested[mask]
    keys = ("kind", "instrument", "wave", "file", "sha256")
    return [{k: r[k] for k in keys if r[k] != ""} for r in rows.to_dict(orient="records")]


def _files(
    source: Source, inputs: Mapping[str, Path], project_dir: Path | None
) -> list[dict[str, Any]]:
    out = []
    for name in source.files:
        path = inputs.get(name)
        if path is None or not Path(path).is_file():
            out.append({"name": name, "path": None, "sha256": None})
            continue
        where = portable_path(Path(path), project_dir=project_dir)
        out.append({"name": name, "path": where, "sha256": file_sha256(Path(path))})
    return out


def ingested_files(results: Results) -> pd.DataFrame:
    """``ingest_summary`` (read through ``results``, so that the manifest lists it among the
    inputs); empty when the analysis wrote none."""
    return results.table("ingest_summary") if results.has("ingest_summary") else pd.DataFrame()


def provenance_entries(
    contents: Sequence[SectionContent],
    inputs: Mapping[str, Path],
    ingested: pd.DataFrame,
    *,
    project_dir: Path | None,
) -> list[dict[str, Any]]:
    """One entry per table and figure, by kind and number in the report (see the module);
    ``ingested`` is :func:`ingested_files`."""
    counters = {"table": 0, "figure": 0}
    entries = []
    for block in in_document_order(contents):
        kind = "table" if isinstance(block, Table) else "figure"
        counters[kind] += 1
        entry: dict[str, Any] = {"kind": kind, "number": counters[kind], "caption": block.caption}
        if isinstance(block, FigureBlock):
            entry["stem"] = block.stem
        source = block.source
        if source is None:
            entries.append(entry | {"results": [], "rows": None})
            continue
        entries.append(
            entry
            | {
                "results": _files(source, inputs, project_dir),
                "rows": source.rows,
                "where": dict(source.where),
                "derived_from": _derived(source, ingested),
            }
        )
    return entries
