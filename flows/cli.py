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
def ingest(
    file: Annotated[Path, typer.Argument(help="The export file (.xlsx or .csv).")],
    kind: Annotated[
        str, typer.Option(help="What the file holds: survey, indicators or codings.")
    ] = "survey",
    instrument: Annotated[str | None, typer.Option(help="Instrument id, e.g. nomad.")] = None,
    wave: Annotated[str | None, typer.Option(help="Wave id from project.yaml, e.g. T0.")] = None,
    profile: Annotated[
        str | None, typer.Option(help="Export profile name (default: the wave's, or generic).")
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(help="Survey workbooks: the sheet with the answers (default: the only one)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Load this file instead of the wave's earlier one.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Diagnose only (counts and the first problem rows): nothing is loaded.",
        ),
    ] = False,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Land, validate, pseudonymise and load one export.

    Example: impleval ingest inbox/nomad_T0.xlsx --kind survey --instrument nomad --wave T0
    """
    if kind not in ("survey", "indicators", "codings"):
        raise PipelineError(f"--kind {kind}: expected survey, indicators or codings.")
    if kind == "survey" and (not instrument or not wave):
        raise PipelineError(
            "ingest: --instrument and --wave are required for a survey, e.g. "
            "--instrument nomad --wave T0."
        )
    from ingest.kinds import ingest_any
    from ingest.pipeline import write_quarantine_report

    options: dict[str, object] = {"replace": replace, "dry_run": dry_run, "profile": profile}
    if kind == "survey":
        options |= {"instrument": instrument, "wave": wave, "sheet": sheet}
    report = ingest_any(project_dir, kind, file, **options)
    for line in report.lines():  # type: ignore[attr-defined]
        _echo(line)
    if not dry_run:
        from project.layout import ProjectPaths

        paths = ProjectPaths(project_dir)
        target = write_quarantine_report(paths)
        if report.rows_quarantined and target:  # type: ignore[attr-defined]
            _echo(f"Quarantined rows and reasons: {target}")
        if kind == "survey" and report.status == "loaded":  # type: ignore[attr-defined]
            page = paths.validation / f"survey-{report.instrument}-{report.wave}.html"  # type: ignore[attr-defined]
            _echo(f"Validation page (opens offline): {page}")


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


# -- impleval release: dataset releases for reuse (releases/) ----------------------------------
class _ReleaseGroup(typer.core.TyperGroup):
    """``impleval release VERSION …`` builds a release; ``impleval release verify DIR`` checks one."""

    def resolve_command(self, ctx, args):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands:
            args = ["build", *args]
        return super().resolve_command(ctx, args)


release_app = typer.Typer(
    cls=_ReleaseGroup,
    help="Dataset releases for reuse: impleval release VERSION, impleval release verify DIR.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(release_app, name="release")


@release_app.command("build")
def release_build(
    version: Annotated[str, typer.Argument(help="The release's version, e.g. 1.0 or 1.2.3.")],
    profile: Annotated[
        str, typer.Option(help="deposit (anonymised, for SND) or internal (pseudonymised).")
    ] = "deposit",
    replace: Annotated[
        bool, typer.Option("--replace", help="Build an existing release again.")
    ] = False,
    link_to: Annotated[
        str | None,
        typer.Option("--link-to", help="Reuse this earlier release's key (linkable pseudonyms)."),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Release date YYYY-MM-DD (default: today).")
    ] = None,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Write output/releases/VERSION: data, codebooks, README, checksums; verified before done.

    Example: impleval release 1.0 --profile deposit
    """
    import datetime as dt

    from releases.build import make_release

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise PipelineError(f"--date: {date!r} is not a date. Expected YYYY-MM-DD.") from None
    _echo(f"Building release {version} ({profile}) ...")
    result = make_release(
        project_dir, version=version, profile=profile, replace=replace, link_to=link_to, date=day
    )
    for name, size in result.files.items():
        _echo(f"  {name}  {size:,} bytes")
    for check in result.checks:
        _echo(check.line())
    dropped = sum(o.rows_dropped for o in result.outcomes)
    rows = sum(o.rows_in for o in result.outcomes)
    _echo(
        f"Release {version} ({profile}) written to {result.folder}; k achieved: "
        f"{result.k_achieved}; survey rows suppressed: {dropped} of {rows}."
    )


@release_app.command("verify")
def release_verify(
    directory: Annotated[Path, typer.Argument(help="A release folder, e.g. output/releases/1.0.")],
    project_dir: Annotated[
        Path | None,
        typer.Option("--project", "-p", help="The project, for its names and store (optional)."),
    ] = None,
) -> None:
    """Check a release: checksums, data package, DDI, .sav/.dta, k-anonymity, identifiers.

    Example: impleval release verify output/releases/1.0
    """
    from releases.verify import verify_release

    checks = verify_release(directory, project_dir=project_dir)
    for check in checks:
        _echo(check.line())
    failed = [c for c in checks if not c.ok]
    if failed:
        raise PipelineError(
            f"{directory.name}: {len(failed)} of {len(checks)} checks failed (see above)."
        )


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
