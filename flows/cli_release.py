"""``impleval release``: dataset releases for reuse (see ``releases/`` and docs/releases.md).

``impleval release VERSION …`` builds a release; ``impleval release verify DIR`` checks one. The
release package is imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from project.errors import PipelineError

_echo = typer.echo
ProjectOpt = Annotated[
    Path, typer.Option("--project", "-p", help="The project folder (holds project.yaml).")
]


class _ReleaseGroup(typer.core.TyperGroup):
    """``impleval release VERSION …`` builds a release; ``impleval release verify DIR`` checks one."""

    def resolve_command(self, ctx, args):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands:
            args = ["build", *args]
        return super().resolve_command(ctx, args)


release_app = typer.Typer(
    cls=_ReleaseGroup,
    help="Dataset releases for reuse: `impleval release VERSION` writes one, `impleval release "
    "verify DIR` checks one (docs/releases.md).\n\nExample, a deposit release of the demo project:"
    "\n\n\b\n    impleval release 1.0 --profile deposit -p impleval-demo",
    no_args_is_help=True,
    rich_markup_mode=None,
)


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

    Example, on the demo project:

    \b
        impleval release 1.0 --profile deposit -p impleval-demo
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

    Example, on the demo project's release:

    \b
        impleval release verify impleval-demo/output/releases/1.0 -p impleval-demo
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
