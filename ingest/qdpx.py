"""Read the codings of a REFI-QDA project (``.qdpx``), streaming and bounded.

A ``.qdpx`` is a zip holding ``project.qde`` (QDA-XML 1.0, https://www.qdasoftware.org):
``Users/User``, ``CodeBook/Codes/Code`` (nested), ``Variables/Variable``, ``Sources/TextSource``
(text in ``PlainTextContent`` or a file in the zip's ``Sources/`` folder named by
``plainTextPath="internal://…"``) with ``PlainTextSelection`` (``startPosition``/``endPosition``
character offsets) → ``Coding`` (``creatingUser``) → ``CodeRef targetGUID``. The coder is the
coding's ``creatingUser`` (else the selection's).

The archive's sizes are checked before anything is unpacked (:mod:`ingest.archives`), and
``project.qde`` is parsed as a stream: each source is read, turned into rows and dropped before the
next, so a large project never sits in memory as one tree. The XML's own encoding declaration (or
its byte-order mark) decides how it is decoded; plain-text sources are UTF-8 (with or without a
BOM) or UTF-16 with a BOM, as REFI-QDA writes them. Anything else is one line naming the file and
the position.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

import pandas as pd

from ingest.archives import check_archive
from ingest.qda import SEGMENT_COLUMNS, CodedSegments, QdpxRows, source_variables
from project.codebook import PATH_SEPARATOR
from project.errors import CodingsDataError
from project.labels import normalise_label

_NOT_QDPX = (
    "not a REFI-QDA project (.qdpx is a zip file). Hint: export the project again with "
    "'REFI-QDA Project' / 'Export to QDPX'."
)


def read_qdpx(path: Path, *, display_name: str | None = None) -> CodedSegments:
    """Read the codings of a REFI-QDA project file (text sources only).

    Raises
    ------
    CodingsDataError
        When the file is not a zip with a ``project.qde``, is beyond the archive limits, the XML
        is not QDA-XML, or a text is not in a declared or detectable encoding.
    """
    name = display_name or Path(path).name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CodingsDataError(f"{name}: {_NOT_QDPX}") from exc
    with zf:
        check_archive(zf, name, CodingsDataError, what="REFI-QDA project")
        qde = [n for n in zf.namelist() if n.lower().endswith(".qde")]
        if not qde:
            raise CodingsDataError(
                f"{name}: the zip holds no project.qde. Hint: export again as a REFI-QDA project."
            )
        try:
            with zf.open(qde[0]) as stream:
                found, origin = _parse(stream, zf, name)
        except ET.ParseError as exc:
            raise _not_utf8(zf, qde[0], name) or CodingsDataError(
                f"{name}: project.qde is not well-formed XML ({exc}). Hint: export again."
            ) from exc
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise CodingsDataError(
                f"{name}: the archive is damaged ({' '.join(str(exc).split())}). Hint: export "
                f"the project again."
            ) from exc
    frame = pd.DataFrame(found.rows, columns=list(SEGMENT_COLUMNS))
    frame["start"] = frame["start"].astype("float64")
    frame["end"] = frame["end"].astype("float64")
    if frame.empty:
        raise CodingsDataError(
            f"{name}: the project holds no codings of text sources. Hint: check that the "
            f"project was exported with its codings."
        )
    return CodedSegments(frame, f"REFI-QDA ({origin})", "qdpx", len(found.rows), found.problems)


def _parse(stream: IO[bytes], zf: zipfile.ZipFile, name: str) -> tuple[QdpxRows, str]:
    """Stream ``project.qde``: users, code book and variables first, then one source at a time."""
    events = ET.iterparse(stream, events=("start", "end"))
    _, root = next(events)
    ns = re.match(r"^\{([^}]*)\}", root.tag)
    uri = ns.group(1) if ns else ""
    if root.tag != f"{{{uri}}}Project" or "QDA-XML" not in uri:
        raise CodingsDataError(
            f"{name}: project.qde is not a QDA-XML project (root {root.tag}). Hint: export "
            f"again as a REFI-QDA project."
        )

    def q(tag: str) -> str:
        return f"{{{uri}}}{tag}"

    found = QdpxRows({}, {})
    variables: dict[str | None, str] = {}
    for event, elem in events:
        if event != "end":
            continue
        if elem.tag == q("User"):
            found.users[elem.get("guid")] = elem.get("name") or elem.get("id") or elem.get("guid")
        elif elem.tag == q("CodeBook"):
            found.paths.update(_code_paths(elem, q))
            elem.clear()
        elif elem.tag == q("Variable"):
            variables[elem.get("guid")] = normalise_label(elem.get("name", ""))
        elif elem.tag == q("TextSource"):
            _add_source(elem, found, variables, zf, name, q)
            elem.clear()
        elif elem.tag in (q("PictureSource"), q("PDFSource"), q("AudioSource"), q("VideoSource")):
            elem.clear()
    return found, root.get("origin") or "REFI-QDA"


def _add_source(
    src: ET.Element,
    found: QdpxRows,
    variables: dict[str | None, str],
    zf: zipfile.ZipFile,
    name: str,
    q: Callable[[str], str],
) -> None:
    text = _source_text(src, zf, name, q)
    group, round_value = source_variables(src, variables, q)
    base = {
        "document": _cell(src.get("name")),
        "document_group": group,
        "round_value": round_value,
        "speaker": None,
    }
    for sel in src.findall(q("PlainTextSelection")):
        found.add_selection(sel, base, text, q)


def _cell(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _code_paths(codebook: ET.Element, q: Callable[[str], str]) -> dict[str | None, str]:
    """Code GUID → its path in the code book (parent names joined)."""
    paths: dict[str | None, str] = {}

    def walk(node: ET.Element, prefix: list[str]) -> None:
        for code in node.findall(q("Code")):
            parts = [*prefix, " ".join(str(code.get("name", "")).split())]
            paths[code.get("guid")] = PATH_SEPARATOR.join(p for p in parts if p)
            walk(code, parts)

    codes_el = codebook.find(q("Codes"))
    if codes_el is not None:
        walk(codes_el, [])
    return paths


def _source_text(
    src: ET.Element, zf: zipfile.ZipFile, name: str, q: Callable[[str], str]
) -> str | None:
    content = src.find(q("PlainTextContent"))
    if content is not None and content.text is not None:
        return content.text
    ref = src.get("plainTextPath")
    if not ref:
        return None
    member = ref.removeprefix("internal://")
    names = {n.lower(): n for n in zf.namelist()}
    for candidate in (f"Sources/{member}", member):
        if candidate.lower() in names:
            real = names[candidate.lower()]
            return decode_text(zf.read(real), f"{name}: {real}")
    return None


def decode_text(data: bytes, where: str) -> str:
    """A plain-text source as REFI-QDA writes it: UTF-8 (BOM or not), or UTF-16 with a BOM.

    >>> decode_text("å".encode("utf-16"), "x"), decode_text(b"\\xef\\xbb\\xbfok", "x")
    ('å', 'ok')

    Raises
    ------
    CodingsDataError
        Naming the first byte that is not UTF-8 and where it is.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _not_text(where, data, exc, "UTF-16") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_text(where, data, exc, "UTF-8") from exc


def _not_text(where: str, data: bytes, exc: UnicodeDecodeError, encoding: str) -> CodingsDataError:
    line = data[: exc.start].count(b"\n") + 1
    return CodingsDataError(
        f"{where}: byte 0x{data[exc.start]:02x} at byte position {exc.start} (line {line}) is "
        f"not {encoding} text. Expected UTF-8, as REFI-QDA writes plain-text sources. Hint: "
        f"export the project again, or re-save that source as UTF-8 in the QDA tool."
    )


def _not_utf8(zf: zipfile.ZipFile, member: str, name: str) -> CodingsDataError | None:
    """When XML that declares (or defaults to) UTF-8 holds a byte that is not UTF-8: the error
    naming that byte and where it is (read again as a stream, only after a parse error)."""
    with zf.open(member) as stream:
        head = stream.read(256)
        declared = re.search(rb"encoding\s*=\s*['\"]([A-Za-z0-9._-]+)", head.split(b"?>")[0])
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8")
        ):
            return None
        decoder = codecs.getincrementaldecoder("utf-8")()
        done, lines, chunk = 0, 1, head
        while chunk:
            data = decoder.getstate()[0] + chunk  # bytes held over from the last chunk first
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = done - (len(data) - len(chunk)) + exc.start
                line = lines + data[: exc.start].count(b"\n")
                return CodingsDataError(
                    f"{name}: project.qde: byte 0x{data[exc.start]:02x} at byte position {at} "
                    f"(line {line}) is not UTF-8, the encoding the XML declares. Hint: export "
                    f"the project again from the QDA tool (REFI-QDA writes UTF-8)."
                )
            done, lines = done + len(chunk), lines + chunk.count(b"\n")
            chunk = stream.read(1 << 20)
    return None
