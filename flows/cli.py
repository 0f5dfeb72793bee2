"""The ``impleval`` command line.

Heavy libraries (Prefect, great-expectations, pandas, matplotlib) are imported inside the commands
that need them, so ``impleval --help``, ``impleval --version`` and an up-to-date ``impleval run``
answer at once. Usage errors (an unknown command, option or choice) are one line with the nearest
valid spelling (see :mod:`flows.cli_errors`); every command's help ends with a worked example that
runs on the demo project.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.cli_dask import DaskAlwaysOpt, DaskOpt, check_dask
from flows.cli_disclosure import check_disclosure
from flows.cli_errors import (
    Commands,
    UsageError,
    choice,
    choices_metavar,
    parse_date,
    usage_line,
)
from flows.cli_release import release_app
from flows.cli_version import print_version
from flows.cli_waves import register as register_waves
from ingest.kinds import KIND_NAMES
from project.errors import PipelineError

if TYPE_CHECKING:
    from flows.settings import RunSettings
    from ingest.report import IngestReport

app = typer.Typer(
    name="impleval",
    help="Implementation evaluation: surveys in, validated data, statistics and funder reports "
    "out. Start with `impleval demo impleval-demo` (a synthetic example project, run end to "
    "end) or `impleval init my-evaluation` (a new project folder).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=Commands,
    suggest_commands=False,
)

_HERE = Path(__file__).resolve().parent
EXAMPLE = next(
    (
        folder
        for folder in (
            _HERE / "examples" / "discharge-planning",  # an installed wheel ships it here
            _HERE.parent / "examples" / "discharge-planning",  # a checkout of the repository
        )
        if (folder / "project.yaml").is_file()
    ),
    _HERE.parent / "examples" / "discharge-planning",
)
DEMO_MARKER = ".impleval-demo"
FORMATS = ("html", "pdf", "docx")
LANGUAGES = ("sv", "en")
STAGE_NAMES = ("ingest", "analyse", "report")
INGEST_KINDS: tuple[str, ...] = KIND_NAMES
"""What ``impleval ingest --kind`` takes: the names of the kind registry (``ingest/kinds.py``)."""

ProjectOpt = Annotated[
    Path, typer.Option("--project", "-p", help="The project folder (holds project.yaml).")
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        parser=choice(LANGUAGES, what="language"),
        metavar=choices_metavar(LANGUAGES),
        help="Report language, one of sv, en (default: report.language in project.yaml).",
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        parser=choice(FORMATS, what="format", many=True),
        metavar="html,pdf,docx",
        help="One or more of html, pdf, docx, comma-separated (default: report.formats in "
        "project.yaml).",
    ),
]


def _echo(line: str) -> None:
    typer.echo(line)


def _report_settings(project_dir: Path, lang: str | None, formats: str | None) -> RunSettings:
    from flows.settings import RunSettings
    from project.config import load_project

    return RunSettings.for_project(load_project(project_dir), lang=lang, formats=formats)


def _run(
    project_dir: Path,
    *,
    force: bool,
    only: str | None,
    settings: RunSettings,
    dask: str | None = None,
    dask_always: bool = False,
    remember: bool = False,
) -> None:
    from flows.run import run_project

    run_project(
        project_dir,
        settings,
        force=force,
        only=only,
        dask=dask,
        dask_always=dask_always,
        remember=remember,
    )


def _report_paths(project_dir: Path, settings: RunSettings) -> list[Path]:
    from project.layout import ProjectPaths

    reports = ProjectPaths(project_dir).reports
    return [reports / f"report_{settings.lang}.{fmt}" for fmt in settings.formats]


def _echo_reports(project_dir: Path, settings: RunSettings, *, heading: str = "Reports:") -> None:
    """Say where the reports are (those that exist), one path a line."""
    found = [path for path in _report_paths(project_dir, settings) if path.is_file()]
    if found:
        _echo(heading)
        for path in found:
            _echo(f"  {path}")


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to write the example project.")] = Path(
        "impleval-demo"
    ),
) -> None:
    """Write the bundled synthetic example project to DIRECTORY and run everything.

    The example (no real persons) has NoMAD and P-CAT survey waves, indicator series, goals and
    coded interviews; the folder is replaced when the demo runs again. The other commands'
    examples run on it.

    Example:

    \b
        impleval demo impleval-demo
    """
    started = time.perf_counter()
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()):
        if not (directory / DEMO_MARKER).is_file():
            raise PipelineError(
                f"{directory.name}: the folder exists and is not an impleval demo folder. Hint: "
                f"choose a new or empty DIRECTORY, e.g. `impleval demo impleval-demo`."
            )
        shutil.rmtree(directory)
    if not (EXAMPLE / "project.yaml").is_file():
        raise PipelineError("the bundled example project is missing from this installation.")
    shutil.copytree(
        EXAMPLE,
        directory,
        ignore=shutil.ignore_patterns("generate*.py", "__pycache__", ".impleval", "output"),
    )
    (directory / DEMO_MARKER).write_text(
        "Written by `impleval demo`; the folder is replaced on the next demo run.\n",
        encoding="utf-8",
    )
    _echo(f"Example project (synthetic, no real persons) written to {directory}")
    settings = _report_settings(directory, None, None)
    _run(directory, force=True, only=None, settings=settings)
    _echo(f"Finished in {time.perf_counter() - started:.1f} s. Reports:")
    for path in _report_paths(directory, settings):
        _echo(f"  {path}")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The new project folder.")],
) -> None:
    """Create a project folder: a commented project.yaml with every section, inbox/ and
    narrative/ with a stub per report section (sv and en).

    The project.yaml loads as written; optional sections are commented examples.

    Example:

    \b
        impleval init my-evaluation
    """
    from flows.templates import write_new_project

    write_new_project(directory)
    _echo(f"Project folder created: {directory}. Edit {directory / 'project.yaml'} next.")


@app.command()
def ingest(  # noqa: PLR0913 -- typer: one parameter per command-line option
    file: Annotated[
        Path,
        typer.Argument(
            help="The export file: survey .xlsx/.csv/.sav/.dta, indicators .csv/.xlsx, codings "
            ".qdpx/.csv/.xlsx, roster .csv/.xlsx."
        ),
    ],
    kind: Annotated[
        str,
        typer.Option(
            parser=choice(INGEST_KINDS, what="kind"),
            metavar=choices_metavar(INGEST_KINDS),
            help=f"What the file holds, one of {', '.join(INGEST_KINDS)}.",
        ),
    ] = "survey",
    instrument: Annotated[
        str | None, typer.Option(help="The instrument id from project.yaml (surveys), e.g. nomad.")
    ] = None,
    wave: Annotated[
        str | None,
        typer.Option(help="The wave id from project.yaml (surveys, rosters), e.g. T0."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            help="Export profile: surveys generic, spss, survey-tool, codes-descending, "
            "labels-en or the project's own (default: the wave's, or generic); codings: maxqda, "
            "nvivo or atlasti (default: detected)."
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(help="Survey workbooks: the sheet with the answers (default: the only one)."),
    ] = None,
    part: Annotated[
        str | None, typer.Option(help="Surveys: the part of a wave of several exports, e.g. north.")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Load this file instead of the earlier one for the same wave, series or "
            "documents (the earlier load stays in history).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Say what the ingest would do with the same options (load, replace or refuse), "
            "with counts and the first problem rows: nothing is landed or loaded.",
        ),
    ] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Land, validate, pseudonymise and load one export.

    A survey needs --instrument and --wave (files in inbox/ named <instrument>_<wave>.xlsx are
    picked up by `impleval run` without them). Example, a dry run on the demo project:

    \b
        impleval ingest impleval-demo/inbox/nomad_T1.csv --instrument nomad --wave T1 --dry-run -p impleval-demo
    """
    from ingest.kinds import IngestOptions
    from ingest.transaction import ingest_file

    options = IngestOptions(instrument, wave, profile, sheet, part, replace, dry_run)
    _print_ingest(project_dir, ingest_file(project_dir, kind, file, options), dry_run)


def _print_ingest(project_dir: Path, report: IngestReport, dry_run: bool) -> None:
    from ingest.report import write_quarantine_report
    from project.errors import ConfigError
    from project.layout import ProjectPaths

    for line in report.lines():
        _echo(line)
    if report.refusal:  # a dry run of a file the ingest refuses ends as the ingest would
        raise ConfigError(report.refusal)
    if dry_run:
        return
    target = write_quarantine_report(ProjectPaths(project_dir))
    if report.rows_quarantined and target:
        _echo(f"Quarantined rows and reasons: {target}")
    if report.page is not None:
        _echo(f"Validation page (opens offline): {report.page}")


@app.command()
def run(
    project_dir: ProjectOpt = Path("."),
    stage: Annotated[
        str | None,
        typer.Option(
            parser=choice(STAGE_NAMES, what="stage"),
            metavar=choices_metavar(STAGE_NAMES),
            help=f"Run only this stage, one of {', '.join(STAGE_NAMES)}.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo every stage.")] = False,
    lang: LangOpt = None,
    fmt: FormatOpt = None,
    dask: DaskOpt = None,
    dask_always: DaskAlwaysOpt = False,
) -> None:
    """Run the pipeline's stale stages (ingest the inbox, analyse, report) and say where the
    reports are. When nothing changed it answers `up to date` at once.

    Example, on the demo project (add --force to redo every stage, --dask local:2 to run the
    analysis on two local Dask workers):

    \b
        impleval run -p impleval-demo
    """
    check_dask(dask)
    settings = _report_settings(project_dir, lang, fmt)
    plain = not force and stage is None and lang is None and fmt is None and dask is None
    plain = plain and not dask_always
    _run(
        project_dir,
        force=force,
        only=stage,
        settings=settings,
        dask=dask,
        dask_always=dask_always,
        remember=plain,
    )
    if stage in (None, "report"):
        _echo_reports(project_dir, settings)


KINDS = ("interim", "final", "followup")


def _date(option: str) -> typer.models.OptionInfo:
    return typer.Option(
        option,
        metavar="YYYY-MM-DD",
        help="The last day of data the report uses (interim and followup need it)."
        if option == "--cutoff"
        else "Read the store as it stood at the end of this day, and date the report so "
        "(default: the cut-off's date, the store as it is).",
    )


@app.command()
def report(  # noqa: PLR0913 -- typer: one parameter per command-line option
    project_dir: ProjectOpt = Path("."),
    lang: LangOpt = None,
    fmt: FormatOpt = None,
    kind: Annotated[
        str | None,
        typer.Option(
            parser=choice(KINDS, what="kind"),
            metavar=choices_metavar(KINDS),
            help="interim, final or followup (default: report.kind in project.yaml).",
        ),
    ] = None,
    cutoff: Annotated[str | None, _date("--cutoff")] = None,
    as_of: Annotated[str | None, _date("--as-of")] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="One report per organisation for feedback: an organisation id of project.yaml, "
            "or all.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Missing or unknown narrative files are an error.")
    ] = False,
    dask: DaskOpt = None,
    dask_always: DaskAlwaysOpt = False,
) -> None:
    """Render the report from the current results (the analyse stage's; run that first), or,
    with --cutoff or --for, from the data up to the cut-off or of one organisation.

    Example, the demo project's interim report with data up to mid-2018, and its final report
    per organisation:

    \b
        impleval report -p impleval-demo --kind interim --cutoff 2018-06-30
        impleval report -p impleval-demo --for all --format pdf
    """
    from flows.run import run_project

    settings = _report_settings(project_dir, lang, fmt).model_copy(
        update={
            "kind": kind,
            "cutoff": parse_date(cutoff, "--cutoff"),
            "as_of": parse_date(as_of, "--as-of"),
            "organisation": organisation,
            "strict": strict,
        }
    )
    check_dask(dask)
    run = run_project(
        project_dir, settings, force=True, only="report", dask=dask, dask_always=dask_always
    )
    for outcome in run:
        documents = [p for p in outcome.outputs if p.suffix in (".html", ".pdf", ".docx")]
        for path in [p for p in documents if p.parent.name != "exports"]:
            _echo(str(path))
        for folder in dict.fromkeys(p.parent for p in documents if p.parent.name == "exports"):
            _echo(f"tables and figures on their own (XLSX, CSV, SVG, PDF): {folder}")


app.command("check-disclosure")(check_disclosure)
app.add_typer(release_app, name="release")
register_waves(app)


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=print_version,
            is_eager=True,
            help="Show impleval's version, Python's and the key dependencies', and exit.",
        ),
    ] = False,
) -> None:
    if debug:
        os.environ["IMPLEVAL_DEBUG"] = "1"


def _release(exc: BaseException) -> None:
    """Drop what the failed run's frames still hold (closed store connections among them).

    Prefect keeps the exception of a failed task in its state; without this, DuckDB's bindings
    list every object still alive at interpreter exit as a "leak" after the one-line message.
    """
    import gc
    import traceback

    traceback.clear_frames(exc.__traceback__)
    exc.__traceback__ = None
    gc.collect()


def main() -> None:
    """Console entry point: user errors as one line and exit code 2, no traceback.

    ``--debug`` (or ``IMPLEVAL_DEBUG=1``) re-raises them with their traceback.
    """
    debug = "--debug" in sys.argv or os.environ.get("IMPLEVAL_DEBUG") == "1"
    if not debug:  # a library's warning is noise to a user; what a user should act on is a line
        warnings.filterwarnings("ignore")
    try:
        code = app(standalone_mode=False, prog_name="impleval")
    except PipelineError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        _release(exc)
        sys.exit(exc.exit_code)
    except UsageError as exc:
        if debug:
            raise
        if exc.ctx is not None and exc.message == exc.ctx.get_help():  # `impleval` alone
            exc.show()
        else:
            typer.echo(f"error: {usage_line(exc)}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    if code == 130:  # typer turns Ctrl-C into exit code 130
        typer.echo("interrupted; the store is left as it was before the unfinished step.", err=True)
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
