"""What a release holds: tables of data and, for every column, what the codebook says about it.

One description serves every output: the .sav/.dta labels, the Table Schema of
``datapackage.json``, the DDI variables and the human-readable codebook all read these objects,
so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from project.labels import Labels

ColumnType = Literal["string", "integer", "number", "yearmonth", "date", "datetime", "boolean"]


def both(sv: str, en: str) -> Labels:
    """A text in Swedish and English."""
    return Labels(sv=sv, en=en)


@dataclass(frozen=True)
class Category:
    """A value a column takes, with its label (a response option, an organisation, a wave)."""

    value: int | str
    label: Labels


@dataclass(frozen=True)
class MissingCode:
    """A declared missing value: a "not relevant" answer kept apart from scored answers.

    ``code`` is what CSV, Parquet and SPSS hold (SPSS declares it user-missing); Stata holds the
    extended missing value ``.<letter>``; R's haven reads the .sav as ``labelled_spss`` with
    ``na_values``.
    """

    code: int
    letter: str
    key: str
    label: Labels


@dataclass(frozen=True)
class Column:
    """One released variable."""

    name: str
    type: ColumnType
    label: Labels
    categories: tuple[Category, ...] = ()
    ordered: bool = False
    missing: tuple[MissingCode, ...] = ()
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    question: Labels | None = None
    note: Labels | None = None


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


@dataclass
class Table:
    """One released table: its rows and the description of each column, in order."""

    name: str
    title: Labels
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    person_key: str | None = None
    labelled: bool = False
    description: Labels | None = None
    notes: list[Labels] = field(default_factory=list)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def keep(self, names: list[str]) -> None:
        """Keep only the named columns (frame and descriptions), in their current order."""
        self.columns = tuple(c for c in self.columns if c.name in names)
        self.frame = self.frame.loc[:, [c.name for c in self.columns]]
