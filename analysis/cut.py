"""What a report is computed from: the data up to a cut-off date, and optionally one organisation's.

An interim or follow-up report is computed from the data up to its cut-off (``impleval report
--cutoff``): survey waves that closed by then and answers submitted by then, indicator and
outcome periods that ended by then, interview rounds that ended by then. A per-organisation
report (``impleval report --for``) is computed from the answers of that organisation's staff and
the indicator series of its units. The store's reads decide which ingests count (as of
``--as-of``, :func:`store.reads.store_as_of`); this module filters the frames they return.

Nothing here reads files, prints or changes its arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from project.config import Project, Wave

__all__ = [
    "DataCut",
    "cut_codings",
    "cut_indicator_values",
    "cut_ingest_accounting",
    "cut_project",
    "cut_survey",
    "period_end",
]


@dataclass(frozen=True)
class DataCut:
    """The data a report may use: up to ``cutoff`` (``None``: all), of ``organisation`` (an
    organisation id; ``None``: the whole project)."""

    cutoff: dt.date | None = None
    organisation: str | None = None

    @property
    def is_whole(self) -> bool:
        return self.cutoff is None and self.organisation is None


def period_end(start: pd.Series, frequency: str) -> pd.Series:
    """The last day of each period that starts on ``start``.

    >>> period_end(pd.Series(pd.to_datetime(["2018-01-01", "2018-04-01"])), "quarter").tolist()
    [Timestamp('2018-03-31 00:00:00'), Timestamp('2018-06-30 00:00:00')]
    """
    months = {"month": 1, "quarter": 3, "year": 12}[frequency]
    return pd.to_datetime(start) + pd.DateOffset(months=months) - pd.DateOffset(days=1)


def _wave_in_cut(wave: Wave, cutoff: dt.date | None) -> bool:
    return cutoff is None or wave.closes <= cutoff


def cut_survey(
    wide: pd.DataFrame, long: pd.DataFrame, *, project: Project, instrument: str, cut: DataCut
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One instrument's answers within the cut: waves closed by the cut-off, answers submitted by
    then (a missing submission time counts as within its wave), the organisation's staff."""
    keep = pd.Series(True, index=wide.index)
    if cut.cutoff is not None:
        waves = {w.id for w in project.waves if w.instrument == instrument}
        closed = {w.id for w in project.waves if w.id in waves and _wave_in_cut(w, cut.cutoff)}
        keep &= wide["wave"].isin(closed)
        submitted = pd.to_datetime(wide["submitted_at"], errors="coerce")
        limit = pd.Timestamp(cut.cutoff) + pd.Timedelta(days=1)
        keep &= submitted.isna() | (submitted < limit)
    if cut.organisation is not None:
        keep &= wide["organisation"] == cut.organisation
    kept = wide.loc[keep].reset_index(drop=True)
    pairs = pd.MultiIndex.from_frame(kept[["wave", "respondent_id"]])
    in_long = pd.MultiIndex.from_frame(long[["wave", "respondent_id"]]).isin(pairs)
    return kept, long.loc[in_long].reset_index(drop=True)


def _units_of(project: Project, organisation: str) -> set[str]:
    units = {organisation}
    for org in project.organisations:
        if org.id == organisation:
            units |= {u.id for u in org.units}
    return units


def cut_indicator_values(
    values: pd.DataFrame, *, project: Project, cut: DataCut, kind: str = "indicator"
) -> pd.DataFrame:
    """Indicator values (``kind="indicator"``) or outcome counts (``kind="outcome"``) within the
    cut: periods that ended by the cut-off; for an organisation, the series of its units (the
    organisation's id or one of its units' ids in the ``unit`` column)."""
    keep = pd.Series(True, index=values.index)
    if cut.cutoff is not None and not values.empty:
        registry = project.indicators if kind == "indicator" else project.outcomes
        frequency = {i.id: i.frequency for i in registry}
        ends = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        for ident, freq in frequency.items():
            mine = values[kind] == ident
            ends[mine] = period_end(values.loc[mine, "period_start"], freq)
        keep &= ends.notna() & (ends <= pd.Timestamp(cut.cutoff))
    if cut.organisation is not None:
        keep &= values["unit"].isin(_units_of(project, cut.organisation))
    return values.loc[keep].reset_index(drop=True)


def cut_codings(
    codings: pd.DataFrame, documents: pd.DataFrame, *, project: Project, cut: DataCut
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interview codings within the cut: rounds that ended by the cut-off (a round without an end
    counts from its start; one without dates is kept). Codings are not per organisation: a
    per-organisation report keeps them all (they describe the project)."""
    if cut.cutoff is None or project.interviews is None:
        return codings, documents
    later = {
        r.id
        for r in project.interviews.rounds
        if (r.end or r.start) is not None and (r.end or r.start) > cut.cutoff  # type: ignore[operator]
    }
    return (
        codings.loc[~codings["round_id"].isin(later)].reset_index(drop=True),
        documents.loc[~documents["round_id"].isin(later)].reset_index(drop=True),
    )


def _organisation_invited(wave: Wave, organisation: str) -> dict[str, object]:
    counts = [c for c in wave.invited_by if c.organisation == organisation]
    whole = [c.invited for c in counts if c.staff_group is None]
    total = whole[0] if whole else (sum(c.invited for c in counts) or None)
    return {"invited": total, "invited_by": tuple(c for c in counts if c.staff_group is not None)}


def cut_project(project: Project, cut: DataCut) -> Project:
    """The project as the analysis and the report of the cut see it: only the waves closed by the
    cut-off; for an organisation, each wave's invited count is that organisation's (unknown when
    project.yaml does not break it down)."""
    if cut.is_whole:
        return project
    waves = tuple(w for w in project.waves if _wave_in_cut(w, cut.cutoff))
    update: dict[str, object] = {"waves": waves}
    if cut.organisation is not None:
        org = cut.organisation
        update["waves"] = tuple(w.model_copy(update=_organisation_invited(w, org)) for w in waves)
        # feedback to an organisation gives omega without its bootstrap interval (the whole
        # project's report has it): a thousand resamples per scale and wave for each
        # organisation would make `--for all` take many minutes
        update["survey"] = project.survey.model_copy(update={"omega_bootstrap_samples": 0})
    return project.model_copy(update=update)


def cut_ingest_accounting(
    tables: dict[str, pd.DataFrame], *, project: Project, cut: DataCut
) -> dict[str, pd.DataFrame]:
    """The store's accounting (``ingest_summary``, ``quarantine_reasons``) without the survey
    waves the cut leaves out (indicator and coding files stay: their rows are cut by period)."""
    if cut.cutoff is None:
        return tables
    later = {(w.instrument, w.id) for w in project.waves if not _wave_in_cut(w, cut.cutoff)}
    out = {}
    for name, frame in tables.items():
        pairs = list(zip(frame["instrument"], frame["wave"], strict=True))
        out[name] = frame.loc[[p not in later for p in pairs]].reset_index(drop=True)
    return out
