"""Builders of hostile files: zips that lie about their size, zip bombs, REFI-QDA projects.

Every file is made here from synthetic content (no real responses); the cases modules say what each
must end as.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tests.ingest.corpus import t1_rows, xlsx_bytes

#: A builder writes one file into a folder and returns its path.
Build = Callable[[Path], Path]
GB3 = 3 * 1024**3


def raw(name: str, data: bytes) -> Build:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def text(name: str, content: str, encoding: str = "utf-8") -> Build:
    return raw(name, content.encode(encoding))


def csv_text(frame: pd.DataFrame, sep: str = ";") -> str:
    return frame.to_csv(sep=sep, index=False, lineterminator="\n")


def survey_rows(n: int = 6) -> pd.DataFrame:
    """The first ``n`` rows of the example's T1 export (valid, distinct respondents)."""
    frame = t1_rows(n).reset_index(drop=True)
    return frame.astype(object)


def edited_survey(edit: Callable[[pd.DataFrame], None], name: str = "nomad_T1.csv") -> Build:
    def build(folder: Path) -> Path:
        frame = survey_rows()
        edit(frame)
        if name.endswith(".xlsx"):
            return raw(name, xlsx_bytes({"Svar": frame}))(folder)
        return text(name, csv_text(frame))(folder)

    return build


def cell(row: int, column: str, value: object) -> Callable[[pd.DataFrame], None]:
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value

    return edit


def declared_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` (a zip) with ``member``'s declared unpacked size set to ``size`` in both of its
    headers: the archive says it unpacks to ``size`` bytes, as a zip bomb does."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        offset = zf.getinfo(member).header_offset
    struct.pack_into("<I", out, offset + 22, size)  # local header: uncompressed size
    encoded = member.encode()
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        length = struct.unpack_from("<H", out, start + 28)[0]
        if bytes(out[start + 46 : start + 46 + length]) == encoded:
            struct.pack_into("<I", out, start + 24, size)  # central directory: uncompressed size
            return bytes(out)
        start += 4
    raise AssertionError(f"{member} not in the central directory")


def with_member(
    data: bytes, member: str, content: bytes, method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A copy of the zip ``data`` with one more member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr(zipfile.ZipInfo(member), content, compress_type=method)
    return buffer.getvalue()


def claims_3gb(data: bytes, member: str = "xl/media/image1.bin") -> bytes:
    """A zip that declares a member of 3 GB (stored, so only its header lies)."""
    return declared_size(with_member(data, member, b"\0" * 64, zipfile.ZIP_STORED), member, GB3)


def ratio_bomb(data: bytes, member: str = "xl/media/image1.bin", mb: int = 8) -> bytes:
    """A real zip bomb in small: ``mb`` megabytes of zeros packed about a thousand times."""
    return with_member(data, member, b"\0" * (mb * 1024 * 1024))


def many_members(data: bytes, n: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        for i in range(n):
            dst.writestr(f"customXml/item{i}.xml", b"")
    return buffer.getvalue()


def survey_xlsx(frame: pd.DataFrame | None = None) -> bytes:
    return xlsx_bytes({"Svar": survey_rows() if frame is None else frame})


# -- REFI-QDA ------------------------------------------------------------------------------------
NS = "urn:QDA-XML:project:1.0"
EVA, OMAR = "d8dcbb8c-b249-4349-bf34-27447c65ccfb", "36bafe07-f9a6-43fa-89ca-a7498d7ae7c7"
CODE_A, CODE_B = "ac70d884-ccc8-40aa-8e1b-40293e2741e8", "e89138a5-caac-4b24-839f-65e74913fadd"
SOURCE_TEXT = (
    "Ärligt talat: meddelandena kommer fram men ibland blir de inte kvitterade över helgen. "
    "När jag fick se min roll i processkartan blev det tydligare vad jag ska göra."
)


def selection(start: object = 0, end: object = 40, user: str = EVA, code: str = CODE_A) -> str:
    return (
        f'<PlainTextSelection guid="sel-{start}-{end}-{user[:4]}-{code[:4]}" name="s" '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{user}">'
        f'<Coding guid="c-{start}-{user[:4]}-{code[:4]}" creatingUser="{user}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def source(
    name: str = "Personal 01",
    selections: str | None = None,
    *,
    content: str | None = SOURCE_TEXT,
    path: str | None = None,
) -> str:
    body = f"<PlainTextContent>{content}</PlainTextContent>" if content is not None else ""
    ref = f' plainTextPath="internal://{path}"' if path else ""
    chosen = selections if selections is not None else selection() + selection(user=OMAR)
    guid = "src-" + name.encode().hex()[:24]
    return f'<TextSource guid="{guid}" name="{name}"{ref}>{body}{chosen}</TextSource>'


def qde(sources: str | None = None, *, head: str = "<?xml version='1.0' encoding='utf-8'?>\n",
        doctype: str = "", root: str = "Project", ns: str = NS, users: str | None = None) -> str:  # fmt: skip
    people = (
        users
        if users is not None
        else f'<User guid="{EVA}" name="Eva Lind"/><User guid="{OMAR}" name="Omar Haddad"/>'
    )
    codes = (
        '<CodeBook><Codes><Code guid="npt" name="NPT"><Code guid="coh" name="Begriplighet">'
        f'<Code guid="{CODE_A}" name="Differentiering"/>'
        f'<Code guid="{CODE_B}" name="Individuell förståelse"/>'
        "</Code></Code></Codes></CodeBook>"
    )
    body = sources if sources is not None else source()
    return (
        f'{head}{doctype}<{root} xmlns="{ns}" name="p" origin="hostile corpus">'
        f"<Users>{people}</Users>{codes}<Sources>{body}</Sources></{root}>"
    )


def qdpx(project: str | bytes | None = None, members: dict[str, bytes] | None = None) -> bytes:
    """A ``.qdpx``: ``project.qde`` (text encoded as UTF-8, or bytes as given) and more members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        if project is not None:
            data = project.encode("utf-8") if isinstance(project, str) else project
            zf.writestr("project.qde", data)
        for name, content in (members or {}).items():
            zf.writestr(name, content)
    return buffer.getvalue()
