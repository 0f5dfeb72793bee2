"""Indicator files: read, map to the canonical frame, validate and load — the indicators' part of
the one ingest transaction (:mod:`ingest.transaction`).

The file is long: one row per indicator × unit × period (× breakdown), with columns ``indicator``,
``unit`` (optional; ``all`` when absent), ``period``, ``value``, optional ``denominator`` (or
``exposure``) and optional breakdown columns declared by the indicators (``age_group``, ``sex``, …;
empty = the total). Swedish headers (``indikator, enhet, period, värde, nämnare``) and decimal
commas are accepted.

Participant outcomes (``outcomes:`` in project.yaml) travel in the same files: their rows name the
outcome in the ``indicator`` column (or ``outcome``/``utfall``), the category in a ``category``
(``kategori``) column, the number of persons in ``value`` and the subgroup in the outcome's subgroup
columns (``sex``, ``age_group``, …; empty = everyone). They are validated with the indicator rows
and stored in ``outcome_values``.

The slot is the indicator (or outcome) × unit series: a file holding a series that another active
file holds needs ``--replace``, which supersedes that file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from ingest.kinds import IngestOptions
from ingest.read import map_cells, read_table
from ingest.report import IngestReport
from ingest.transaction import Clash, Evaluation, Slot, ingest_file
from privacy.keys import ProjectKey
from project.config import Project
from project.errors import IndicatorDataError
from project.indicators import Indicator, Outcome, Window
from project.layout import ProjectPaths
from store import warehouse
from store.reads import INDICATOR_VALUE_COLUMNS, OUTCOME_VALUE_COLUMNS
from validation.expectations import run_suite
from validation.indicators import ROW_RULES, indicator_expectations, parse_period, row_problems
from validation.quarantine import Verdict, judge, problem

KIND = "indicators"

_ALIASES = {
    "indicator": ("indicator", "indikator", "indicator_id", "outcome", "utfall"),
    "unit": ("unit", "enhet", "organisation", "organization"),
    "period": ("period", "månad", "manad", "month", "år", "year", "kvartal", "quarter"),
    "value": ("value", "värde", "varde", "antal", "count"),
    "denominator": ("denominator", "nämnare", "namnare", "exposure", "exponering"),
    "category": ("category", "kategori"),
}
#: The loaded columns of an indicator value and of an outcome count (``indicator`` names both).
VALUE_COLUMNS = [*INDICATOR_VALUE_COLUMNS, "source_row"]
OUTCOME_COLUMNS = ["indicator", *OUTCOME_VALUE_COLUMNS[1:], "source_row"]


@dataclass(frozen=True)
class MappedIndicators:
    """The canonical frame and what mapping found (problems by source row)."""

    frame: pd.DataFrame
    problems: list[dict]
    ignored_columns: tuple[str, ...]
    disaggregations: tuple[str, ...]


def _norm(name: object) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def parse_number(text: object) -> float | None:
    """A number as exports write it: ``1 234,5``, ``1234.5``, ``12``; ``None`` when not a number.

    >>> parse_number("1 234,5"), parse_number("0.8"), parse_number("n/a")
    (1234.5, 0.8, None)
    """
    if text is None:
        return None
    if isinstance(text, int | float):
        return None if pd.isna(text) else float(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if not s:
        return None
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _columns(table: pd.DataFrame, file_name: str) -> dict[str, str]:
    """Canonical column → the file's column; the required ones must be there."""
    by_norm = {_norm(c): c for c in table.columns}
    found: dict[str, str] = {}
    for canon, aliases in _ALIASES.items():
        hit = next((by_norm[a] for a in aliases if a in by_norm), None)
        if hit is not None:
            found[canon] = hit
    missing = [c for c in ("indicator", "period", "value") if c not in found]
    if missing:
        raise IndicatorDataError(
            f"{file_name}: missing column(s) {', '.join(missing)}. Expected a long table with "
            f"indicator, unit, period, value (and optional denominator); found "
            f"{', '.join(map(str, table.columns))}. Hint: one row per indicator and period."
        )
    return found


def _periods(
    raw: pd.Series, ids: pd.Series, frequencies: Mapping[str, str]
) -> tuple[pd.Series, pd.Series]:
    """Each row's period label (normalised when it parses in its indicator's frequency, else as
    written) and its first day (NaT when it does not parse)."""
    labels = map_cells(raw, _text)
    starts = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    frequency = ids.map(frequencies)
    for freq in sorted(set(frequency.dropna())):
        rows = frequency == freq
        parsed = map_cells(raw[rows], partial(parse_period, frequency=freq))
        ok = parsed.notna()
        labels[rows & ok.reindex(raw.index, fill_value=False)] = parsed[ok].str[0]
        starts[parsed[ok].index] = pd.to_datetime(parsed[ok].str[1].tolist())
    return labels, starts


def map_indicators(table: pd.DataFrame, *, project: Project, file_name: str) -> MappedIndicators:
    """Raw cells → the canonical frame.

    Columns: ``source_row, indicator, category, unit, period, period_start, value, denominator,
    disaggregation`` and one column per declared breakdown (``""`` = total). ``category`` is
    ``""`` when the file has no category column (indicator rows).

    Raises
    ------
    IndicatorDataError
        When a required column (indicator, period, value) is missing.
    """
    found = _columns(table, file_name)
    by_norm = {_norm(c): c for c in table.columns}
    declared = tuple(
        dict.fromkeys(
            [d for i in project.indicators for d in i.disaggregations]
            + [d for o in project.outcomes for d in o.subgroups]
        )
    )
    disagg_cols = {d: by_norm[d] for d in declared if d in by_norm}
    used = set(found.values()) | set(disagg_cols.values())
    ignored = tuple(str(c) for c in table.columns if c not in used)
    frequencies = {i.id: i.frequency for i in project.indicators} | {
        o.id: o.frequency for o in project.outcomes
    }
    index = table.index
    frame = pd.DataFrame({"source_row": index.astype("int64")}, index=index)
    frame["indicator"] = map_cells(table[found["indicator"]], _text)

    def optional(canon: str, default: str) -> pd.Series:
        if canon not in found:
            return pd.Series(default, index=index, dtype=object)
        return map_cells(table[found[canon]], _text)

    frame["category"] = optional("category", "")
    frame["unit"] = optional("unit", "all").replace("", "all")
    frame["period"], frame["period_start"] = _periods(
        table[found["period"]], frame["indicator"], frequencies
    )
    frame["value"], problems = _numbers(table[found["value"]], str(found["value"]), "value")
    frame["denominator"] = float("nan")
    if "denominator" in found:
        column = str(found["denominator"])
        frame["denominator"], more = _numbers(table[column], column, "denominator", required=False)
        problems += more
    joined = pd.Series("", index=index, dtype=object)
    for d in declared:
        cells = map_cells(table[disagg_cols[d]], _text) if d in disagg_cols else ""
        frame[d] = cells
        part = d + "=" + frame[d]
        joined = joined.where(frame[d] == "", part.where(joined == "", joined + ";" + part))
    frame["disaggregation"] = joined
    return MappedIndicators(frame.reset_index(drop=True), _by_row(problems), ignored, declared)


def _numbers(
    cells: pd.Series, column: str, what: str, *, required: bool = True
) -> tuple[pd.Series, list[dict]]:
    """A number column and its problems: NaN or infinity (``non_finite_number``), text or, when
    ``required``, an empty cell (``not_a_number``). Such cells become NaN."""
    parsed = map_cells(cells, parse_number)
    non_finite = parsed.map(lambda v: v is not None and not math.isfinite(v)).astype(bool)
    unread = parsed.isna().to_numpy() & ~non_finite.to_numpy()
    if not required:
        unread &= (map_cells(cells, _text) != "").to_numpy()
    detail = f"{what} is empty or not a number" if required else f"{what} is not a number"
    problems = [
        problem(r, column, "non_finite_number", f"{what} is NaN or infinite")
        for r in cells.index[non_finite.to_numpy()]
    ]
    problems += [problem(r, column, "not_a_number", detail) for r in cells.index[unread]]
    numbers = pd.to_numeric(parsed.where(~non_finite, None)).astype("float64")
    return numbers, problems


def _by_row(problems: list[dict]) -> list[dict]:
    """Problems in row order (value before denominator within a row), as a row loop gives them."""
    return sorted(problems, key=lambda p: p["source_row"])


def validate_indicators(mapped: MappedIndicators, project: Project) -> Verdict:
    """The generated suite plus the per-indicator row rules."""
    frame = mapped.frame
    suite_frame = frame[
        ["indicator", "category", "unit", "period", "disaggregation", "value", "denominator"]
    ].reset_index(drop=True)
    failures = run_suite(
        suite_frame, indicator_expectations(project.indicators, project.outcomes), name="indicators"
    )
    period = project.period
    window = Window(start=period.start, end=period.end) if period is not None else None
    problems = mapped.problems + row_problems(
        frame, project.indicators, project_period=window, outcomes=project.outcomes
    )
    return judge(frame["source_row"], problems, failures)


def gaps_in_series(frame: pd.DataFrame, registry: dict[str, Indicator]) -> list[str]:
    """Series with missing periods between their first and last (a note, not a quarantine)."""
    out = []
    for (ind, unit, dis), part in frame.groupby(["indicator", "unit", "disaggregation"], sort=True):
        spec = registry.get(str(ind))
        if spec is None or part.empty:
            continue
        freq = {"month": "MS", "quarter": "QS", "year": "YS"}[spec.frequency]
        full = pd.date_range(part["period_start"].min(), part["period_start"].max(), freq=freq)
        n_missing = len(full) - part["period_start"].nunique()
        if n_missing > 0:
            where = f"{ind} ({unit}{', ' + str(dis) if dis else ''})"
            out.append(f"{where} has {n_missing} missing period(s) between its first and last")
    return out


def subgroup_mismatches(frame: pd.DataFrame, outcomes: dict[str, Outcome]) -> list[str]:
    """Outcome breakdowns whose groups do not add up to the total of their category (a note).

    Within one outcome × unit × period × category, the rows of one breakdown (the same subgroup
    columns filled, e.g. ``sex``) should add up to the row with no subgroup (everyone).
    """
    out = []
    data = frame[frame["indicator"].isin(list(outcomes))]
    for (oid, unit, period, category), part in data.groupby(
        ["indicator", "unit", "period", "category"], sort=True
    ):
        total = part.loc[part["disaggregation"] == "", "value"]
        if total.empty:
            continue
        keys = part["disaggregation"].map(
            lambda d: ";".join(p.split("=", 1)[0] for p in d.split(";")) if d else ""
        )
        for key, group in part[keys != ""].groupby(keys[keys != ""], sort=True):
            summed = float(group["value"].sum())
            if summed != float(total.iloc[0]):
                out.append(
                    f"{oid} ({unit}, {period}, {category}): the breakdown by "
                    f"{str(key).replace(';', ' × ')} adds up to {summed:g}, the total is "
                    f"{float(total.iloc[0]):g}"
                )
    return out


def _active_series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT DISTINCT v.ingest_id, i.file_name, v.indicator, v.unit FROM ("
        "SELECT ingest_id, indicator, unit FROM indicator_values UNION ALL "
        "SELECT ingest_id, outcome AS indicator, unit FROM outcome_values) v "
        "JOIN ingests i USING (ingest_id) WHERE i.superseded_by IS NULL AND i.kind = 'indicators'"
    ).df()


def _listed(names: list[str], most: int = 5) -> str:
    return ", ".join(names[:most]) + (" …" if len(names) > most else "")


class IndicatorsIngest:
    """One indicator file (see :mod:`ingest.transaction`); no identifiers, so no key."""

    def __init__(
        self, project: Project, paths: ProjectPaths, file_name: str, options: IngestOptions
    ) -> None:
        self.project, self.file_name = project, file_name
        self.slot = Slot(
            what="indicator data", page=f"indicators-{Path(file_name).stem}.html", needs_key=False
        )
        self.loaded = pd.DataFrame(columns=VALUE_COLUMNS)

    def evaluate(self, source: Path, key: ProjectKey | None) -> Evaluation:
        project = self.project
        mapped = map_indicators(
            read_table(source, display_name=self.file_name, what="indicator data"),
            project=project,
            file_name=self.file_name,
        )
        verdict = validate_indicators(mapped, project)
        frame = mapped.frame
        loaded_mask = verdict.is_loaded(frame["source_row"])
        self.loaded = loaded = frame[loaded_mask]
        registry = {i.id: i for i in project.indicators}
        outcomes = {o.id: o for o in project.outcomes}
        gaps = gaps_in_series(loaded, registry) + subgroup_mismatches(loaded, outcomes)
        notes = [f"note: {gap}" for gap in gaps]
        if mapped.ignored_columns:
            notes.insert(
                0,
                f"column(s) not used: {', '.join(mapped.ignored_columns)} (kept in the raw file)",
            )
        indicators = sorted(set(loaded["indicator"]))
        suite = indicator_expectations(project.indicators, project.outcomes)
        return Evaluation(
            rows_read=len(frame),
            rows_loaded=int(loaded_mask.sum()),
            reasons=verdict.reasons,
            target=f"indicators {', '.join(indicators) or '(none)'}",
            checked_rules=(*(e.rule for e in suite), *ROW_RULES),
            notes=tuple(notes),
            facts={"indicators": indicators, "gaps": gaps},
        )

    def clashes(self, con: duckdb.DuckDBPyConnection) -> Clash | None:
        loaded = self.loaded
        new_series = set(zip(loaded["indicator"], loaded["unit"], strict=True))
        active = _active_series(con)
        pairs = list(zip(active["indicator"], active["unit"], strict=True))
        clash = active[[pair in new_series for pair in pairs]]
        if clash.empty:
            return None
        names = sorted(set(clash["file_name"]))
        series = sorted(
            {f"{i} ({u})" for i, u in zip(clash["indicator"], clash["unit"], strict=True)}
        )
        old = active[active["ingest_id"].isin(set(clash["ingest_id"]))]
        dropped = sorted(
            {
                f"{i} ({u})"
                for i, u in zip(old["indicator"], old["unit"], strict=True)
                if (i, u) not in new_series
            }
        )
        ingests = tuple(
            sorted(
                {
                    (int(i), str(n))
                    for i, n in zip(clash["ingest_id"], clash["file_name"], strict=True)
                }
            )
        )
        return Clash(
            ingests,
            f"series {_listed(series)} are already loaded from {', '.join(names)}",
            notes=(
                (f"no longer active (were only in the replaced file): {', '.join(dropped)}",)
                if dropped
                else ()
            ),
        )

    def load(self, con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
        loaded = self.loaded
        is_outcome = loaded["indicator"].isin([o.id for o in self.project.outcomes])
        values = loaded.loc[~is_outcome, VALUE_COLUMNS].assign(ingest_id=ingest_id)
        values["period_start"] = values["period_start"].dt.date
        warehouse.insert_frame(con, "indicator_values", values)
        counts = loaded.loc[is_outcome, OUTCOME_COLUMNS].rename(columns={"indicator": "outcome"})
        counts = counts.assign(ingest_id=ingest_id)
        counts["period_start"] = counts["period_start"].dt.date
        warehouse.insert_frame(con, "outcome_values", counts)


def ingest_indicators(
    project_dir: Path, file: Path, *, replace: bool = False, dry_run: bool = False
) -> IngestReport:
    """Ingest one indicator file (CSV or XLSX) into the project's store.

    Parameters
    ----------
    project_dir
        The project folder (with ``project.yaml`` declaring the indicators or outcomes).
    file
        The export.
    replace
        Load even though some of its series (indicator × unit) are already loaded from another
        file; the earlier ingest is marked ``superseded_by`` and stays in history.
    dry_run
        Read, map and validate, and report what the ingest would do; nothing is landed or stored.
    """
    return ingest_file(project_dir, KIND, file, IngestOptions(replace=replace, dry_run=dry_run))
