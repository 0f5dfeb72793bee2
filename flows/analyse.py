"""Stage ``analyse``: every kind the project declares, from the store's active data to the results
tables (``output/results/``), checked against the results contract.

Methods, in order: the store's ingest accounting; per survey instrument its scale scores,
reliability, item statistics, change between waves, group comparisons, response rates and
normalisation profile (:mod:`analysis.survey`); the indicators' interrupted time series,
before/after comparisons, goals, project logic and participant outcomes
(:mod:`analysis.indicators`); the interviews' code frequencies, co-occurrence, inter-coder
agreement and quotes (:mod:`analysis.codings`). The kinds come from the registry
(:mod:`ingest.kinds`); a kind the project does not declare is skipped. The statistics are pure
functions; this module only reads, calls them and writes.

The work is cut into **units** (:class:`flows.executors.Call`): per survey instrument × wave ×
breakdown the reliability (α, ω and its bootstrap, the costliest statistic), per instrument the
other survey tables, per indicator × unit an ITS fit, the interviews' tables. Each unit gets the
part of the store it needs (a partitioned read) and returns its tables; an executor runs them —
in this process (the embedded default) or on a Dask cluster (``impleval run --dask``) — and
hands them back in the plan's order, so the tables written are the same wherever they ran.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.codings import analyse_codings
from analysis.columns import stack_results, stack_tables
from analysis.cut import (
    DataCut,
    cut_codings,
    cut_indicator_values,
    cut_ingest_accounting,
    cut_project,
    cut_survey,
)
from analysis.indicators import analyse_indicators, its_plan, its_unit, series_with_totals
from analysis.survey import (
    BREAKDOWNS,
    analyse_survey,
    project_omega_interval,
    reliability_part,
    stack_reliability,
    wave_comparison_part,
    wave_comparison_scales,
    wave_frames,
)
from flows.executors import Call, Executor, InProcess, one_blas_thread
from flows.units import SurveyPart, with_frames
from ingest.kinds import KINDS
from instruments.spec import project_instrument
from project.config import Project, load_project
from project.layout import ProjectPaths
from store import outreach, reads, warehouse
from store.results import ingest_accounting, write_results

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from instruments.spec import InstrumentSpec

Tables = dict[str, "pd.DataFrame"]
Progress = Callable[[str, int, int], None]


WHOLE = DataCut()


@dataclass
class KindPlan:
    """A kind's units and how their results become its tables."""

    calls: list[Call] = field(default_factory=list)
    assemble: Callable[[list[Any]], Tables] = lambda results: {}


def _store_accounting(
    paths: ProjectPaths, project: Project, executor: Executor, cut: DataCut
) -> KindPlan:
    with warehouse.open_reader(paths.warehouse) as con:
        tables = ingest_accounting(con)
    tables = cut_ingest_accounting(tables, project=project, cut=cut)
    return KindPlan(assemble=lambda results: tables)


def _wave_frames(
    con: duckdb.DuckDBPyConnection, spec: InstrumentSpec, wide: pd.DataFrame, cut: DataCut
) -> list[tuple[str, pd.DataFrame]]:
    """Each wave's wide frame, waves sorted: read apart from the store for the whole data; taken
    from the cut ``wide`` frame otherwise (the cut is applied to the whole frame)."""
    if cut.is_whole:
        waves = reads.survey_waves(con, spec.id)
        return [(w, reads.read_survey_frames(con, spec, wave=w)[0]) for w in waves]
    return wave_frames(wide)


@dataclass
class _Frames:
    """An instrument's frames as its units take them: each a frame read here (and shared), or
    a :class:`SurveyPart` the unit reads itself; ``sizes`` the respondents per wave (costs)."""

    wide: Any
    long: Any
    waves: list[tuple[str, Any]]
    sizes: dict[str, int]
    own: SurveyPart | None = None

    def call(
        self, name: str, function: Callable[..., Any], frames: Any, *args: Any, **kw: Any
    ) -> Call:
        """A unit of ``function(*frames, *args, **kw)``: the frames given, or read by the unit."""
        cost = float(kw.pop("cost", 0.0))
        if isinstance(part := frames[0], SurveyPart):
            picks = (0, 1) if len(frames) == 2 else (0,)
            group = f"survey {part.spec.id} {part.wave or '*'}"
            return Call(name, with_frames, (part, function, picks, *args), kw, cost, group)
        return Call(name, function, (*frames, *args), kw, cost)


def _frames(
    con: duckdb.DuckDBPyConnection,
    spec: InstrumentSpec,
    project: Project,
    executor: Executor,
    cut: DataCut,
    store: Path | None,
) -> _Frames:
    """The whole data to workers that read the store (``store``): descriptions; else the frames
    read here (within ``cut``) and shared."""
    sizes = reads.survey_wave_sizes(con, spec.id)
    if store is not None and cut.is_whole:
        part = SurveyPart(str(store), spec, warehouse.data_version(con), as_of=reads.read_as_of())
        waves = [(w, replace(part, wave=w)) for w in reads.survey_waves(con, spec.id)]
        return _Frames(part, part, waves, sizes, own=part)
    wide, long = reads.read_survey_frames(con, spec)
    if not cut.is_whole:
        wide, long = cut_survey(wide, long, project=project, instrument=spec.id, cut=cut)
    waves = [(w, executor.share(f)) for w, f in _wave_frames(con, spec, wide, cut)]
    return _Frames(executor.share(wide), long, waves, sizes)


#: How long a breakdown's reliability runs against the whole wave's (ω's bootstrap per group).
_BREAKDOWN_COST = {None: 1.0, "staff_group": 2.0, "organisation": 4.0}


def _instrument(
    con: duckdb.DuckDBPyConnection,
    spec: InstrumentSpec,
    project: Project,
    executor: Executor,
    cut: DataCut,
    store: Path | None = None,
) -> KindPlan:
    """One instrument's units: every table but two; ``wave_comparison`` per scale (mixed
    models); ``reliability`` per wave × breakdown (α, ω and ω's bootstrap), each unit with the
    one wave it needs. The data within ``cut``, analysed for the project as the cut sees it;
    read by the units themselves when ``store`` is given (:mod:`flows.units`)."""
    got = _frames(con, spec, project, executor, cut, store)
    seen = cut_project(project, cut)
    shared = executor.share(seen)  # ~0.4 MB pickled: sent once, not with every unit
    apart = ("reliability", "wave_comparison")
    options = {
        "spec": spec,
        "project": shared,
        "apart": apart,
        "roster_invited": outreach.roster_invited(con, spec.id),
    }
    total = sum(got.sizes.values())
    first = got.call(f"survey {spec.id}", analyse_survey, (got.wide, got.long), **options)
    plan = KindPlan([replace(first, cost=total)])
    scales = wave_comparison_scales(spec)
    for scale in scales:
        name = f"wave comparison {spec.id} {scale}"
        options = {"project": shared, "scale": scale, "cost": total / 4}
        plan.calls.append(got.call(name, wave_comparison_part, (got.wide,), spec, **options))
    interval, min_n = project_omega_interval(seen), seen.survey.reliability_min_n
    keys = []
    for wave, frame in got.waves:
        for breakdown in (None, *BREAKDOWNS):
            cost = got.sizes.get(wave, 0) * _BREAKDOWN_COST.get(breakdown, 2.0)
            options = {"breakdown": breakdown, "min_n": min_n, "omega_interval": interval}
            name = f"reliability {spec.id} {wave} {breakdown or 'all'}"
            plan.calls.append(
                got.call(name, reliability_part, (frame,), spec, **options, cost=cost)
            )
            keys.append((breakdown, wave))

    def assemble(results: list[Any]) -> Tables:
        tables = dict(results[0])
        tables["wave_comparison"] = stack_tables("wave_comparison", results[1 : 1 + len(scales)])
        parts = dict(zip(keys, results[1 + len(scales) :], strict=True))
        tables["reliability"] = stack_reliability(parts)
        return tables

    plan.assemble = assemble
    return plan


def _survey(paths: ProjectPaths, project: Project, executor: Executor, cut: DataCut) -> KindPlan:
    """The units of every instrument; its tables stacked instrument by instrument. Planned for
    workers that read the store when the executor's may; planned again as for this process when
    their work is below the cluster's break-even (the plan of workers costs next to nothing)."""
    specs = [project_instrument(project, i, paths.root) for i in project.instrument_ids]
    whole = paths.warehouse.resolve()
    reading = whole.is_file() and cut.is_whole and executor.reads_store(whole)
    store = whole if reading else None
    with warehouse.open_reader(paths.warehouse) as con:
        plans = [_instrument(con, spec, project, executor, cut, store) for spec in specs]
        work = sum(call.cost for plan in plans for call in plan.calls)
        if store is not None and not executor.expect(work):  # below a cluster's break-even:
            # the units run here, planned as embedded (the frames read once, here)
            plans = [_instrument(con, spec, project, executor, cut) for spec in specs]

    def assemble(results: list[Any]) -> Tables:
        return stack_results(_assemble(plans, results), kind="survey")

    return KindPlan([call for plan in plans for call in plan.calls], assemble)


def _indicators(
    paths: ProjectPaths, project: Project, executor: Executor, cut: DataCut
) -> KindPlan:
    """One unit per ITS fit (indicator × unit: its series and its control's); the summaries,
    goals, logic and outcomes from the fits and the whole (small) tables. Every read within
    ``cut``; the fits of the series with totals within it."""
    seen = cut_project(project, cut)

    def within(frame: pd.DataFrame, kind: str = "indicator") -> pd.DataFrame:
        if cut.is_whole:
            return frame
        return cut_indicator_values(frame, project=project, cut=cut, kind=kind)

    with warehouse.open_reader(paths.warehouse) as con:
        values = within(reads.read_indicator_values(con))
        counts = within(reads.read_outcome_values(con), "outcome")
        series = reads.indicator_series(con) if cut.is_whole else series_with_totals(values)
        fits = its_plan(series, seen)
        shared = executor.share(seen) if fits else seen  # sent once, not with each of ~900 fits
        calls = [
            Call(
                f"its {fit.indicator} {fit.unit}",
                its_unit,
                (within(reads.read_indicator_values(con, series=fit.reads)), fit),
                {"project": shared},
            )
            for fit in fits
        ]
    return KindPlan(
        calls,
        lambda results: analyse_indicators(values, counts, project=seen, its=results),
    )


def _codings(paths: ProjectPaths, project: Project, executor: Executor, cut: DataCut) -> KindPlan:
    with warehouse.open_reader(paths.warehouse) as con:
        codings, documents = reads.read_active_codings(con)
    if not cut.is_whole:
        codings, documents = cut_codings(codings, documents, project=project, cut=cut)
    options = {"project": cut_project(project, cut)}
    # about as long per coding as a survey's tables per respondent (the costs' unit)
    call = Call("codings", analyse_codings, (codings, documents), options, float(len(codings)))
    return KindPlan([call], lambda results: results[0])


#: How each kind of the registry is analysed: read its active data (within the cut: the data up
#: to a cut-off, of one organisation, :mod:`analysis.cut`), cut it into units (``ingest``: the
#: store's own accounting of what was loaded and quarantined, no unit).
PLANS: dict[str, Callable[[ProjectPaths, Project, Executor, DataCut], KindPlan]] = {
    "ingest": _store_accounting,
    "survey": _survey,
    "indicators": _indicators,
    "codings": _codings,
}


def analysed_kinds(project: Project) -> list[str]:
    """The kinds the analysis treats for this project: the store's accounting, then the
    registry's kinds in order."""
    return ["ingest", *(kind.name for kind in KINDS if kind.analysed(project))]


def _assemble(plans: Sequence[KindPlan], results: Sequence[Any]) -> list[Tables]:
    """Each plan's tables from its share of ``results`` (the plans' calls, in order)."""
    out, at = [], 0
    for plan in plans:
        out.append(plan.assemble(list(results[at : at + len(plan.calls)])))
        at += len(plan.calls)
    return out


def _analyse(
    paths: ProjectPaths,
    project: Project,
    kinds: Sequence[str],
    executor: Executor,
    cut: DataCut,
    progress: Progress | None = None,
) -> Tables:
    """Every unit of ``kinds`` (the data within ``cut``) run by ``executor`` at once, then each
    kind's tables in turn. The plan is made before any cluster is started (its shared values
    are stand-ins until then); the executor is told the work planned (the units' costs)."""
    plans: list[KindPlan] = []
    for kind in kinds:  # the survey, costliest, first: a cluster worth it starts meanwhile
        plans.append(PLANS[kind](paths, project, executor, cut))
        executor.expect(sum(call.cost for plan in plans for call in plan.calls))
    calls = [call for plan in plans for call in plan.calls]
    # the planned work in respondent rows: a cluster below its break-even is not started
    results = executor.run(calls, progress=progress, work=sum(call.cost for call in calls))
    tables: Tables = {}
    with one_blas_thread():  # what is computed from the units' results, as they are
        for part in _assemble(plans, results):
            tables |= part
    return tables


def results_of(project_dir: Path, kind: str) -> Tables:
    """The results tables of one kind, read from the store and analysed in this process
    (nothing written); ``{}`` when project.yaml does not declare the kind."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    if kind not in analysed_kinds(project):
        return {}
    return _analyse(paths, project, [kind], InProcess(), WHOLE)


def analyse_project(
    paths: ProjectPaths,
    project: Project,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    cut: DataCut = WHOLE,
    results_dir: Path | None = None,
    skip: Collection[str] = (),
) -> list[Path]:
    """Analyse every declared kind (but those in ``skip``) and write its results tables (see the
    module docstring): the whole data to ``output/results/``, or the data within ``cut`` to
    ``results_dir``. The units run in this process unless ``executor`` says otherwise."""
    kinds = [k for k in analysed_kinds(project) if k not in skip]
    tables = _analyse(paths, project, kinds, executor or InProcess(), cut, progress)
    if progress:
        progress("write results", 1, 1)
    return write_results(results_dir or paths.results, tables)
