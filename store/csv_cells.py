"""Cells of the CSV files people open in a spreadsheet, made safe to open.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (``=cmd|' /C calc'!A0``, ``@SUM(A1:A9)``). As
OWASP's CSV-injection advice says, such a cell gets a leading ``'``: the spreadsheet shows it as
text. Every CSV the tool writes for people goes through :func:`neutralise_frame`: the quarantine
list (``output/validation/quarantine.csv``), the results files (``output/results/*.csv``) and the
release tables (``releases/``).

Only text cells change: a number (``-0.5`` in a numeric column) is written as a number. A text cell
that already begins with ``'`` before one of those characters (or before another ``'``) gets one
more, so that :func:`restore` gives back exactly the text that was written; the report reads the
results files through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: What a spreadsheet takes as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def neutralise(value: object) -> object:
    """A cell made safe to open in a spreadsheet: text that would run as a formula gets a ``'``.

    >>> neutralise("=HYPERLINK(1)"), neutralise("ok"), neutralise(-0.5), neutralise(None)
    ("'=HYPERLINK(1)", 'ok', -0.5, None)
    >>> neutralise("'=already quoted")
    "''=already quoted"
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) or _quoted(value):
        return _QUOTE + value
    return value


def restore(value: object) -> object:
    """The text :func:`neutralise` was given (the inverse, for a program reading the file back).

    >>> restore("'=HYPERLINK(1)"), restore("''=x"), restore("'plain"), restore(3)
    ('=HYPERLINK(1)', "'=x", "'plain", 3)
    """
    return value[1:] if isinstance(value, str) and _quoted(value) else value


def _quoted(text: str) -> bool:
    """Begins with ``'`` and then a formula start or another ``'``."""
    return text.startswith(_QUOTE) and text[1:2].startswith((*FORMULA_STARTS, _QUOTE))


def neutralise_frame(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (in ``columns``, default: every column holding text)
    are neutralised; numbers, dates and missing values are left as they are."""
    out = frame.copy()
    chosen = list(out.columns) if columns is None else columns
    for column in chosen:
        values = out[column]
        if values.dtype == object or str(values.dtype) in ("string", "str"):
            out[column] = values.astype(object).map(neutralise)
    return out
