"""Look through every file of a release for e-mail addresses, personnummer and the project's
names (rosters, names to redact, coders' user names).

Text files are read as UTF-8. Parquet, .sav and .dta are read with their own readers (cells,
labels and metadata), since their bytes may be compressed. Of a PDF, the document information and
the XMP metadata are scanned; its pages are rendered from the same Markdown as the codebook HTML,
which is scanned as text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from privacy.redact import Redactor, read_roster
from project.config import Project

KINDS = ("personnummer", "number", "email", "name")
TEXT_SUFFIXES = {".csv", ".json", ".xml", ".md", ".html", ".cff", ".txt", ""}
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_LITERAL = re.compile(rb"\(((?:[^()\\]|\\.)*)\)")
_FRACTION = re.compile(r"(?<=\d\.)\d+")


def project_names(project: Project, root: Path) -> list[str]:
    """Every personal name the project knows of: rosters, names to redact, coders' user names."""
    names: list[str] = []
    if project.privacy.roster:
        names += read_roster(root / project.privacy.roster)
    cfg = project.interviews
    if cfg is not None:
        names += list(cfg.redact_names)
        if cfg.roster:
            names += read_roster(root / cfg.roster)
        names += [n for coder in cfg.coders for n in coder.accept if " " in n.strip()]
    return sorted(set(names))


def _stat_texts(path: Path) -> Iterator[str]:
    import pyreadstat

    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    frame, meta = reader(str(path), user_missing=True)
    for column in frame.columns:
        yield "\n".join(str(v) for v in frame[column].dropna().unique() if isinstance(v, str))
    yield "\n".join(str(v) for v in meta.column_names_to_labels.values() if v)
    yield "\n".join(
        str(v) for labels in meta.variable_value_labels.values() for v in labels.values()
    )
    yield str(meta.file_label or "")


def _parquet_texts(path: Path) -> Iterator[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            yield "\n".join(str(v) for v in column.unique().to_pylist() if v is not None)
    meta = table.schema.metadata or {}
    yield "\n".join(v.decode("utf-8", "replace") for v in meta.values())
    for field in table.schema:
        yield "\n".join(v.decode("utf-8", "replace") for v in (field.metadata or {}).values())


def _pdf_texts(path: Path) -> Iterator[str]:
    """A PDF's literal strings outside its streams (the document information) and its XMP
    metadata; the xref table's ten-digit offsets are left out, as they are not text."""
    data = _STREAM.sub(b"stream\nendstream", path.read_bytes())
    yield "\n".join(m.decode("latin-1") for m in _LITERAL.findall(data))
    start, end = data.find(b"<x:xmpmeta"), data.find(b"</x:xmpmeta>")
    if start != -1 and end != -1:
        yield data[start:end].decode("utf-8", "replace")


def file_texts(path: Path) -> Iterator[str]:
    """The texts a file holds, as its format allows them to be read."""
    if path.suffix in (".sav", ".dta"):
        yield from _stat_texts(path)
    elif path.suffix == ".parquet":
        yield from _parquet_texts(path)
    elif path.suffix == ".pdf":
        yield from _pdf_texts(path)
    elif path.suffix in TEXT_SUFFIXES or path.name.isupper():
        yield path.read_text(encoding="utf-8")
    else:
        yield path.read_bytes().decode("latin-1")


def scan_file(path: Path, names: list[str]) -> Counter:
    """What kinds of identifying strings ``path`` holds, with how many (never what they are).

    The digits after a decimal point are left out first: a personnummer never follows one, and
    the ten or twelve digits of a fraction (``3.1428571428``) would pass for one now and then.
    """
    found: Counter = Counter()
    for text in file_texts(path):
        redactor = Redactor(tuple(names))
        redactor.redact(_FRACTION.sub("", text))
        found.update({k: n for k, n in redactor.counts.items() if k in KINDS and n})
    return found


def scan_release(folder: Path, names: list[str]) -> dict[str, Counter]:
    """File (relative) → kinds found, for the files where something was found."""
    hits = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found = scan_file(path, names)
        if found:
            hits[path.relative_to(folder).as_posix()] = found
    return hits
