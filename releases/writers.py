"""Write a release table as CSV, Parquet, SPSS (.sav) and Stata (.dta), byte for byte the same
from the same input.

- **CSV**: UTF-8 without BOM, ``\\n`` line ends, empty cell = missing. Text cells that a
  spreadsheet would read as a formula (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
  return) get a leading ``'``, as OWASP's CSV-injection advice says (:mod:`store.csv_cells`, the
  one helper for every CSV written for people); numbers are written as numbers and never changed.
- **Parquet**: pyarrow; each field's metadata holds its label and declared missing codes.
- **SPSS .sav** (uncompressed) and **Stata .dta** (format 118, Stata 14 and later) through
  pyreadstat, with variable labels, value labels and the declared missing values (SPSS
  user-missing; Stata ``.a``, ``.b``, …). Both formats stamp the writing time into their header;
  we set it to the release date, so a rebuild is identical.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from releases.model import Column, Table
from store.csv_cells import neutralise

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _csv_frame(table: Table) -> pd.DataFrame:
    out = table.frame.copy()
    for col in table.columns:
        values = out[col.name]
        if col.type == "datetime":
            out[col.name] = pd.to_datetime(values).dt.strftime("%Y-%m-%dT%H:%M:%S")
        elif col.type == "date":
            out[col.name] = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
        elif col.type == "boolean":
            out[col.name] = values.map({True: "true", False: "false"})
        elif col.type in ("string", "yearmonth"):
            out[col.name] = values.astype(object).map(neutralise)
    return out


def write_csv(table: Table, path: Path) -> Path:
    _csv_frame(table).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def _field_metadata(col: Column, lang: str) -> dict[bytes, bytes]:
    meta = {"label": col.label.get(lang)}
    if col.missing:
        meta["missing_values"] = json.dumps(
            {str(m.code): m.label.get(lang) for m in col.missing}, ensure_ascii=False
        )
    return {k.encode(): v.encode("utf-8") for k, v in meta.items()}


def write_parquet(table: Table, path: Path, *, lang: str) -> Path:
    arrow = pa.Table.from_pandas(table.frame, preserve_index=False)
    fields = [
        field.with_metadata(_field_metadata(table.column(field.name), lang))
        for field in arrow.schema
    ]
    metadata = dict(arrow.schema.metadata or {})
    metadata[b"impleval.table"] = table.name.encode()
    arrow = arrow.cast(pa.schema(fields, metadata=metadata))
    pq.write_table(arrow, path)
    return path


def _numeric(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _labels(col: Column, lang: str) -> dict[int | float, str]:
    labels: dict[int | float, str] = {}
    for cat in col.categories:
        if isinstance(cat.value, int):
            labels[cat.value] = cat.label.get(lang)[:120]
    return labels


def _stat_frame(table: Table) -> pd.DataFrame:
    out = table.frame.copy()
    for col in table.columns:
        if col.type in ("integer", "number"):
            out[col.name] = _numeric(out[col.name])
        elif col.type in ("string", "yearmonth"):
            out[col.name] = out[col.name].astype(object).where(out[col.name].notna(), "")
    return out


def write_sav(table: Table, path: Path, *, lang: str, date: dt.date) -> Path:
    """SPSS: value labels (scored codes and "not relevant" codes), user-missing values."""
    frame = _stat_frame(table)
    value_labels: dict[str, dict[int | float, str]] = {}
    missing: dict[str, list[Any]] = {}
    measure: dict[str, str] = {}
    for col in table.columns:
        labels = _labels(col, lang) | {m.code: m.label.get(lang)[:120] for m in col.missing}
        if labels:
            value_labels[col.name] = labels
        if col.missing:
            codes = [m.code for m in col.missing]
            missing[col.name] = codes if len(codes) <= 3 else [{"lo": min(codes), "hi": max(codes)}]
        measure[col.name] = (
            "ordinal"
            if col.ordered
            else "scale"
            if col.type in ("integer", "number")
            else "nominal"
        )
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=table.title.get(lang)[:64],
        column_labels={c.name: c.label.get(lang)[:250] for c in table.columns},
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure=measure,
    )
    _stamp_sav(path, date)
    return path


def write_dta(table: Table, path: Path, *, lang: str, date: dt.date) -> Path:
    """Stata: value labels on coded columns, "not relevant" as extended missing ``.a``, ``.b``…"""
    frame = _stat_frame(table)
    value_labels, missing = {}, {}
    for col in table.columns:
        labels: dict = dict(_labels(col, lang))
        if col.missing:
            by_code = {m.code: m.letter for m in col.missing}
            numbers = frame[col.name]
            frame[col.name] = numbers.astype(object).where(
                ~numbers.isin(by_code), numbers.map(by_code)
            )
            missing[col.name] = [m.letter for m in col.missing]
            labels |= {m.letter: m.label.get(lang)[:80] for m in col.missing}
        if labels:
            value_labels[col.name] = labels
    pyreadstat.write_dta(
        frame,
        str(path),
        file_label=table.title.get(lang)[:80],
        column_labels={c.name: c.label.get(lang)[:80] for c in table.columns},
        version=14,
        variable_value_labels=value_labels,
        missing_user_values=missing,
    )
    _stamp_dta(path, date)
    return path


def _stamp_sav(path: Path, date: dt.date) -> None:
    """Set the header's creation date and time (bytes 92–108 of a .sav) to ``date`` 00:00:00."""
    data = bytearray(path.read_bytes())
    stamp = f"{date.day:02d} {_MONTHS[date.month - 1]} {date.year % 100:02d}00:00:00".encode()
    assert data[:4] == b"$FL2" and len(stamp) == 17
    data[92:109] = stamp
    path.write_bytes(bytes(data))


def _stamp_dta(path: Path, date: dt.date) -> None:
    """Set the header's ``<timestamp>`` (``dd Mon yyyy hh:mm``) to ``date`` 00:00."""
    data = path.read_bytes()
    start = data.index(b"<timestamp>") + len(b"<timestamp>")
    stamp = f"{date.day:02d} {_MONTHS[date.month - 1]} {date.year} 00:00".encode()
    assert data[start] == len(stamp) == 17
    path.write_bytes(data[: start + 1] + stamp + data[start + 1 + len(stamp) :])
