"""The report stage: results in, the funder's report out.

1. **Sections.** Each declared kind's builder (:data:`reports.sections.SECTION_BUILDERS`) reads
   the results (:mod:`reports.results`) and returns its content.
2. **Figures.** Every figure the content names is drawn and saved
   (:class:`reports.writer.FigureDrawing`, in ``workers`` processes).
3. **Markdown.** The document (:mod:`reports.document`) arranges the nine sections, the narrative
   and the appendix; the writer saves ``report_<lang>.md``.
4. **Formats.** pandoc parses that one Markdown file once, while the figures are drawn; HTML,
   DOCX and PDF are written from the parsed document (:func:`reports.render.render_report`).
   Before that, the disclosure audit (:mod:`reports.disclosure.audit`) proves that no hidden
   count of any table can be worked out; a leak stops the report, naming the table and cell. Its
   record is written as ``disclosure_<lang>.json`` for ``impleval check-disclosure``.
5. **Manifest.** Hashes of every input and output, versions and settings, and where each
   table and figure comes from (:mod:`reports.provenance`; ``output/reports/manifest.json``, one
   entry per language). Each table of the appendix gets a line naming its source.

Every file is written atomically (:mod:`reports.writer`). ``progress(step, done, total)`` is told
about the long steps (``sections``, ``figures``, ``formats``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from instruments.spec import InstrumentSpec, project_instrument
from project.config import Project
from project.errors import ConfigError
from project.layout import ProjectPaths
from reports.content import (
    FigureBlock,
    Progress,
    ReportContext,
    SectionBuilder,
    SectionContent,
    Table,
)
from reports.disclosure import audit
from reports.disclosure.linear import Published
from reports.document import Cover, assemble_markdown
from reports.exports import (
    EXPORTS,
    export_tables,
    figure_entries,
    figure_exports,
    vector_drawings,
)
from reports.manifest import write_manifest
from reports.narrative import NarrativeAudit, audit_narrative
from reports.provenance import ingested_files, provenance_entries, with_source_lines
from reports.render import parse_markdown, render_report
from reports.resources import refuse_remote
from reports.results import Results
from reports.sections import SECTION_BUILDERS
from reports.sections.organisation import WHOLE_PREFIX, organisation_feedback
from reports.writer import FIGURE_DPI, FigureDrawing, remove_stale_temporaries, write_text

DEFAULT_WORKERS = 0
"""Processes that draw the figures; 0 chooses (:func:`figure_workers`)."""
#: From this many figures on, two processes draw them (where two cores are there).
FIGURES_FOR_TWO = 24


def figure_workers(requested: int, figures: int) -> int:
    """How many processes draw ``figures`` figures: ``requested`` when above 0; else the report's
    own process for fewer than :data:`FIGURES_FOR_TWO` (the example's 12: two processes were no
    faster on a 2-core machine, as pandoc parses the Markdown beside them, docs/architecture.md)
    and two for more where two cores are usable (10×, 30 figures: 30.3 → 23.1 s wall, CPU the
    same), never inside a daemon process (a Dask worker may not start children)."""
    if requested > 0:
        return requested
    if figures < FIGURES_FOR_TWO or multiprocessing.current_process().daemon:
        return 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(2, usable or 1))


def _given(folder: Path | None, default: Path) -> Path:
    return Path(folder) if folder is not None else default


@dataclass(frozen=True)
class ReportRequest:
    """What to render: the project and its folder, the language and formats, and where things
    are (each defaults to the project folder's layout, :class:`project.layout.ProjectPaths`);
    ``workers`` is the number of processes that draw the figures (1: the report's own process; 0:
    :func:`figure_workers` chooses)."""

    project: Project
    project_dir: Path
    lang: str | None = None
    formats: Sequence[str] | None = None
    results_dir: Path | None = None
    narrative_dir: Path | None = None
    out_dir: Path | None = None
    figures_dir: Path | None = None
    specs: Sequence[InstrumentSpec] | None = None
    report_date: dt.date | None = None
    workers: int = DEFAULT_WORKERS
    kind: str | None = None
    cutoff: dt.date | None = None
    organisation: str | None = None
    whole_results_dir: Path | None = None
    strict: bool = False

    @property
    def report_kind(self) -> str:
        return self.kind or self.project.report.kind

    @property
    def cover(self) -> Cover:
        return Cover(self.report_kind, self.date, self.cutoff, self.organisation)

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(Path(self.project_dir))

    @property
    def language(self) -> str:
        return self.lang or self.project.report.language

    @property
    def chosen_formats(self) -> tuple[str, ...]:
        return tuple(self.formats if self.formats is not None else self.project.report.formats)

    @property
    def results_folder(self) -> Path:
        return _given(self.results_dir, self.paths.results)

    @property
    def narrative_folder(self) -> Path:
        return _given(self.narrative_dir, self.paths.narrative)

    @property
    def out_folder(self) -> Path:
        return _given(self.out_dir, self.paths.reports)

    @property
    def figures_folder(self) -> Path:
        return _given(self.figures_dir, self.paths.figures)

    @property
    def date(self) -> dt.date:
        """The report's date: as asked, else the cut-off (so that a report with a cut-off is
        re-created as it was), else today."""
        return self.report_date or self.cutoff or dt.date.today()

    @property
    def reference_doc(self) -> Path | None:
        """``report.docx_template`` of project.yaml, relative to the project folder."""
        template = self.project.report.docx_template
        return None if template is None else Path(self.project_dir) / template

    def instrument_specs(self) -> tuple[InstrumentSpec, ...]:
        """The instruments whose survey results the report shows, in project order."""
        if self.specs is not None:
            return tuple(self.specs)
        root = Path(self.project_dir)
        return tuple(project_instrument(self.project, i, root) for i in self.project.instrument_ids)


@dataclass(frozen=True)
class Draft:
    """The report before anything is written: its Markdown and what it was made from."""

    markdown: str
    contents: tuple[SectionContent, ...]
    narrative: tuple[Path, ...]
    results: Results
    specs: tuple[InstrumentSpec, ...]
    gaps: NarrativeAudit = field(default_factory=NarrativeAudit)
    #: An organisation's report: the whole project's results its tables are set beside.
    whole: Results | None = None

    @property
    def figures(self) -> tuple[FigureBlock, ...]:
        return tuple(f for c in self.contents for f in c.figures)


@dataclass(frozen=True)
class ReportOutputs:
    """What :func:`build_report` wrote."""

    markdown: Path
    figures: tuple[Path, ...]
    html: Path | None = None
    docx: Path | None = None
    pdf: Path | None = None
    manifest: Path | None = None
    inputs: Mapping[str, Path] = field(default_factory=dict)
    gaps: NarrativeAudit = field(default_factory=NarrativeAudit)
    exports: tuple[Path, ...] = ()

    @property
    def files(self) -> list[Path]:
        """Every file written, the manifest last."""
        rendered = [p for p in (self.html, self.docx, self.pdf) if p is not None]
        tail = [self.manifest] if self.manifest is not None else []
        return [self.markdown, *self.figures, *rendered, *self.exports, *tail]


def collect_sections(
    context: ReportContext,
    builders: Sequence[SectionBuilder] = SECTION_BUILDERS,
    *,
    progress: Progress | None = None,
) -> list[SectionContent]:
    """The content of every builder whose kind the project declares, in the builders' order."""
    declared = [b for b in builders if b.is_declared(context.project)]
    contents: list[SectionContent] = []
    if progress:
        progress("sections", 0, len(declared))
    for done, builder in enumerate(declared, 1):
        contents += builder.build(context)
        if progress:
            progress("sections", done, len(declared))
    return contents


def draft_report(
    request: ReportRequest,
    *,
    builders: Sequence[SectionBuilder] = SECTION_BUILDERS,
    progress: Progress | None = None,
) -> Draft:
    """The report's Markdown and content, without writing a file."""
    gaps = audit_narrative(
        request.narrative_folder, lang=request.language, kind=request.report_kind
    )
    if request.strict and (gaps.missing or gaps.unknown):
        raise ConfigError(
            f"report (--strict): {'; '.join(gaps.lines())}. Hint: write the missing texts, or "
            f"leave out --strict to render with placeholders."
        )
    specs = request.instrument_specs()
    results = Results(request.results_folder)
    context = ReportContext(request.project, results, request.language, specs)
    contents = collect_sections(context, builders, progress=progress)
    whole = None
    if request.organisation is not None and request.whole_results_dir is not None:
        whole = Results(request.whole_results_dir)
        contents += organisation_feedback(context, whole, request.organisation)
    contents = with_source_lines(contents, context.strings)
    out_dir, figures_dir = request.out_folder, request.figures_folder

    def figure_ref(block: FigureBlock) -> str:
        return Path(os.path.relpath(figures_dir / f"{block.stem}.png", out_dir)).as_posix()

    markdown, narrative = assemble_markdown(
        request.project,
        lang=request.language,
        contents=contents,
        narrative_dir=request.narrative_folder,
        figure_ref=figure_ref,
        cover=request.cover,
    )
    return Draft(markdown, tuple(contents), tuple(narrative), results, specs, gaps, whole)


def published_tables(contents: Sequence[SectionContent]) -> list[Published]:
    """What every table of the report shows of its counts, named by caption, in order."""
    found = [
        (str(block.caption), record)
        for content in contents
        for block in content.blocks
        if isinstance(block, Table)
        for record in block.frame.attrs.get("published", [])
    ]
    return audit.name_tables(found)


def _audited(request: ReportRequest, draft: Draft) -> dict[str, object]:
    """The disclosure record of the draft, after its proof (raises DisclosureError on a leak)."""
    threshold = request.project.privacy.min_cell_size
    tables = published_tables(draft.contents)
    audit.fail_on_leaks(audit.audit(tables, threshold), f"report_{request.language}")
    return audit.record(tables, threshold)


def _spec_fingerprint(spec: InstrumentSpec) -> str:
    return hashlib.sha256(spec.model_dump_json().encode("utf-8")).hexdigest()


def _settings(request: ReportRequest, specs: Sequence[InstrumentSpec]) -> dict[str, Any]:
    project = request.project
    return {
        "project_id": project.id,
        "language": request.language,
        "formats": list(request.chosen_formats),
        "report_kind": request.report_kind,
        "report_date": request.date,
        "cutoff": request.cutoff,
        "organisation": request.organisation,
        "docx_template": project.report.docx_template,
        "min_cell_size": project.privacy.min_cell_size,
        "instruments": {
            spec.id: {
                "version": spec.version,
                "variant": spec.variant,
                "reverse": [i.id for i in spec.items if i.reverse],
                "spec_sha256": _spec_fingerprint(spec),
            }
            for spec in specs
        },
        "figure_dpi": FIGURE_DPI,
    }


def _inputs(request: ReportRequest, draft: Draft) -> dict[str, Path]:
    inputs = dict(draft.results.files)
    if draft.whole is not None:
        inputs |= {f"{WHOLE_PREFIX}{name}": path for name, path in draft.whole.files.items()}
    inputs |= {f"narrative/{p.name}": p for p in draft.narrative}
    project_file = Path(request.project_dir) / "project.yaml"
    if project_file.is_file():
        inputs["project.yaml"] = project_file
    if request.reference_doc is not None:
        inputs[str(request.project.report.docx_template)] = request.reference_doc
    return inputs


def build_report(
    request: ReportRequest,
    *,
    builders: Sequence[SectionBuilder] = SECTION_BUILDERS,
    progress: Progress | None = None,
) -> ReportOutputs:
    """Write the figures, the Markdown, the rendered formats and the manifest.

    Raises
    ------
    ResultsFileError
        A results file lacks a column of the contract or cannot be read.
    RenderError
        pandoc or typst failed.
    """
    out_dir, figures_dir = request.out_folder, request.figures_folder
    remove_stale_temporaries(out_dir, figures_dir, out_dir / EXPORTS)
    draft = draft_report(request, builders=builders, progress=progress)
    checked = _audited(request, draft)
    formats = request.chosen_formats
    vector = figure_exports(draft.contents, out_dir, lang=request.language)
    drawing_ = FigureDrawing(
        draft.figures,
        figures_dir,
        workers=figure_workers(request.workers, len(draft.figures)),
        exports=vector,
    )
    with drawing_ as drawing:
        md_path = write_text(out_dir / f"report_{request.language}.md", draft.markdown)
        record = write_text(
            out_dir / audit.record_name(request.language),
            json.dumps(checked, ensure_ascii=False, indent=1) + "\n",
        )
        # pandoc parses the Markdown (it needs no figure) while the workers draw the figures
        with ThreadPoolExecutor(max_workers=1) as side:
            ast = side.submit(parse_markdown, md_path) if formats else None
            figures = drawing.wait(progress)
            tree = ast.result() if ast is not None else None
    if tree is not None:  # one line naming the file, before any format is written
        refuse_remote(tree, md_path, draft.narrative)
    rendered = render_report(
        md_path,
        formats=formats,
        lang=request.language,
        reference_doc=request.reference_doc,
        progress=progress,
        ast=tree,
        report_date=request.date,
        vector=vector_drawings(figures, vector),
    )
    ingested = ingested_files(draft.results)
    inputs = _inputs(request, draft)
    project_dir = Path(request.project_dir)
    sources = provenance_entries(draft.contents, inputs, ingested, project_dir=project_dir)
    exports = [
        *export_tables(draft.contents, out_dir, lang=request.language, day=request.date),
        *figure_entries(draft.contents, vector),
    ]
    exported = [f for e in exports for f in e.files]
    manifest = write_manifest(
        out_dir,
        inputs=inputs,
        settings=_settings(request, draft.specs)
        | {"narrative": draft.gaps.as_dict(), "exports": [e.entry() for e in exports]},
        outputs=[md_path, record, *figures.values(), *rendered.values(), *exported],
        project_dir=project_dir,
        entry=request.language,
        sources=sources,
    )
    return ReportOutputs(
        markdown=md_path,
        figures=tuple(figures.values()),
        html=rendered.get("html"),
        docx=rendered.get("docx"),
        pdf=rendered.get("pdf"),
        manifest=manifest,
        inputs=inputs,
        gaps=draft.gaps,
        exports=tuple(exported),
    )
