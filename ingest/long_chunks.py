"""A long CSV export (one line per respondent × item) turned into one row per respondent part by
part, as it is read (:func:`ingest.read.read_csv_chunks`): the lines are never held together.

:class:`LongPivot` gives the same table and problems as :func:`ingest.survey_profile.long_to_wide`
on the whole file, whichever parts the lines came in (a respondent's lines may lie in several):
across parts it keeps only what belongs to a respondent, not to a line — the respondent's first
row, which items they answered (one bit per item, for ``duplicate_answer``), the kept answers and
the first non-blank cell of each other column. Answer texts repeat (labels, codes), so each text
is held once however many lines give it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from ingest.read import blank_cells, is_blank, map_cells
from ingest.survey_columns import name_lookup, norm_header
from ingest.survey_profile import ExportProfile, long_column
from instruments.spec import InstrumentSpec
from validation.quarantine import cell_detail, problem


class LongPivot:
    """Feed it the parts of a long export in file order (:meth:`add`), then :meth:`table`."""

    def __init__(self, spec: InstrumentSpec, profile: ExportProfile, file_name: str) -> None:
        self.spec, self.profile, self.file_name = spec, profile, file_name
        self.codes = [i.source_code for i in spec.items]
        self.by_code = {
            name: spec.item(ids[0]).source_code
            for name, ids in name_lookup(spec, profile.forms(spec.id)).items()
            if len(ids) == 1
        }
        self.position = {code: k for k, code in enumerate(self.codes)}
        self.ordinal: dict[str, int] = {}  # respondent (identifier folded) → 0, 1, ...
        self.first_rows: list[int] = []
        self.columns: list[str] = []
        self.others: list[str] = []
        self.roles: tuple[str, str, str] = ("", "", "")
        self.answered = np.zeros((0, len(self.codes)), dtype=bool)
        self.answers = np.empty((0, len(self.codes)), dtype=object)
        self.firsts = np.empty((0, 0), dtype=object)
        self.filled = np.zeros((0, 0), dtype=bool)
        self.texts: dict[object, object] = {}
        self.texts_kept = False  # any answer text kept (the pivot's columns are text then)
        self.unknown: list[dict] = []
        self.duplicates: list[dict] = []

    def _start(self, columns: list[str]) -> None:
        self.columns = columns
        self.roles = (
            long_column(
                columns, self.profile.identifier, "identifier", self.profile, self.file_name
            ),
            long_column(columns, self.profile.item_column, "item", self.profile, self.file_name),
            long_column(columns, self.profile.value_column, "value", self.profile, self.file_name),
        )
        self.others = [c for c in columns if c not in self.roles[1:]]
        self.firsts = np.empty((0, len(self.others)), dtype=object)
        self.filled = np.zeros((0, len(self.others)), dtype=bool)

    def _grow(self, respondents: int) -> None:
        """Room for ``respondents`` rows in the per-respondent arrays (doubling)."""
        have = len(self.answered)
        if respondents <= have:
            return
        size = max(respondents, 2 * have, 1024)
        more = size - have
        self.answered = np.vstack([self.answered, np.zeros((more, len(self.codes)), bool)])
        self.answers = np.vstack([self.answers, np.full((more, len(self.codes)), np.nan, object)])
        self.firsts = np.vstack([self.firsts, np.full((more, len(self.others)), None, object)])
        self.filled = np.vstack([self.filled, np.zeros((more, len(self.others)), bool)])

    def _respondents(self, group: pd.Series) -> np.ndarray:
        """Each line's respondent ordinal; respondents first seen here get the next ones."""
        firsts = group.drop_duplicates()
        for row, folded in zip(firsts.index.tolist(), firsts.tolist(), strict=True):
            if folded not in self.ordinal:
                self.ordinal[folded] = len(self.first_rows)
                self.first_rows.append(row)
        self._grow(len(self.first_rows))
        return group.map(self.ordinal).to_numpy(dtype=np.int64)

    def add(self, part: pd.DataFrame) -> None:
        """Take the next lines of the file (index: row numbers, ascending across parts)."""
        if not self.columns:
            self._start(list(part.columns))
        id_col, item_col, value_col = self.roles
        group = map_cells(part[id_col], lambda v: "" if is_blank(v) else str(v).strip().casefold())
        who = self._respondents(pd.Series(group.to_numpy(), index=part.index))
        first_row = np.asarray(self.first_rows, dtype=np.int64)[who]
        raw_item = part[item_col].astype(object)
        item = map_cells(
            raw_item, lambda v: None if is_blank(v) else self.by_code.get(norm_header(str(v)))
        )
        unknown = item.isna().to_numpy()
        details = map_cells(raw_item, lambda v: "no item named" if is_blank(v) else cell_detail(v))
        self.unknown += [
            problem(r, item_col, "unknown_item", d)
            for r, d in zip(first_row[unknown], details[unknown], strict=True)
        ]
        known = ~unknown
        at = item.map(self.position).fillna(-1).to_numpy(dtype=np.int64)
        combo = pd.Series(who[known] * len(self.codes) + at[known])  # known items only
        dup = np.zeros(len(part), dtype=bool)
        dup[known] = combo.duplicated().to_numpy() | self.answered[who[known], at[known]]
        self.duplicates += [
            problem(r, item_col, "duplicate_answer", f"line {line}")
            for r, line in zip(first_row[dup], part.index[dup], strict=True)
        ]
        keep = known & ~dup
        self.answered[who[keep], at[keep]] = True
        values = map_cells(part[value_col], lambda v: np.nan if v is None else self._held(v))
        kept = values.to_numpy()[keep]
        self.answers[who[keep], at[keep]] = kept
        self.texts_kept = self.texts_kept or bool(pd.notna(kept).any())
        for k, column in enumerate(self.others):
            self._first_non_blank(k, part[column], who)

    def _held(self, value: object) -> object:
        return self.texts.setdefault(value, value)

    def _first_non_blank(self, k: int, column: pd.Series, who: np.ndarray) -> None:
        filled = ~blank_cells(column).to_numpy()
        rows = pd.Series(who[filled])
        first = (~rows.duplicated()).to_numpy()
        new = rows[first].to_numpy()
        new_ones = ~self.filled[new, k]
        targets = new[new_ones]
        self.firsts[targets, k] = column[filled][first][new_ones].astype(object).to_numpy()
        self.filled[targets, k] = True

    def table(self) -> tuple[pd.DataFrame, list[dict]]:
        """One row per respondent (index: their first row), as :func:`long_to_wide` gives it."""
        n = len(self.first_rows)
        index = pd.Index(np.asarray(self.first_rows, dtype=np.int64))
        firsts = pd.DataFrame(
            {c: self.firsts[:n, k] for k, c in enumerate(self.others)}, index=index, dtype=object
        )
        answered = np.any(self.answered[:n], axis=0).astype(bool).tolist()
        text = "str" if self.texts_kept else "object"  # as pandas' pivot infers the answers' type
        wide = {
            code: pd.Series(self.answers[:n, k], index=index, dtype=object).astype(text)  # type: ignore[call-overload]
            if answered[k]
            else pd.Series(np.nan, index=index, dtype="float64")
            for k, code in enumerate(self.codes)
        }
        out = firsts.join(pd.DataFrame(wide, index=index), how="left")
        out.columns = [str(c) for c in out.columns]
        return out, self.unknown + self.duplicates


def long_table(
    parts: Iterable[pd.DataFrame], spec: InstrumentSpec, profile: ExportProfile, file_name: str
) -> tuple[pd.DataFrame, list[dict]]:
    """The long export given in ``parts`` as one row per respondent, and the layout's problems."""
    pivot = LongPivot(spec, profile, file_name)
    pool = pa.default_memory_pool()
    for part in parts:
        pivot.add(part)
        del part
        pool.release_unused()  # the part's text columns (Arrow memory), back to the system
    return pivot.table()
