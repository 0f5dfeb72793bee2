"""SPSS ``.sav`` and Stata ``.dta`` files for :func:`ingest.read.read_table` (whole in memory:
pyreadstat reads a file at once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ingest.read import UserMissing, map_cells
from project.errors import ResponseDataError


def read_stats(
    path: Path, name: str, what: str | None, value_labels: bool, user_missing: bool
) -> pd.DataFrame:
    """An SPSS or Stata file as :func:`ingest.read.read_table` reads it (``what``: what its first
    bytes say it is)."""
    import pyreadstat

    is_dta = path.suffix.lower() == ".dta"
    reader = pyreadstat.read_dta if is_dta else pyreadstat.read_sav
    kind = "Stata .dta" if is_dta else "SPSS .sav"
    if what and what not in ("an SPSS .sav file", "an SPSS .zsav file", "a Stata .dta file"):
        raise ResponseDataError(
            f"{name}: the file is named {path.suffix} but is {what}. Hint: save the data again "
            f"from {kind.split()[0]}."
        )
    keep_missing = user_missing and not is_dta
    try:
        if keep_missing:
            frame, meta = reader(str(path), apply_value_formats=False, user_missing=True)
        else:
            frame, meta = reader(str(path), apply_value_formats=value_labels)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError types
        raise ResponseDataError(
            f"{name}: not a readable {kind} file ({type(exc).__name__}). Hint: save the data "
            f"again from {kind.split()[0]}, or export it as CSV."
        ) from exc
    frame = frame.astype(object).where(frame.notna(), None)
    if keep_missing:
        frame = _mark_user_missing(frame, meta, value_labels)
    frame.index = frame.index + 1  # case numbers
    return frame


def _in_ranges(value: object, ranges: list[dict]) -> bool:
    if value is None:
        return False
    for r in ranges:
        lo, hi = r.get("lo"), r.get("hi")
        if isinstance(value, str) or isinstance(lo, str):
            if value in (lo, hi):
                return True
        elif lo is not None and hi is not None and lo <= float(value) <= hi:  # type: ignore[arg-type]
            return True
    return False


def _mark_user_missing(frame: pd.DataFrame, meta: Any, value_labels: bool) -> pd.DataFrame:
    """Codes → value labels (when asked), and user-missing cells → :class:`UserMissing`."""
    ranges: dict[str, list[dict]] = getattr(meta, "missing_ranges", None) or {}
    labels: dict[str, dict] = (
        (getattr(meta, "variable_value_labels", None) or {}) if value_labels else {}
    )
    out = {}
    for column in frame.columns:
        own_labels, own_ranges = labels.get(column, {}), ranges.get(column, [])

        def cell(
            value: object, own_labels: dict = own_labels, own_ranges: list = own_ranges
        ) -> object:
            shown = own_labels.get(value, value) if value is not None else None
            return UserMissing(shown) if own_ranges and _in_ranges(value, own_ranges) else shown

        out[column] = map_cells(frame[column], cell) if own_labels or own_ranges else frame[column]
    return pd.DataFrame(out, index=frame.index)
