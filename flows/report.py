"""Stage ``report``: figures, the report's Markdown, HTML/PDF/DOCX and the manifest, from the
results files (:mod:`reports.build`).

The plain report (``impleval run``, ``impleval report``) reads the analyse stage's results and is
written to ``output/reports/``. A report with a cut-off (``--kind interim --cutoff 2018-06-30``)
or for an organisation (``--for hosp_alvstad``, ``--for all``) is computed from its own cut of
the data (:mod:`analysis.cut`): the analysis runs again on the store's data up to the cut-off
(and of the organisation), as the store stood at ``--as-of`` when given, into the report's own
folder: ``output/reports/<kind>-<cutoff>/`` (``results/``, ``figures/`` and the report), and
``organisations/<org-id>/`` under it (or under ``output/reports/``) per organisation. Its date is
``--as-of`` or the cut-off, so the same command re-creates the same report later.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.cut import DataCut, cut_project
from flows.executors import Call, Executor, InProcess
from project.config import Project, load_project
from project.errors import ConfigError
from project.layout import ProjectPaths

if TYPE_CHECKING:
    from flows.settings import RunSettings
    from reports.content import Progress

ALL_ORGANISATIONS = "all"


@dataclass(frozen=True)
class ReportPlan:
    """Where one report's data, results and files are."""

    cut: DataCut
    kind: str
    out_dir: Path
    whole_results: Path | None = None
    """The whole project's results for the same cut-off, beside which an organisation's are shown."""

    @property
    def results_dir(self) -> Path:
        return self.out_dir / "results"

    @property
    def figures_dir(self) -> Path:
        return self.out_dir / "figures"


def _kind(project: Project, settings: RunSettings) -> str:
    """The report's kind: ``--kind``, else ``report.kind`` (which, without a cut-off, names the
    plain report of all data, as ``impleval run`` writes it)."""
    kind = settings.kind or project.report.kind
    if settings.kind in ("interim", "followup") and settings.cutoff is None:
        raise ConfigError(
            f"--kind {kind}: a {kind} report needs --cutoff DATE, the last day of data it uses "
            f"(e.g. --cutoff 2018-06-30), so that it can be re-created as it was."
        )
    return str(kind)


def _organisations(project: Project, wanted: str | None) -> list[str | None]:
    if wanted is None:
        return [None]
    known = [o.id for o in project.organisations]
    if wanted == ALL_ORGANISATIONS:
        if not known:
            raise ConfigError(
                "--for all: project.yaml declares no organisations. Hint: list them under "
                "organisations, or leave out --for."
            )
        return list(known)
    if wanted not in known:
        raise ConfigError(
            f"--for: organisation {wanted!r} is not declared in project.yaml. Expected one of "
            f"{', '.join(known) or '(none)'}, or all."
        )
    return [wanted]


def report_plans(paths: ProjectPaths, project: Project, settings: RunSettings) -> list[ReportPlan]:
    """The reports one ``impleval report`` writes: the whole project's, or one per organisation
    (beside the whole project's results for the same cut-off)."""
    kind = _kind(project, settings)
    cutoff = settings.cutoff
    cut_whole = cutoff is not None or settings.as_of is not None or kind != project.report.kind
    base = paths.reports / f"{kind}-{cutoff.isoformat()}" if cutoff else paths.reports
    if cut_whole and cutoff is None:
        base = paths.reports / kind
    whole = ReportPlan(DataCut(cutoff), kind, base)
    organisations = _organisations(project, settings.organisation)
    if organisations == [None]:
        return [whole]
    whole_results = whole.results_dir if cut_whole else paths.results
    return [
        ReportPlan(DataCut(cutoff, org), kind, base / "organisations" / str(org), whole_results)
        for org in organisations
    ]


def _moment(as_of: dt.date | None) -> dt.datetime | None:
    """The end of the ``--as-of`` day: ingests loaded that day count."""
    return None if as_of is None else dt.datetime.combine(as_of, dt.time.max)


def _analyse(paths: ProjectPaths, project: Project, plan: ReportPlan, executor: Executor) -> None:
    """The results of the plan's cut; an organisation's report shares the whole project's
    interview results (codings are not per organisation), copied rather than computed again."""
    from analysis.columns import tables_of
    from flows.analyse import analyse_project
    from reports.writer import atomic_path

    per_organisation = plan.cut.organisation is not None and plan.whole_results is not None
    skip = ("codings",) if per_organisation else ()
    analyse_project(
        paths, project, cut=plan.cut, results_dir=plan.results_dir, skip=skip, executor=executor
    )
    if per_organisation and plan.whole_results is not None:
        for name in tables_of("codings"):
            source = plan.whole_results / f"{name}.csv"
            if source.is_file():
                with atomic_path(plan.results_dir / source.name) as tmp:
                    shutil.copyfile(source, tmp)


@dataclass(frozen=True)
class Rendered:
    """What one report unit wrote (in writing order) and the narrative's gaps, one per line."""

    files: list[Path]
    gaps: list[str]


def render_plan(
    project_dir: Path,
    settings: RunSettings,
    plan: ReportPlan,
    *,
    progress: Progress | None = None,
) -> Rendered:
    """One report unit: the report of a plan whose results are written (by :func:`write_report`),
    to ``plan.out_dir``. Runs in this process or on a Dask worker (which then needs the project
    folder at the same path); it reads results files and the project's files, not the store."""
    from reports.build import ReportRequest, build_report

    paths = ProjectPaths(Path(project_dir))
    seen = cut_project(load_project(paths.root), plan.cut)
    kind_of = seen.report.model_copy(update={"kind": plan.kind})
    own = plan.cut.cutoff is not None or plan.cut.organisation is not None
    request = ReportRequest(
        project=seen.model_copy(update={"report": kind_of}),
        project_dir=paths.root,
        lang=settings.lang,
        formats=settings.formats,
        results_dir=plan.results_dir if own or settings.as_of else None,
        out_dir=plan.out_dir,
        figures_dir=plan.figures_dir if plan.out_dir != paths.reports else None,
        report_date=settings.as_of or settings.cutoff,
        kind=plan.kind,
        cutoff=plan.cut.cutoff,
        organisation=plan.cut.organisation,
        whole_results_dir=plan.whole_results,
        strict=settings.strict,
    )
    outputs = build_report(request, progress=progress)
    return Rendered(list(outputs.files), list(outputs.gaps.lines()))


def write_report(
    project_dir: Path,
    *,
    settings: RunSettings,
    progress: Progress | None = None,
    say: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> list[Path]:
    """Render the report(s) in ``settings.lang`` and ``settings.formats`` (see the module
    docstring). ``progress(step, done, total)`` is told about the long steps; ``say`` gets a
    line for each gap of the narrative (missing sections, unknown files).

    The analyses of the reports' cuts are read from the store here (their units run on
    ``executor``); then, when there are several (one per organisation with ``--for all``), each
    report is one unit of ``executor``: rendered in this process by default, on a Dask cluster's
    workers otherwise; the files are listed in the plans' order wherever they were written. A
    single report is rendered in this process (a remote worker may not see the project folder)."""
    from store.reads import store_as_of

    executor = executor or InProcess()
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    plans = report_plans(paths, project, settings)
    whole = plans[0].whole_results
    frozen = store_as_of(_moment(settings.as_of)) if settings.as_of else nullcontext()
    with frozen:  # the store is read here (this process holds the project), the units read files
        if whole is not None and whole != paths.results:
            from flows.analyse import analyse_project  # here: the report alone needs none of it

            cut = DataCut(settings.cutoff)
            analyse_project(paths, project, cut=cut, results_dir=whole, executor=executor)
        for plan in plans:
            own = plan.cut.cutoff is not None or plan.cut.organisation is not None
            if own or settings.as_of is not None:
                _analyse(paths, project, plan, executor)
    renderer = executor if len(plans) > 1 else InProcess()  # one report: rendered right here
    embedded = isinstance(renderer, InProcess)
    calls = [
        Call(
            f"report {plan.cut.organisation or plan.kind}",
            render_plan,
            (paths.root, settings, plan),
            {"progress": progress} if embedded else {},
        )
        for plan in plans
    ]
    rendered: list[Rendered] = renderer.run(calls, progress=None if embedded else progress)
    if say is not None:
        for line in rendered[0].gaps:
            say(f"  {line}")
    return [path for unit in rendered for path in unit.files]
