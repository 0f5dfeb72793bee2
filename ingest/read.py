"""Read an export file into a table of raw cells, or say clearly why it is not a table.

Every cell is kept as the tool wrote it (text, number or datetime); mapping to codes happens later.
Row numbers are those a person sees in the file: in a CSV or XLSX the first line (or sheet row) is
row 1, so with a plain header the first answer is row 2, and title rows above the header count too.
In SPSS ``.sav`` and Stata ``.dta`` files the row number is the case number (the first case is 1).
A ``.sav`` cell holding one of its variable's user-missing values (``missing_ranges``) can be kept as
a :class:`UserMissing` marker instead of a blank, so the survey mapping counts it as declared missing.

The header row is found, not assumed: when the caller passes ``header_names`` (the column names it
expects, e.g. the identifier candidates and the item codes), the row among the first
:data:`HEADER_SEARCH_ROWS` that holds most of them is the header. Title rows above it are skipped, and
a second header row directly below it (a question-text row under a question-code row) is skipped too
when its identifier cell is itself a column name.
"""

from __future__ import annotations

import codecs
import csv
import os
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineError

from ingest.archives import check_archive
from project.errors import ResponseDataError

SNIFF_BYTES = 64 * 1024
#: Lines a CSV is parsed in at a time (``IMPLEVAL_CSV_CHUNK_ROWS`` overrides; the table read is
#: the same for any size): the file is never held whole as bytes or text besides its table.
CSV_CHUNK_ROWS = 200_000
CHUNK_ENV = "IMPLEVAL_CSV_CHUNK_ROWS"
HEADER_SEARCH_ROWS = 10
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or other Office file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"$FL2": "an SPSS .sav file",
    b"$FL3": "an SPSS .zsav file",
    b"<stata_dta>": "a Stata .dta file",
}
_DELIMITERS = (";", "\t", ",")  # preference on a tie: Swedish Excel writes semicolons

#: A predicate: is this header cell a name the caller knows (identifier, item code, ...)?
HeaderMatcher = Callable[[str], bool]


@dataclass(frozen=True)
class UserMissing:
    """A ``.sav`` cell the file declares user-missing: its value label, or its code when unlabelled."""

    value: object

    def __str__(self) -> str:
        return str(self.value)


def _what_is_it(head: bytes) -> str | None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text with a byte-order mark (Excel's "Unicode text")
    if b"\x00" in head[:4096]:
        return "a binary file"
    return None


def read_table(
    path: Path,
    *,
    display_name: str | None = None,
    sheet: str | None = None,
    header_names: HeaderMatcher | None = None,
    value_labels: bool = True,
    user_missing: bool = False,
    what: str = "survey",
) -> pd.DataFrame:
    """Read a CSV, XLSX, SPSS or Stata export; columns are the header row, values raw, index =
    the row number a person sees in the file.

    Parameters
    ----------
    sheet
        The workbook sheet to read; by default the only sheet with data.
    header_names
        Recognises expected column names; used to find the header row below title rows.
    value_labels
        For ``.sav``/``.dta``: give labelled values as their labels (default) instead of codes.
    user_missing
        For ``.sav``: give the cells holding a variable's user-missing values as
        :class:`UserMissing` (default: blank, as SPSS treats them).
    what
        What the file holds, for the hints (``survey``, ``indicator data``, ...).

    Raises
    ------
    ResponseDataError
        When the file is empty, not a table, damaged, or has a header but no rows.
    """
    path = Path(path)
    name = display_name or path.name
    head = _head(path, name, what)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(path, name, head, sheet, header_names, what)
    elif suffix in (".csv", ".txt", ".tsv"):
        frame = pd.concat(list(_csv_chunks(path, name, head, header_names, what)))
    elif suffix in (".sav", ".zsav", ".dta"):
        from ingest.read_stats import read_stats

        frame = read_stats(path, name, _what_is_it(head), value_labels, user_missing)
    else:
        raise ResponseDataError(
            f"{name}: unsupported file type {suffix or '(none)'}. Expected .xlsx, .csv, .sav or "
            f".dta. Hint: save the export as Excel workbook or CSV."
        )
    frame = _named(frame, name).dropna(how="all")
    if frame.empty:
        _no_rows(name, what)
    return frame


def _head(path: Path, name: str, what: str) -> bytes:
    """The file's first bytes (to tell its kind and encoding); an empty file is refused."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise ResponseDataError(f"{name}: the file is empty. Hint: export the {what} again.")
    return head


def read_csv_chunks(
    path: Path,
    *,
    display_name: str | None = None,
    header_names: HeaderMatcher | None = None,
    what: str = "survey",
) -> Iterator[pd.DataFrame]:
    """A CSV export as :func:`read_table` reads it, in parts of at most ``CSV_CHUNK_ROWS`` lines
    (``IMPLEVAL_CSV_CHUNK_ROWS``): the parts put together are :func:`read_table`'s table, and only
    one part is in memory at a time.

    Raises
    ------
    ResponseDataError
        As :func:`read_table` does (after the last part when the file has a header but no rows).
    """
    path = Path(path)
    name = display_name or path.name
    head = _head(path, name, what)
    rows = 0
    for chunk in _csv_chunks(path, name, head, header_names, what):
        chunk = _named(chunk, name).dropna(how="all")
        rows += len(chunk)
        if len(chunk):
            yield chunk
    if not rows:
        _no_rows(name, what)


def _named(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with its header cells as column names; a name given twice refuses the file."""
    frame.columns = [_header(c, i) for i, c in enumerate(frame.columns)]
    dupes = sorted(c for c, n in Counter(frame.columns).items() if n > 1)  # linear: 10,000 columns
    if dupes:
        raise ResponseDataError(
            f"{name}: the header has repeated column names: {', '.join(dupes)}. Hint: give every "
            f"column its own name in the export."
        )
    return frame


def _no_rows(name: str, what: str) -> None:
    rows, held = ("answers", "the responses") if what == "survey" else ("rows", f"its {what}")
    raise ResponseDataError(
        f"{name}: the file has a header row but no {rows}. Hint: check that the export "
        f"includes {held}."
    )


def _header(value: object, position: int) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = " ".join(text.split())
    return text or f"(column {position + 1})"


def find_header_row(rows: list[list[object]], matches: HeaderMatcher | None) -> tuple[int, int]:
    """Among the first rows, (position of the header row, number of header rows after it to skip).

    The header is the row with most cells the caller recognises (the first on a tie; the first
    non-empty row when nothing is recognised). One row directly below it is a second header row
    when it also holds recognised names (a question-text row repeating the column names).
    """

    def hits(row: list[object]) -> int:
        return sum(1 for c in row if isinstance(c, str) and c.strip() and matches(c))  # type: ignore[misc]

    first = next((i for i, r in enumerate(rows) if any(not is_blank(c) for c in r)), 0)
    if matches is None:
        return first, 0
    scores = [hits(r) for r in rows[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) == 0:
        return first, 0
    best = scores.index(max(scores))
    below = rows[best + 1] if best + 1 < len(rows) else []
    extra = 1 if below and hits(below) and not any(_numeric(c) for c in below) else 0
    return best, extra


def is_blank(value: object) -> bool:
    """No value: None, NaN, or text that is only whitespace."""
    return (
        value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""
    )


def map_cells(column: pd.Series, func: Callable[[Any], object]) -> pd.Series:
    """``column.map(func)`` computed once per distinct value (an export repeats its labels, codes
    and names thousands of times); missing values (None, NaN) are passed to ``func`` as ``None``.
    ``func`` is not called for ``None`` when no cell is missing. The result has ``column``'s index
    and object dtype."""
    text = isinstance(column.dtype, pd.StringDtype)  # factorised as it is: no copy as objects
    codes, uniques = pd.factorize(column if text else column.astype(object), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    for position, value in enumerate(uniques):
        results[position] = func(value)
    if (codes < 0).any():
        results[-1] = func(None)
    return pd.Series(results[codes], index=column.index, dtype=object)


def blank_cells(column: pd.Series) -> pd.Series:
    """A boolean mask of the blank cells of ``column`` (see :func:`is_blank`)."""
    return map_cells(column, is_blank).astype(bool)


def _numeric(value: object) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return not pd.isna(value)
    try:
        float(str(value).strip().replace(",", "."))
    except ValueError:
        return False
    return True


def _read_xlsx(
    path: Path,
    name: str,
    head: bytes,
    sheet: str | None,
    matches: HeaderMatcher | None,
    holds: str = "survey",
) -> pd.DataFrame:
    if not head.startswith(b"PK"):
        what = _what_is_it(head) or "not an Excel workbook"
        raise ResponseDataError(
            f"{name}: the file is named .xlsx but is {what}. Hint: export again as Excel "
            f"workbook (.xlsx) or CSV."
        )
    try:
        with zipfile.ZipFile(path) as zf:
            check_archive(zf, name, ResponseDataError, what="Excel workbook")
            damaged = zf.testzip()
            if "xl/workbook.xml" not in zf.namelist():
                raise ResponseDataError(
                    f"{name}: a zip file but not an Excel workbook. Hint: export again as .xlsx."
                )
        if damaged:
            raise zipfile.BadZipFile(damaged)
        # calamine (Rust) reads the cells as openpyxl does — the same values and types (checked
        # on the example's and the tests' workbooks, dates, times, formulas and errors included) —
        # at a seventh of the CPU: 1.4 s instead of 10 s for 100× the example's NoMAD T0.
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine")
    except (
        zipfile.BadZipFile,
        EOFError,
        KeyError,
        OSError,
        ValueError,
        zlib.error,
        CalamineError,
    ) as exc:
        if isinstance(exc, ResponseDataError):
            raise
        raise ResponseDataError(
            f"{name}: the workbook is damaged or truncated and cannot be opened. Hint: download "
            f"or export the file again."
        ) from exc
    if sheet is not None:
        if sheet not in sheets:
            raise ResponseDataError(
                f"{name}: the workbook has no sheet {sheet!r}. Expected one of "
                f"{', '.join(sheets)}. Hint: check --sheet or the profile's sheet."
            )
        raw = sheets[sheet].dropna(how="all")
        if raw.empty:
            raise ResponseDataError(
                f"{name}: sheet {sheet!r} is empty. Hint: choose the sheet with the answers."
            )
    else:
        filled = {k: v.dropna(how="all") for k, v in sheets.items()}
        filled = {k: v for k, v in filled.items() if not v.empty}
        if not filled:
            raise ResponseDataError(
                f"{name}: every sheet is empty. Hint: export the {holds} again."
            )
        if len(filled) > 1:
            raise ResponseDataError(
                f"{name}: the workbook has {len(filled)} sheets with data ({', '.join(filled)}). "
                f"Expected one. Hint: delete the extra sheets, save the answers sheet on its own, "
                f"or choose it with --sheet (or sheet: in the export profile)."
            )
        raw = next(iter(filled.values()))
    rows = raw.head(HEADER_SEARCH_ROWS + 1).astype(object).values.tolist()
    position, extra = find_header_row(rows, matches)
    header_row = raw.index[position]
    frame = raw.loc[raw.index > header_row].iloc[extra:].copy()
    frame.columns = list(raw.loc[header_row])
    frame.index = frame.index + 1  # 0-based sheet row → 1-based spreadsheet row number
    return frame


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ResponseDataError(
            f"{name}: the text encoding is neither UTF-8 nor Windows-1252 (byte "
            f"0x{data[exc.start]:02x} at byte position {exc.start}, line {line}). Hint: save the "
            f"CSV as UTF-8."
        ) from exc


def csv_chunk_rows() -> int:
    """Lines per CSV chunk: ``IMPLEVAL_CSV_CHUNK_ROWS`` when it is a positive whole number."""
    text = os.environ.get(CHUNK_ENV, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else CSV_CHUNK_ROWS


def _text_encoding(path: Path) -> str | None:
    """The encoding :func:`_decode` picks for the file, found by decoding it block by block (never
    whole in memory); ``None`` when none decodes it (:func:`_decode` then says where it fails)."""
    with open(path, "rb") as fh:
        bom = fh.read(2)
    utf16 = ("utf-16",) if bom in (b"\xff\xfe", b"\xfe\xff") else ()
    for encoding in (*utf16, "utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    lines = sample.splitlines()[: HEADER_SEARCH_ROWS + 1]
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:  # e.g. a field longer than the csv module allows: judge by the raw lines
        return [line.split(delimiter) for line in lines]


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: the one that splits most lines into the same number (> 1) of
    fields; ``;`` then tab then ``,`` on a tie."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [len(r) for r in _sample_rows(sample, delimiter) if any(c.strip() for c in r)]
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        widest = max(counts)
        score = (sum(1 for c in counts if c == widest), widest)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_chunks(
    path: Path, name: str, head: bytes, matches: HeaderMatcher | None, holds: str = "survey"
) -> Iterator[pd.DataFrame]:
    """The CSV's records below its header, ``CSV_CHUNK_ROWS`` at a time: columns as the header
    row, index the row number, cells raw text (blank rows still in)."""
    what = _what_is_it(head)
    if what:
        ending = {"an SPSS .sav file": ".sav", "a Stata .dta file": ".dta"}.get(what)
        data = "the answers" if holds == "survey" else f"the {holds}"
        hint = f"give it the {ending} ending" if ending else f"export {data} as CSV or .xlsx"
        raise ResponseDataError(
            f"{name}: the file is named {path.suffix} but is {what}. Hint: {hint}."
        )
    encoding = _text_encoding(path)
    if encoding is None:
        _decode(path.read_bytes(), name)  # raises, naming the first byte that is not text
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(SNIFF_BYTES)
    delimiter = sniff_delimiter(sample)
    sample_rows = _sample_rows(sample, delimiter)
    position, extra = find_header_row(sample_rows, matches)  # type: ignore[arg-type]
    lines = sample.splitlines()
    skip = position if position < len(lines) else 0
    drop, header = 1 + extra, None  # the header record and the second header row below it
    try:
        with (
            open(path, encoding=encoding, newline="") as fh,
            pd.read_csv(
                fh,
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                header=None,
                skiprows=skip,
                chunksize=csv_chunk_rows(),
            ) as chunks,
        ):
            for chunk in chunks:  # indexed by record, continuing across chunks
                if header is None:
                    if chunk.shape[1] < 2:
                        raise ResponseDataError(
                            f"{name}: only one column was found. Expected a table separated by "
                            f"';', ',' or tab. Hint: check the separator the export uses."
                        )
                    header = list(chunk.iloc[0])
                chunk, drop = chunk.iloc[drop:], max(0, drop - len(chunk))
                chunk.columns = header
                # 0-based record → 1-based row; the header is row 1 + the title lines above it
                chunk.index = chunk.index + 1 + skip
                yield chunk
    except (pd.errors.ParserError, csv.Error) as exc:
        raise ResponseDataError(
            f"{name}: not a readable CSV table ({str(exc).splitlines()[0]}). Hint: open it in a "
            f"spreadsheet and save as CSV (semicolon or comma separated)."
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise ResponseDataError(
            f"{name}: the file is empty. Hint: export the {holds} again."
        ) from exc
