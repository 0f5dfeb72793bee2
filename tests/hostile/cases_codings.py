"""Hostile codings exports (REFI-QDA ``.qdpx`` and coded-segment CSV), each with its outcome."""

from __future__ import annotations

import io
import struct
import zipfile

from tests.conftest import EXAMPLE
from tests.hostile.cases import Case
from tests.hostile.files import (
    CODE_B,
    EVA,
    OMAR,
    SOURCE_TEXT,
    claims_3gb,
    many_members,
    qde,
    qdpx,
    ratio_bomb,
    raw,
    selection,
    source,
    text,
)

ARGS = ("--kind", "codings", "--dry-run")
QDPX, CSV = "codings_hostile.qdpx", "codings_hostile.csv"
GUEST = "2c800717-91b1-45aa-9719-3d6b77b1774c"
PLAIN = qdpx(qde())
LAUGHS = (
    '<!DOCTYPE Project [<!ENTITY a0 "ha">'
    + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _q(data: bytes):
    return raw(QDPX, data)


def _sources(*parts: str):
    return _q(qdpx(qde("".join(parts))))


def _in_file(data: bytes):
    """A source whose text is a file in the zip's Sources/ folder."""
    xml = qde(source(content=None, path="doc.txt"))
    return _q(qdpx(xml, {"Sources/doc.txt": data}))


def _damaged_crc() -> bytes:
    """The plain project with eight bytes of project.qde's packed data overwritten."""
    data = bytearray(PLAIN)
    with zipfile.ZipFile(io.BytesIO(PLAIN)) as zf:
        offset = zf.getinfo("project.qde").header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length + 20
    data[start : start + 8] = b"\xff" * 8
    return bytes(data)


def _maxqda_rows(n: int = 6) -> str:
    lines = (EXAMPLE / "inbox" / "codings_interviews.csv").read_text(encoding="utf-8-sig")
    return "\n".join(lines.splitlines()[: n + 1]) + "\n"


CASES: list[Case] = [
    # -- refused ---------------------------------------------------------------------------------
    Case(
        "empty .qdpx",
        raw(QDPX, b""),
        ARGS,
        refused=(
            "codings_hostile.qdpx: not a REFI-QDA project (.qdpx is a zip file). Hint: "
            "export the project again with 'REFI-QDA Project' / 'Export to QDPX'."
        ),
    ),
    Case(
        "text named .qdpx",
        text(QDPX, "Dokument;Kod\n"),
        ARGS,
        refused=(
            "codings_hostile.qdpx: not a REFI-QDA project (.qdpx is a zip file). Hint: "
            "export the project again with 'REFI-QDA Project' / 'Export to QDPX'."
        ),
    ),
    Case(
        "zip without project.qde",
        _q(qdpx(None, {"Sources/a.txt": b"hej"})),
        ARGS,
        refused=(
            "codings_hostile.qdpx: the zip holds no project.qde. Hint: export again as a "
            "REFI-QDA project."
        ),
    ),
    Case(
        "malformed XML",
        _q(qdpx(qde().replace("</Users>", ""))),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde is not well-formed XML (mismatched tag: line "
            "2, column 1414). Hint: export again."
        ),
    ),
    Case(
        "truncated project.qde",
        _q(qdpx(qde()[:700])),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde is not well-formed XML (no element found: "
            "line 2, column 661). Hint: export again."
        ),
    ),
    Case(
        "root is not Project",
        _q(qdpx(qde(root="Projekt"))),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde is not a QDA-XML project (root "
            "{urn:QDA-XML:project:1.0}Projekt). Hint: export again as a REFI-QDA project."
        ),
    ),
    Case(
        "not the QDA-XML namespace",
        _q(qdpx(qde(ns="urn:example"))),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde is not a QDA-XML project (root "
            "{urn:example}Project). Hint: export again as a REFI-QDA project."
        ),
    ),
    Case(
        "Latin-1 byte in UTF-8 project.qde",
        _q(qdpx(qde().encode("utf-8").replace(b"Personal 01", b"Person\xe5l 01"))),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde: byte 0xe5 at byte position 604 (line 2) is "
            "not UTF-8, the encoding the XML declares. Hint: export the project again from "
            "the QDA tool (REFI-QDA writes UTF-8)."
        ),
    ),
    Case(
        "Latin-1 byte in a source text file",
        _in_file(SOURCE_TEXT.encode("latin-1")),
        ARGS,
        refused=(
            "codings_hostile.qdpx: Sources/doc.txt: byte 0xc4 at byte position 0 (line 1) is "
            "not UTF-8 text. Expected UTF-8, as REFI-QDA writes plain-text sources. Hint: "
            "export the project again, or re-save that source as UTF-8 in the QDA tool."
        ),
    ),
    Case(
        "billion laughs",
        _q(qdpx(qde(doctype=LAUGHS).replace('name="p"', 'name="&a9;"'))),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde is not well-formed XML (limit on input "
            "amplification factor (from DTD and entities) breached: line 2, column 533). "
            "Hint: export again."
        ),
    ),
    Case(
        "external entity (XXE)",
        _q(qdpx(qde(doctype=XXE).replace('name="p"', 'name="&xxe;"'))),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde is not well-formed XML (reference to external "
            "entity in attribute: line 2, column 109). Hint: export again."
        ),
    ),
    Case(
        "external entity in a source's text",
        _q(qdpx(qde(source(content="&xxe;"), doctype=XXE))),
        ARGS,
        refused=(
            "codings_hostile.qdpx: project.qde is not well-formed XML (undefined entity "
            "&xxe;: line 2, column 650). Hint: export again."
        ),
    ),
    Case(
        "zip bomb declaring 3 GB",
        _q(claims_3gb(PLAIN, "Sources/big.txt")),
        ARGS,
        refused=(
            "codings_hostile.qdpx: unpacks to 3073 MB, more than the limit of 1024 MB. Hint: "
            "check that codings_hostile.qdpx is the REFI-QDA project you exported; to take "
            "it anyway, raise the limit with IMPLEVAL_MAX_UNPACKED_MB=3073."
        ),
    ),
    Case(
        "zip bomb packed 1000:1",
        _q(ratio_bomb(PLAIN, "Sources/big.txt")),
        ARGS,
        refused=(
            "codings_hostile.qdpx: member Sources/big.txt unpacks to 1028 times its packed "
            "size, more than the limit of 200 (a zip bomb looks like this). Hint: check that "
            "codings_hostile.qdpx is the REFI-QDA project you exported; to take it anyway, "
            "raise the limit with IMPLEVAL_MAX_ZIP_RATIO=1029."
        ),
    ),
    Case(
        "10 001 members in a .qdpx",
        _q(many_members(PLAIN, 10_000)),
        ARGS,
        refused=(
            "codings_hostile.qdpx: the archive holds 10001 members, more than the limit of "
            "10000. Hint: check that codings_hostile.qdpx is the REFI-QDA project you "
            "exported; to take it anyway, raise the limit with "
            "IMPLEVAL_MAX_ZIP_MEMBERS=10001."
        ),
    ),
    Case(
        "damaged project.qde (bad CRC)",
        _q(_damaged_crc()),
        ARGS,
        refused=(
            "codings_hostile.qdpx: the archive is damaged (Error -3 while decompressing "
            "data: invalid bit length repeat). Hint: export the project again."
        ),
    ),
    Case(
        "no codings at all",
        _sources(source(selections="")),
        ARGS,
        refused=(
            "codings_hostile.qdpx: the project holds no codings of text sources. Hint: check "
            "that the project was exported with its codings."
        ),
    ),
    Case(
        "empty CSV",
        raw(CSV, b""),
        ARGS,
        refused=("codings_hostile.csv: the file is empty. Hint: export the coded segments again."),
    ),
    Case(
        "CSV with unknown columns",
        text(CSV, "Dokument;Kod;Text\nPersonal 01;X;hej\n"),
        ARGS,
        refused=(
            "codings_hostile.csv: the columns are not those of a known coded-segment export. "
            "Expected (atlasti: Document, Codes, Content, Created by; maxqda: Document name, "
            "Code, Segment, Created by; nvivo: File, Code, Coded Text, Coded By); found "
            "Dokument, Kod, Text. Hint: export the coded segments again, or name the layout "
            "with --profile."
        ),
    ),
    Case(
        "look-alike Cyrillic С in Code header",
        text(CSV, _maxqda_rows().replace(";Code;", ";\u0421ode;", 1)),
        ARGS,
        refused=(
            "codings_hostile.csv: the columns are not those of a known coded-segment export. "
            "Expected (atlasti: Document, Codes, Content, Created by; maxqda: Document name, "
            "Code, Segment, Created by; nvivo: File, Code, Coded Text, Coded By); found "
            "Color, Document group, Document name, Сode, Beginning, End, Weight score, "
            "Segment. Hint: export the coded segments again, or name the layout with "
            "--profile."
        ),
    ),
    # -- quarantined -----------------------------------------------------------------------------
    Case(
        "coder not declared",
        _sources(source(selections=selection() + selection(user=GUEST))),
        ARGS,
        read=2,
        quarantined=1,
        reasons={"unknown_coder": 1},
    ),
    Case(
        "position is not a number",
        _sources(source(selections=selection() + selection("abc", 40, OMAR))),
        ARGS,
        read=2,
        quarantined=1,
        reasons={"bad_position": 1},
    ),
    Case(
        "ends before it starts",
        _sources(source(selections=selection() + selection(40, 5, OMAR))),
        ARGS,
        read=2,
        quarantined=1,
        reasons={"bad_position": 1, "missing_segment_text": 1},
    ),
    Case(
        "code reference to nothing",
        _sources(source(selections=selection() + selection(user=OMAR, code="no-such-guid"))),
        ARGS,
        read=2,
        quarantined=1,
        reasons={"missing_code": 1},
    ),
    Case(
        "document no rule assigns",
        _sources(source(), source("Okänd 01")),
        ARGS,
        read=4,
        quarantined=2,
        reasons={"unassigned_document": 2},
    ),
    Case(
        "formula as document name",
        _sources(source(), source("=cmd|' /C calc'!A0")),
        ARGS,
        read=4,
        quarantined=2,
        reasons={"unassigned_document": 2},
    ),
    Case(
        "document without a name",
        _sources(source(), source("")),
        ARGS,
        read=4,
        quarantined=2,
        reasons={"missing_document": 2, "unassigned_document": 2},
    ),
    Case(
        "the same coding twice",
        _sources(source(selections=selection() + selection().replace('guid="c-', 'guid="d-'))),
        ARGS,
        read=2,
        quarantined=1,
        reasons={"duplicate_coding": 1},
    ),
    # -- loaded ----------------------------------------------------------------------------------
    Case("plain project", _q(PLAIN), ARGS, read=2),
    Case(
        "UTF-8 BOM before the XML declaration",
        _q(qdpx(b"\xef\xbb\xbf" + qde().encode())),
        ARGS,
        read=2,
    ),
    Case(
        "UTF-16 project.qde with BOM",
        _q(qdpx(qde(head="<?xml version='1.0' encoding='UTF-16'?>\n").encode("utf-16"))),
        ARGS,
        read=2,
    ),
    Case(
        "ISO-8859-1 project.qde as declared",
        _q(qdpx(qde(head="<?xml version='1.0' encoding='ISO-8859-1'?>\n").encode("latin-1"))),
        ARGS,
        read=2,
    ),
    Case(
        "source text file with a BOM",
        _in_file(b"\xef\xbb\xbf" + SOURCE_TEXT.encode()),
        ARGS,
        read=2,
    ),
    Case("UTF-16 source text file", _in_file(SOURCE_TEXT.encode("utf-16")), ARGS, read=2),
    Case(
        "formula as segment text",
        _sources(source(content="=cmd|' /C calc'!A0 " + SOURCE_TEXT)),
        ARGS,
        read=2,
    ),
    Case(
        "second code of the same segment",
        _sources(
            source(
                selections=selection() + selection(user=OMAR) + selection(user=OMAR, code=CODE_B)
            )
        ),
        ARGS,
        read=3,
    ),
    Case("coded-segment CSV", text(CSV, _maxqda_rows()), ARGS, read=6),
    Case(
        "picture sources skipped",
        _sources(source(), f'<PictureSource guid="pic" name="Bild" creatingUser="{EVA}"/>'),
        ARGS,
        read=2,
    ),
]
