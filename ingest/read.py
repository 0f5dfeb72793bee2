"""Read an export file into a table of raw cells, or say clearly why it is not a table.

Every cell is kept as the tool wrote it (text, number or datetime); mapping to codes happens later.
Row numbers are those a person sees in the file: the header is row 1, the first answer row 2.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd

from project.errors import ResponseDataError

SNIFF_BYTES = 64 * 1024
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or other Office file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"$FL2": "an SPSS .sav file",
}


def _what_is_it(head: bytes) -> str | None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    if b"\x00" in head[:4096]:
        return "a binary file"
    return None


def read_table(path: Path, *, display_name: str | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX export; columns are the header row, values raw, index = file row number.

    Raises
    ------
    ResponseDataError
        When the file is empty, not a table, damaged, or has a header but no rows.
    """
    path = Path(path)
    name = display_name or path.name
    head = path.read_bytes()[:SNIFF_BYTES]
    if not head.strip():
        raise ResponseDataError(f"{name}: the file is empty. Hint: export the survey again.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(path, name, head)
    elif suffix in (".csv", ".txt", ".tsv"):
        frame = _read_csv(path, name, head)
    else:
        raise ResponseDataError(
            f"{name}: unsupported file type {suffix or '(none)'}. Expected .xlsx or .csv. Hint: "
            f"save the export as Excel workbook or CSV."
        )
    frame.columns = [_header(c, i) for i, c in enumerate(frame.columns)]
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise ResponseDataError(
            f"{name}: the header has repeated column names: {', '.join(dupes)}. Hint: give every "
            f"column its own name in the export."
        )
    frame = frame.dropna(how="all")
    if frame.empty:
        raise ResponseDataError(
            f"{name}: the file has a header row but no answers. Hint: check that the export "
            f"includes the responses."
        )
    return frame


def _header(value: object, position: int) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = " ".join(text.split())
    return text or f"(column {position + 1})"


def _read_xlsx(path: Path, name: str, head: bytes) -> pd.DataFrame:
    if not head.startswith(b"PK"):
        what = _what_is_it(head) or "not an Excel workbook"
        raise ResponseDataError(
            f"{name}: the file is named .xlsx but is {what}. Hint: export again as Excel "
            f"workbook (.xlsx) or CSV."
        )
    try:
        with zipfile.ZipFile(path) as zf:
            damaged = zf.testzip()
            if "xl/workbook.xml" not in zf.namelist():
                raise ResponseDataError(
                    f"{name}: a zip file but not an Excel workbook. Hint: export again as .xlsx."
                )
        if damaged:
            raise zipfile.BadZipFile(damaged)
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, EOFError, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, ResponseDataError):
            raise
        raise ResponseDataError(
            f"{name}: the workbook is damaged or truncated and cannot be opened. Hint: download "
            f"or export the file again."
        ) from exc
    filled = {k: v.dropna(how="all") for k, v in sheets.items()}
    filled = {k: v for k, v in filled.items() if not v.empty}
    if not filled:
        raise ResponseDataError(f"{name}: every sheet is empty. Hint: export the survey again.")
    if len(filled) > 1:
        raise ResponseDataError(
            f"{name}: the workbook has {len(filled)} sheets with data ({', '.join(filled)}). "
            f"Expected one. Hint: delete the extra sheets or save the answers sheet on its own."
        )
    raw = next(iter(filled.values()))
    header_row = raw.index[0]
    frame = raw.loc[header_row + 1 :].copy()
    frame.columns = list(raw.loc[header_row])
    frame.index = frame.index + 1  # 0-based sheet row → 1-based spreadsheet row number
    return frame


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ResponseDataError(
        f"{name}: the text encoding is neither UTF-8 nor Windows-1252. Hint: save the CSV as UTF-8."
    )


def _read_csv(path: Path, name: str, head: bytes) -> pd.DataFrame:
    what = _what_is_it(head)
    if what:
        raise ResponseDataError(
            f"{name}: the file is named {path.suffix} but is {what}. Hint: export the answers "
            f"as CSV or .xlsx."
        )
    text = _decode(path.read_bytes(), name)
    sample = text[:SNIFF_BYTES]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            header=None,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise ResponseDataError(
            f"{name}: not a readable CSV table ({str(exc).splitlines()[0]}). Hint: open it in a "
            f"spreadsheet and save as CSV (semicolon or comma separated)."
        ) from exc
    if frame.shape[1] < 2:
        raise ResponseDataError(
            f"{name}: only one column was found. Expected a table separated by ';', ',' or tab. "
            f"Hint: check the separator the export uses."
        )
    header = list(frame.iloc[0]) if len(frame) else []
    frame = frame.iloc[1:].copy()
    frame.columns = header
    frame.index = frame.index + 1  # 0-based record → 1-based row; the header is row 1
    return frame
