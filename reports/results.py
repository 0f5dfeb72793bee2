"""The one reader of ``output/results/``: every report section reads results through it.

What a file holds comes from the results contract (:mod:`analysis.columns`): its columns, and
for each column whether it is text, a number, a whole number or a flag. A file is read once and
handed out as a frame with exactly the contract's columns (in its order) and dtypes:

- text columns are strings, ``""`` where the file has no value;
- ``float`` columns are float64 (NaN where missing); ``int`` columns int64 and never missing;
  ``Int64`` and ``boolean`` columns nullable; ``bool`` columns bool and never missing.

A file that is absent gives an empty frame (the analyse stage has not written it, or the kind is
not declared): the sections leave their part out. A file that cannot be read, lacks a column of
the contract, or has a value that does not fit its column is a :class:`ResultsFileError` naming
the file and the column. Columns the contract does not know are left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.columns import Table, empty_table, table
from analysis.vocabulary import PANDAS_DTYPES
from project.errors import ResultsFileError
from store.csv_cells import restore

_RERUN = "Hint: rerun the analyse stage (impleval run --stage analyse)."


def _bad_value(path: Path, column: str, values: pd.Series, expected: str) -> ResultsFileError:
    rows = [str(i + 2) for i in values.index[:3]]  # +2: the header line and 1-based lines
    return ResultsFileError(
        f"{path.name}: column {column} has values that are not {expected} (line "
        f"{', '.join(rows)}). Expected {expected}. {_RERUN}"
    )


def _conform(path: Path, spec: Table, column: str, values: pd.Series) -> pd.Series:
    dtype = spec.dtype(column)
    if (
        dtype == "str"
    ):  # written neutralised for spreadsheets (store.csv_cells): read back as written
        return values.astype(object).where(values.notna(), "").astype(str).map(restore)
    missing = values.isna()
    if dtype in ("bool", "boolean"):
        words = values.astype(object).map(lambda v: str(v).strip().lower(), na_action="ignore")
        bad = values[~missing & ~words.isin(["true", "false", "1", "0"])]
        if len(bad) or (dtype == "bool" and missing.any()):
            raise _bad_value(path, column, bad if len(bad) else values[missing], "True or False")
        flags = words.map(lambda w: w in ("true", "1"), na_action="ignore")
        return flags.astype(PANDAS_DTYPES[dtype])
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values[~missing & numbers.isna()]
    if len(bad):
        raise _bad_value(path, column, bad, "numbers")
    if dtype == "float":
        return numbers.astype("float64")
    whole = numbers.dropna()
    fraction = whole[whole != whole.round()]
    if len(fraction) or (dtype == "int" and missing.any()):
        raise _bad_value(
            path, column, fraction if len(fraction) else values[missing], "whole numbers"
        )
    return numbers.astype(PANDAS_DTYPES[dtype])


def read_results_file(path: Path, name: str) -> pd.DataFrame:
    """One results file as the contract of table ``name`` says it is (see the module docstring).

    Raises
    ------
    ResultsFileError
        The file cannot be read as CSV, lacks a column of the contract, or has a value that does
        not fit its column.
    """
    spec = table(name)
    text = [c for c in spec.columns if spec.dtype(c) == "str"]
    try:
        header = pd.read_csv(path, nrows=0).columns
        frame = pd.read_csv(
            path,
            dtype={c: str for c in text if c in header},
            keep_default_na=False,
            na_values=[""],
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ResultsFileError(
            f"{path.name}: cannot be read as CSV ({' '.join(str(exc).split())}). {_RERUN}"
        ) from exc
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise ResultsFileError(
            f"{path.name}: missing columns {', '.join(missing)}. Expected the columns of "
            f"docs/results.md ({', '.join(spec.columns)}); found "
            f"{', '.join(map(str, frame.columns))}. Hint: rerun the analyse stage with this "
            f"version of impleval."
        )
    return pd.DataFrame(
        {c: _conform(path, spec, c, frame[c]) for c in spec.columns}, index=frame.index
    )


class Results:
    """``output/results/`` as the report sees it: each table read once, on first use.

    Examples
    --------
    >>> results = Results(Path("no-such-folder"))
    >>> results.table("goals").empty, results.has("goals")
    (True, False)
    """

    def __init__(self, results_dir: Path) -> None:
        self.dir = Path(results_dir)
        self._tables: dict[str, pd.DataFrame] = {}
        self._read: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        return self.dir / f"{name}.csv"

    def has(self, name: str) -> bool:
        """Whether the analyse stage wrote table ``name`` (with or without rows)."""
        return self.path(name).is_file()

    def table(self, name: str) -> pd.DataFrame:
        """Table ``name`` with the contract's columns and dtypes; empty when the file is absent.

        The frame is shared between callers: treat it as read-only (copy before changing it).
        """
        if name not in self._tables:
            path = self.path(name)
            if path.is_file():
                self._tables[name] = read_results_file(path, name)
                self._read[f"results/{name}.csv"] = path
            else:
                self._tables[name] = empty_table(name)
        return self._tables[name]

    def rows(self, name: str, **where: str) -> pd.DataFrame:
        """The rows of table ``name`` whose text columns equal the values given.

        >>> Results(Path("no-such-folder")).rows("scale_scores", instrument="nomad").empty
        True
        """
        frame = self.table(name)
        mask = pd.Series(True, index=frame.index)
        for column, value in where.items():
            mask &= frame[column] == value
        return frame[mask].reset_index(drop=True)

    @property
    def files(self) -> dict[str, Path]:
        """The files read so far, as ``results/<name>.csv`` → path (for the manifest)."""
        return dict(self._read)
