"""One indicator file, from export to store: land → read → map → validate → load.

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

Mirrors :mod:`ingest.pipeline`: :func:`ingest_indicators` runs under the project lock and loads in
one transaction (an ``ingests`` row with kind ``indicators``, the values, the quarantine rows), so a
failure leaves the store as it was. ``rows_read == rows_loaded + rows_quarantined`` is checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ingest.accounting import accounting_lines
from ingest.landing import land_file
from ingest.read import read_table
from project.config import Project, load_project
from project.errors import ConfigError, IndicatorDataError, ResponseDataError
from project.indicators import Indicator, Outcome, Window
from project.layout import ProjectPaths
from project.provenance import file_sha256
from store import warehouse
from store.lock import project_lock
from validation.indicators import indicator_expectations, parse_period, row_problems
from validation.quarantine import Verdict, judge

KIND = "indicators"

SCHEMA = """
CREATE TABLE IF NOT EXISTS indicator_values (
    ingest_id INTEGER NOT NULL, indicator VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL, period_start DATE NOT NULL, disaggregation VARCHAR NOT NULL,
    value DOUBLE NOT NULL, denominator DOUBLE, source_row INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outcome_values (
    ingest_id INTEGER NOT NULL, outcome VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL, period_start DATE NOT NULL, category VARCHAR NOT NULL,
    disaggregation VARCHAR NOT NULL, value DOUBLE NOT NULL, source_row INTEGER NOT NULL);
"""
"""The indicator table: one row per loaded value. ``disaggregation`` is ``""`` for the total, else
``name=value`` pairs joined by ``;`` in the registry's order (``age_group=65+``). The outcome table
has one row per loaded count of persons (``value``) in a ``category``, with ``disaggregation`` as
for indicators."""

_ALIASES = {
    "indicator": ("indicator", "indikator", "indicator_id", "outcome", "utfall"),
    "unit": ("unit", "enhet", "organisation", "organization"),
    "period": ("period", "månad", "manad", "month", "år", "year", "kvartal", "quarter"),
    "value": ("value", "värde", "varde", "antal", "count"),
    "denominator": ("denominator", "nämnare", "namnare", "exposure", "exponering"),
    "category": ("category", "kategori"),
}


@dataclass(frozen=True)
class IndicatorIngestReport:
    """What one indicator ingest did (no values, only counts and ids)."""

    file_name: str
    sha256: str
    status: str  # loaded | already_loaded | dry_run
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    indicators: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    superseded: tuple[str, ...] = ()
    dropped_series: tuple[str, ...] = ()
    already_landed: bool = False

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = accounting_lines(
            self,
            target=f"indicators {', '.join(self.indicators) or '(none)'}",
            what="indicator data",
        )
        if self.status == "already_loaded":
            return out
        if self.ignored_columns:
            out.append(
                f"  column(s) not used: {', '.join(self.ignored_columns)} (kept in the raw file)"
            )
        for gap in self.gaps:
            out.append(f"  note: {gap}")
        if self.superseded:
            out.append(
                f"  replaces the earlier load of {', '.join(self.superseded)} (kept in history)"
            )
        if self.dropped_series:
            out.append(
                f"  no longer active (were only in the replaced file): "
                f"{', '.join(self.dropped_series)}"
            )
        return out


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
    by_norm = {_norm(c): c for c in table.columns}
    found: dict[str, str] = {}
    for canon, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in by_norm:
                found[canon] = by_norm[alias]
                break
    missing = [c for c in ("indicator", "period", "value") if c not in found]
    if missing:
        raise IndicatorDataError(
            f"{file_name}: missing column(s) {', '.join(missing)}. Expected a long table with "
            f"indicator, unit, period, value (and optional denominator); found "
            f"{', '.join(map(str, table.columns))}. Hint: one row per indicator and period."
        )
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

    problems: list[dict] = []
    rows = []
    for source_row, raw in table.iterrows():
        ind_id = _text(raw[found["indicator"]])
        frequency = frequencies.get(ind_id)
        period_raw = raw[found["period"]]
        parsed = parse_period(period_raw, frequency) if frequency else None
        value_raw = raw[found["value"]]
        value = parse_number(value_raw)
        if value is None:
            problems.append(
                {
                    "source_row": int(source_row),  # type: ignore[call-overload]
                    "column": str(found["value"]),
                    "rule": "not_a_number",
                    "detail": "value is empty or not a number",
                }
            )
        den = None
        if "denominator" in found:
            den_raw = raw[found["denominator"]]
            den = parse_number(den_raw)
            if den is None and _text(den_raw) != "":
                problems.append(
                    {
                        "source_row": int(source_row),  # type: ignore[call-overload]
                        "column": str(found["denominator"]),
                        "rule": "not_a_number",
                        "detail": "denominator is not a number",
                    }
                )
        unit = _text(raw[found["unit"]]) if "unit" in found else "all"
        record = {
            "source_row": int(source_row),  # type: ignore[call-overload]
            "indicator": ind_id,
            "category": _text(raw[found["category"]]) if "category" in found else "",
            "unit": unit or "all",
            "period": parsed[0] if parsed else _text(period_raw),
            "period_start": parsed[1] if parsed else pd.NaT,
            "value": value,
            "denominator": den,
        }
        parts = []
        for d in declared:
            v = _text(raw[disagg_cols[d]]) if d in disagg_cols else ""
            record[d] = v
            if v:
                parts.append(f"{d}={v}")
        record["disaggregation"] = ";".join(parts)
        rows.append(record)
    frame = pd.DataFrame(rows)
    frame["value"] = pd.to_numeric(frame["value"]).astype("float64")
    frame["denominator"] = pd.to_numeric(frame["denominator"]).astype("float64")
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    return MappedIndicators(frame, problems, ignored, declared)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def validate_indicators(mapped: MappedIndicators, project: Project) -> Verdict:
    """The generated suite (great-expectations) plus the per-indicator row rules."""
    from validation.gx import run_suite

    frame = mapped.frame
    suite_frame = frame[
        ["indicator", "category", "unit", "period", "disaggregation", "value", "denominator"]
    ].reset_index(drop=True)
    failures = run_suite(
        suite_frame,
        indicator_expectations(project.indicators, project.outcomes),
        name="indicators",
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
            where = f"{ind} ({unit}{', ' + dis if dis else ''})"
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


def ingest_indicators(
    project_dir: Path, file: Path, *, replace: bool = False, dry_run: bool = False
) -> IndicatorIngestReport:
    """Ingest one indicator file (CSV or XLSX) into the project's store.

    Parameters
    ----------
    project_dir
        The project folder (with ``project.yaml`` declaring the indicators).
    file
        The export.
    replace
        Load even though some of its series (indicator × unit) are already loaded from another
        file; the earlier ingest is marked ``superseded_by`` and stays in history.
    dry_run
        Read, map and validate, and report what would be loaded; nothing is landed or stored.

    Raises
    ------
    PipelineError
        For anything the user can fix (no indicators declared, unreadable file, missing columns,
        series already loaded); nothing is loaded then.
    """
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    if not project.indicators and not project.outcomes:
        raise ConfigError(
            "project.yaml: no indicators are declared. Hint: add an indicators: section (the "
            "indicator registry) or an outcomes: section before ingesting indicator data."
        )
    file = Path(file)
    if not file.is_file():
        raise ResponseDataError(f"{file}: no such file. Hint: check the path and file name.")
    if dry_run:  # under the lock too: a diagnosis waits for a running ingest instead of failing
        with project_lock(paths.lock):
            return _process(
                project, file, paths, dry_run=True, replace=replace, digest=file_sha256(file)
            )
    with project_lock(paths.lock):
        landed = land_file(file, paths, kind=KIND)
        report = _process(
            project, file, paths, dry_run=False, replace=replace, digest=landed.sha256,
            raw=landed.raw_path,
        )  # fmt: skip
    return dataclasses.replace(report, already_landed=landed.already_landed)


def _active_series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT DISTINCT v.ingest_id, i.file_name, v.indicator, v.unit FROM ("
        "SELECT ingest_id, indicator, unit FROM indicator_values UNION ALL "
        "SELECT ingest_id, outcome AS indicator, unit FROM outcome_values) v "
        "JOIN ingests i USING (ingest_id) WHERE i.superseded_by IS NULL"
    ).df()


def _process(
    project: Project,
    file: Path,
    paths: ProjectPaths,
    *,
    dry_run: bool,
    replace: bool,
    digest: str,
    raw: Path | None = None,
) -> IndicatorIngestReport:
    with warehouse.open_for_ingest(paths.warehouse, dry_run=dry_run) as con:
        con.execute(SCHEMA)
        return _evaluate(project, file, digest, raw, con, dry_run=dry_run, replace=replace)


def _evaluate(
    project: Project,
    file: Path,
    digest: str,
    raw: Path | None,
    con: duckdb.DuckDBPyConnection | None,
    *,
    dry_run: bool,
    replace: bool,
) -> IndicatorIngestReport:
    if con is not None:
        same = con.execute(
            "SELECT ingest_id FROM ingests WHERE kind = ? AND sha256 = ? AND superseded_by IS NULL",
            [KIND, digest],
        ).fetchone()
        if same is not None:
            return IndicatorIngestReport(file.name, digest, "already_loaded")
    table = read_table(raw or file, display_name=file.name)
    mapped = map_indicators(table, project=project, file_name=file.name)
    verdict = validate_indicators(mapped, project)
    frame = mapped.frame
    loaded_mask = verdict.is_loaded(frame["source_row"])
    loaded = frame[loaded_mask]
    n_read, n_loaded = len(frame), int(loaded_mask.sum())
    n_quarantined = len(verdict.quarantined_rows)
    if n_read != n_loaded + n_quarantined:
        raise RuntimeError(
            f"row accounting broken for {file.name}: {n_read} read, {n_loaded} loaded, "
            f"{n_quarantined} quarantined"
        )
    reasons = verdict.reasons.drop_duplicates(["source_row", "rule"])["rule"].value_counts()
    registry = {i.id: i for i in project.indicators}
    outcome_registry = {o.id: o for o in project.outcomes}
    new_series = set(zip(loaded["indicator"], loaded["unit"], strict=True))
    superseded: list[int] = []
    superseded_names: list[str] = []
    dropped: list[str] = []
    if con is not None:
        active = _active_series(con)
        clash = active[
            [(i, u) in new_series for i, u in zip(active["indicator"], active["unit"], strict=True)]
        ]
        if not clash.empty:
            names = sorted(set(clash["file_name"]))
            series = sorted(
                {f"{i} ({u})" for i, u in zip(clash["indicator"], clash["unit"], strict=True)}
            )
            if not replace and not dry_run:
                raise ConfigError(
                    f"{file.name}: series {', '.join(series[:5])}"
                    f"{' …' if len(series) > 5 else ''} are already loaded from "
                    f"{', '.join(names)}. Hint: to load this file instead, run again with "
                    f"--replace (the earlier load stays in history)."
                )
            superseded = sorted({int(x) for x in clash["ingest_id"]})
            superseded_names = names
            others = active[active["ingest_id"].isin(superseded)]
            dropped = sorted(
                {
                    f"{i} ({u})"
                    for i, u in zip(others["indicator"], others["unit"], strict=True)
                    if (i, u) not in new_series
                }
            )
    report = IndicatorIngestReport(
        file_name=file.name,
        sha256=digest,
        status="dry_run" if dry_run else "loaded",
        rows_read=n_read,
        rows_loaded=n_loaded,
        rows_quarantined=n_quarantined,
        reasons={str(k): int(v) for k, v in reasons.items()},
        indicators=tuple(sorted(set(loaded["indicator"]))),
        ignored_columns=mapped.ignored_columns,
        gaps=tuple(
            gaps_in_series(loaded, registry) + subgroup_mismatches(loaded, outcome_registry)
        ),
        superseded=tuple(superseded_names),
        dropped_series=tuple(dropped),
    )
    if dry_run or con is None:
        return report
    with warehouse.transaction(con):
        ingest_id = warehouse.next_ingest_id(con)
        for old in superseded:
            con.execute(
                "UPDATE ingests SET superseded_by = ? WHERE ingest_id = ?", [ingest_id, old]
            )
        con.execute(
            "INSERT INTO ingests (ingest_id, sha256, file_name, kind, instrument, wave, profile, "
            "rows_read, rows_loaded, rows_quarantined, loaded_at, superseded_by) "
            "VALUES (?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?, NULL)",
            [
                ingest_id,
                digest,
                file.name,
                KIND,
                n_read,
                n_loaded,
                n_quarantined,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ],
        )
        is_outcome = loaded["indicator"].isin(list(outcome_registry))
        values = loaded.loc[
            ~is_outcome,
            ["indicator", "unit", "period", "period_start", "disaggregation", "value",
             "denominator", "source_row"],
        ].assign(ingest_id=ingest_id)  # fmt: skip
        values["period_start"] = values["period_start"].dt.date
        if not values.empty:
            warehouse.insert_frame(con, "indicator_values", values)
        counts = loaded.loc[
            is_outcome,
            ["indicator", "unit", "period", "period_start", "category", "disaggregation",
             "value", "source_row"],
        ].rename(columns={"indicator": "outcome"}).assign(ingest_id=ingest_id)  # fmt: skip
        counts["period_start"] = counts["period_start"].dt.date
        if not counts.empty:
            warehouse.insert_frame(con, "outcome_values", counts)
        q = verdict.reasons.rename(columns={"column": "column_name"})
        warehouse.insert_frame(
            con, "quarantine", q.assign(ingest_id=ingest_id, file_name=file.name)
        )
    return report


def read_indicator_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The active indicator values (superseded ingests left out); empty when none are loaded."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'indicator_values'"
    ).fetchone()
    columns = ["indicator", "unit", "period", "period_start", "disaggregation", "value",
               "denominator"]  # fmt: skip
    if not exists or not exists[0]:
        return pd.DataFrame(columns=columns)
    df = con.execute(
        f"SELECT {', '.join(columns)} FROM indicator_values WHERE ingest_id IN "
        f"(SELECT ingest_id FROM ingests WHERE superseded_by IS NULL AND kind = '{KIND}') "
        f"ORDER BY indicator, unit, disaggregation, period_start"
    ).df()
    df["period_start"] = pd.to_datetime(df["period_start"])
    return df


OUTCOME_VALUE_COLUMNS = ["outcome", "unit", "period", "period_start", "category", "disaggregation",
                         "value"]  # fmt: skip


def read_outcome_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The active outcome counts (superseded ingests left out); empty when none are loaded."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'outcome_values'"
    ).fetchone()
    if not exists or not exists[0]:
        return empty_outcome_values()
    df = con.execute(
        f"SELECT {', '.join(OUTCOME_VALUE_COLUMNS)} FROM outcome_values WHERE ingest_id IN "
        f"(SELECT ingest_id FROM ingests WHERE superseded_by IS NULL AND kind = '{KIND}') "
        f"ORDER BY outcome, unit, disaggregation, period_start, category"
    ).df()
    df["period_start"] = pd.to_datetime(df["period_start"])
    return df


def empty_outcome_values() -> pd.DataFrame:
    """An empty frame with the columns of :func:`read_outcome_values`."""
    return pd.DataFrame(
        {
            c: pd.Series(
                dtype="datetime64[ns]" if c == "period_start" else float if c == "value" else object
            )
            for c in OUTCOME_VALUE_COLUMNS
        }
    )
