"""The ``impleval`` command line.

Heavy libraries (Prefect, great-expectations, pandas, matplotlib) are imported inside the commands
that need them, so ``impleval --help`` and an up-to-date ``impleval run`` answer at once.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from ingest.kinds import KIND_NAMES
from project.errors import PipelineError

app = typer.Typer(
    name="impleval",
    help="Implementation evaluation: surveys in, validated data, statistics and funder reports out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "discharge-planning"
DEMO_MARKER = ".impleval-demo"
FORMATS = ("html", "pdf", "docx")

ProjectOpt = Annotated[
    Path, typer.Option("--project", "-p", help="The project folder (holds project.yaml).")
]
LangOpt = Annotated[
    str | None, typer.Option("--lang", help="Report language: sv or en (default: project.yaml).")
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="Comma-separated: html,pdf,docx (default: project.yaml)."),
]


def _echo(line: str) -> None:
    typer.echo(line)


def _report_settings(project_dir: Path, lang: str | None, formats: str | None) -> dict:
    from project.config import load_project

    project = load_project(project_dir)
    chosen = tuple(f.strip() for f in formats.split(",")) if formats else project.report.formats
    bad = [f for f in chosen if f not in FORMATS]
    if bad:
        raise PipelineError(
            f"--format: unknown format {', '.join(bad)}. Expected one or more of "
            f"{', '.join(FORMATS)}, comma-separated."
        )
    language = lang or project.report.language
    if language not in ("sv", "en"):
        raise PipelineError(f"--lang: unknown language {language!r}. Expected sv or en.")
    return {
        "lang": language,
        "formats": list(chosen),
        "min_cell_size": project.privacy.min_cell_size,
    }


def _run(project_dir: Path, *, force: bool, only: str | None, settings: dict) -> None:
    from flows.stages import (
        STAGES,
        current_data_version,
        fingerprint,
        is_current,
        stage_inputs,
    )
    from project.config import load_project
    from project.layout import ProjectPaths

    paths = ProjectPaths(project_dir)
    project = load_project(project_dir)
    if not force:
        # Cheap check first: when every stage is current, Prefect is never started. A stale
        # earlier stage makes the later ones stale too, so the first stale one decides.
        stale = None
        data_version = current_data_version(paths)
        for stage in STAGES:
            if only and stage != only:
                continue
            fp = fingerprint(
                stage_inputs(stage, paths, project, settings=settings, data_version=data_version)
            )
            if not is_current(paths, stage, fp):
                stale = stage
                break
        if stale is None:
            _echo("up to date")
            return
    from flows.runtime import configure_prefect

    configure_prefect()
    from flows.pipeline import run_pipeline

    run_pipeline(project_dir, force=force, only=only, settings=settings)


def _report_paths(project_dir: Path, settings: dict) -> list[Path]:
    from project.layout import ProjectPaths

    reports = ProjectPaths(project_dir).reports
    return [reports / f"report_{settings['lang']}.{fmt}" for fmt in settings["formats"]]


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to write the example project.")] = Path(
        "impleval-demo"
    ),
) -> None:
    """Write the bundled synthetic example project to DIRECTORY and run everything.

    Example: impleval demo /tmp/impleval-demo
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
        ignore=shutil.ignore_patterns("generate.py", "__pycache__", ".impleval", "output"),
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
    """Create a project folder with a commented project.yaml to fill in.

    Example: impleval init my-evaluation
    """
    from flows.templates import write_new_project

    write_new_project(directory)
    _echo(f"Project folder created: {directory}. Edit {directory / 'project.yaml'} next.")


@app.command()
def ingest(  # noqa: PLR0913 - a command's parameters are its options, one each
    file: Annotated[
        Path,
        typer.Argument(
            help="The export file: survey .xlsx/.csv/.sav/.dta, indicators .csv/.xlsx, codings "
            ".qdpx/.csv/.xlsx."
        ),
    ],
    kind: Annotated[
        str, typer.Option(help=f"What the file holds: {' | '.join(KIND_NAMES)}.")
    ] = "survey",
    instrument: Annotated[
        str | None, typer.Option(help="Surveys: the instrument id, e.g. nomad.")
    ] = None,
    wave: Annotated[
        str | None, typer.Option(help="Surveys: the wave id from project.yaml, e.g. T0.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            help="Export profile: surveys (default: the wave's, or generic); codings: maxqda, "
            "nvivo or atlasti (default: detected)."
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(help="Survey workbooks: the sheet with the answers (default: the only one)."),
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

    Example: impleval ingest inbox/nomad_T0.xlsx --kind survey --instrument nomad --wave T0
    """
    from ingest.kinds import IngestOptions
    from ingest.report import write_quarantine_report
    from ingest.transaction import ingest_file
    from project.errors import ConfigError
    from project.layout import ProjectPaths

    options = IngestOptions(instrument, wave, profile, sheet, replace=replace, dry_run=dry_run)
    report = ingest_file(project_dir, kind, file, options)
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
        str | None, typer.Option(help="Run only this stage: ingest, analyse or report.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo every stage.")] = False,
    lang: LangOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Run the pipeline's stale stages (ingest the inbox, analyse, report).

    Example: impleval run -p my-evaluation
    """
    if stage and stage not in ("ingest", "analyse", "report"):
        raise PipelineError(f"--stage {stage}: expected ingest, analyse or report.")
    settings = _report_settings(project_dir, lang, fmt)
    _run(project_dir, force=force, only=stage, settings=settings)


@app.command()
def report(
    project_dir: ProjectOpt = Path("."),
    lang: LangOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Render the report from the current results (no Prefect; the results must exist).

    Example: impleval report --lang en --format pdf,docx
    """
    from flows.report import write_report

    settings = _report_settings(project_dir, lang, fmt)
    for path in write_report(project_dir, settings=settings):
        if path.suffix != ".json":
            _echo(str(path))


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
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
    """Console entry point: user errors as one line and exit code 2, no traceback."""
    debug = "--debug" in sys.argv or os.environ.get("IMPLEVAL_DEBUG") == "1"
    try:
        app(standalone_mode=False)
    except PipelineError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        _release(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted; the store is left as it was before the unfinished step.", err=True)
        sys.exit(130)
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
