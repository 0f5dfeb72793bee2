"""``impleval waves``, ``impleval invite``, ``impleval server start`` and ``impleval serve``: the
survey calendar, invitations and reminders, and scheduled wave steps on a team server (see
docs/waves.md). The ``waves`` package is imported only when a command runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from project.errors import PipelineError

_echo = typer.echo
ProjectOpt = Annotated[
    Path, typer.Option("--project", "-p", help="The project folder (holds project.yaml).")
]
OnOpt = Annotated[
    str | None,
    typer.Option("--on", help="Say the states as on this day, YYYY-MM-DD (default: today)."),
]


def _day(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PipelineError(f"--on: {value!r} is not a date. Expected YYYY-MM-DD.") from None


waves_app = typer.Typer(
    help="The survey calendar: `impleval waves` lists the waves, `impleval waves status WAVE` "
    "shows response rates, `impleval waves calendar` writes an .ics file (docs/waves.md).\n\n"
    "Example, on the demo project:\n\n\b\n    impleval waves -p impleval-demo",
    rich_markup_mode=None,
)


@waves_app.callback(invoke_without_command=True)
def waves_list(ctx: typer.Context, project_dir: ProjectOpt = Path("."), on: OnOpt = None) -> None:
    """List the waves with their state (planned, open, closed), dates and counts.

    Example:

    \b
        impleval waves -p impleval-demo
    """
    if ctx.invoked_subcommand is not None:
        return
    from waves.status import overview

    for line in overview(project_dir, _day(on)):
        wave = line.wave
        invited = f"{line.invited} invited ({line.invited_from})" if line.invited else "invited ?"
        reminders = ", ".join(str(d) for d in wave.reminder_dates) or "none"
        _echo(
            f"{wave.id:<8} {wave.instrument:<8} {line.state:<8} {wave.opens} – {wave.closes}  "
            f"reminders: {reminders}; {invited}, {line.responded} responded"
        )
        for what, n in sorted(line.sent.items()):
            _echo(f"{'':<8} ledger: {what}: {n}")


@waves_app.command("status")
def waves_status(
    wave: Annotated[str | None, typer.Argument(help="The wave id (default: every wave).")] = None,
    by_unit: Annotated[bool, typer.Option("--by-unit", help="Break down by unit too.")] = False,
    project_dir: ProjectOpt = Path("."),
    on: OnOpt = None,
) -> None:
    """Invited, responded and rate per organisation × staff group, from the wave's rosters.

    Example:

    \b
        impleval waves status T1 -p impleval-demo
    """
    from project.config import load_project
    from waves.status import part_lines, status_lines, wave_status

    ids = [wave] if wave else list(dict.fromkeys(w.id for w in load_project(project_dir).waves))
    for number, wave_id in enumerate(ids):
        if number:
            _echo("")
        status = wave_status(project_dir, wave_id, today=_day(on), by_unit=by_unit)
        if status.table["invited"].iloc[-1] == 0:
            _echo(f"{wave_id}: no roster loaded (invited counts only from project.yaml).")
            for line in part_lines(status):
                _echo(line)
            continue
        for line in status_lines(status):
            _echo(line)


@waves_app.command("calendar")
def waves_calendar(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The .ics file (default: output/waves.ics)."),
    ] = None,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Write an .ics file with every wave's opening, reminders and closing.

    Example:

    \b
        impleval waves calendar -p impleval-demo
    """
    from project.config import load_project
    from project.layout import ProjectPaths
    from waves.calendar import write_calendar

    target = output or ProjectPaths(project_dir).output / "waves.ics"
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path, events = write_calendar(load_project(project_dir), target, stamp=stamp)
    _echo(f"Wave calendar: {events} events written to {path}")


def invite(
    wave: Annotated[str, typer.Argument(help="The wave id, e.g. T1.")],
    reminder: Annotated[
        int | None,
        typer.Option(help="Send reminder N (to those with no answer in the latest export)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say who would get it (counts); send nothing.")
    ] = False,
    to_file: Annotated[
        Path | None,
        typer.Option(
            "--to-file",
            help="Write the list (with addresses, outside the project folder) for a survey tool "
            "that sends its own mail, instead of sending.",
        ),
    ] = None,
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Send a wave's invitation, or reminder N, by SMTP — each person at most once.

    Example, a dry run on the demo project (after ingesting its roster):

    \b
        impleval invite T1 --dry-run -p impleval-demo
    """
    from waves.invite import invite as send

    result = send(project_dir, wave, reminder=reminder, dry_run=dry_run, to_file=to_file)
    for line in invite_lines(result, dry_run=dry_run):
        _echo(line)
    if result.stopped:
        counts = result.counts
        left = len(result.plan.recipients) - sum(counts.values())
        raise PipelineError(
            f"{result.stopped}; stopped after {sum(counts.values())} of "
            f"{len(result.plan.recipients)} ({counts['sent']} sent, {counts['unconfirmed']} "
            f"unconfirmed, {counts['failed'] + left} not sent). Hint: run the same command "
            f"again to send the rest; nobody gets the message twice."
        )


def invite_lines(result: object, *, dry_run: bool) -> list[str]:
    from waves.invite import SendResult

    assert isinstance(result, SendResult)
    plan = result.plan
    wave = plan.wave
    lines = [
        f"{wave.id} {plan.message}: {len(plan.recipients)} to send of {plan.on_roster} on the "
        f"roster"
        + (f" ({plan.answered} answered in {plan.export})" if plan.answered is not None else "")
        + (f"; already in the ledger: {_counts(plan.ledger)}" if plan.ledger else "")
    ]
    if dry_run:
        langs: dict[str, int] = {}
        for *_, lang in plan.recipients.values():
            langs[lang] = langs.get(lang, 0) + 1
        lines.append(
            f"  dry run: nothing sent ({_counts(langs) or 'nobody to send to'} by language)"
        )
    elif result.list_file is not None:
        lines.append(
            f"  listed {result.counts['listed']} in {result.list_file} (holds addresses: upload "
            f"it to the survey tool, then delete it)"
        )
    elif plan.recipients:
        lines.append(f"  {_counts(dict(result.counts))}")
    else:
        lines.append("  nothing to send")
    return lines


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))


server_app = typer.Typer(
    help="A Prefect server for the team: `impleval server start` (docs/waves.md).\n\nExample:"
    "\n\n\b\n    impleval server start --port 4200",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@server_app.command("start")
def server_start(
    port: Annotated[int, typer.Option(help="The port (default 4200).")] = 4200,
    host: Annotated[
        str,
        typer.Option(help="The address to listen on (default 127.0.0.1; another one warns)."),
    ] = "127.0.0.1",
) -> None:
    """Run a Prefect server with its UI on 127.0.0.1, its database under your data directory.

    Example:

    \b
        impleval server start --port 4200
    """
    from flows.serve import start_server

    code = start_server(host, port, say=_echo)
    if code:
        raise PipelineError(
            f"prefect server start exited with code {code}. Hint: is port {port} in use? Try "
            f"--port with another number."
        )


def serve(
    project_dir: ProjectOpt = Path("."),
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run the deployments here until stopped (default), or only register them.",
        ),
    ] = True,
) -> None:
    """Register one deployment per wave step (scheduled from the calendar) and the daily inbox
    watch with the Prefect server, write prefect.yaml, and run them.

    Example (with `impleval server start` running):

    \b
        impleval serve -p impleval-demo
    """
    from flows.serve import serve_project

    serve_project(project_dir, worker=worker, say=_echo)


def register(app: typer.Typer) -> None:
    """Add the commands to ``impleval``."""
    app.add_typer(waves_app, name="waves")
    app.command()(invite)
    app.add_typer(server_app, name="server")
    app.command()(serve)
