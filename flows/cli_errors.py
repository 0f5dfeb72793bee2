"""Usage errors in one line: what was typed, what the command takes, and the nearest valid choice.

``impleval foo``, ``impleval run --forse`` or ``impleval report --lang se`` end in one line on stderr
and exit code 2, e.g. ``error: impleval run --forse: unknown option. Did you mean `--force`? ...``.
Typer (≥ 0.29) vendors click as ``typer._click`` and does not re-export its exception classes, so
they are imported from there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from typer import BadParameter
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from project.errors import ConfigError, nearest

UsageError = click_errors.UsageError
_RESOLVED = "impleval.command"


def _did_you_mean(typed: str, valid: Iterable[str]) -> str:
    best = nearest(typed, valid)
    return f" Did you mean `{best}`?" if best else ""


class NoSuchCommand(UsageError):
    """An unknown command, with the commands there are."""

    def __init__(self, name: str, commands: list[str], ctx: Any) -> None:
        super().__init__(f"No such command {name!r}.", ctx)
        self.name = name
        self.commands = commands


class Commands(TyperGroup):
    """impleval's command group: an unknown command raises :class:`NoSuchCommand`, and a usage
    error raised without a context (typer's parser does that for an option's value) gets the
    command's, so that the message can name the command."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise NoSuchCommand(name, self.list_commands(ctx), ctx)
        resolved = super().resolve_command(ctx, args)
        ctx.meta[_RESOLVED] = resolved[:2]
        return resolved

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if exc.ctx is None:
                exc.ctx = ctx
            raise


def choice(
    choices: Iterable[str], *, what: str = "value", many: bool = False
) -> Callable[[str], str]:
    """A typer ``parser=`` for an option that takes one of ``choices``, ignoring case.

    With ``many``, the value is a comma-separated list of choices (``--format pdf,docx``). A value
    outside the choices is refused, naming it as ``what``, with the list and the nearest choice:

    >>> choice(("sv", "en"))("EN")
    'en'
    >>> choice(("html", "pdf", "docx"), many=True)("pdf, DOCX")
    'pdf,docx'
    >>> choice(("ingest", "analyse", "report"), what="stage")("analyze")
    Traceback (most recent call last):
    ...
    typer._click.exceptions.BadParameter: unknown stage 'analyze'. Expected one of ingest, analyse, report. Did you mean `analyse`?
    """
    valid = tuple(choices)
    by_fold = {c.casefold(): c for c in valid}

    def parse(value: str) -> str:
        items = [v.strip() for v in value.split(",")] if many else [value.strip()]
        unknown = [v for v in items if v.casefold() not in by_fold]
        if not unknown and items:
            return ",".join(by_fold[v.casefold()] for v in items)
        bad = ", ".join(repr(v) for v in unknown)
        expected = "one or more of" if many else "one of"
        tail = ", comma-separated" if many else ""
        hint = _did_you_mean(unknown[0], valid) if unknown else ""
        raise BadParameter(
            f"unknown {what} {bad}. Expected {expected} {', '.join(valid)}{tail}.{hint}"
        )

    return parse


def choices_metavar(choices: Iterable[str]) -> str:
    """How a choice option shows its choices in ``--help``: ``[sv|en]``."""
    return "[" + "|".join(choices) + "]"


def _option_names(command: Any) -> list[str]:
    names: list[str] = []
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") == "option":
            names += [o for o in param.opts if o.startswith("--")]
    return names


def _param_for(command: Any, option: str) -> Any:
    return next((p for p in getattr(command, "params", ()) if option in p.opts), None)


def _help_hint(path: str) -> str:
    return f" Hint: see `{path} --help`."


def _example(command: Any) -> str | None:
    """The first ``impleval …`` line of the command's help (its worked example)."""
    for line in (getattr(command, "help", None) or "").splitlines():
        if line.strip().startswith("impleval "):
            return line.strip()
    return None


def _unknown_option(exc: Any, path: str, command: Any) -> str:
    names = _option_names(command)
    best = _did_you_mean(exc.option_name, names)
    if best:
        return f"{path} {exc.option_name}: unknown option.{best}{_help_hint(path)}"
    if not names:
        return f"{path} {exc.option_name}: unknown option; {path} takes none.{_help_hint(path)}"
    return (
        f"{path} {exc.option_name}: unknown option. Expected one of "
        f"{', '.join([*names, '--help'])}.{_help_hint(path)}"
    )


def _missing(exc: Any, path: str, command: Any) -> str:
    param = exc.param
    name = param.name.upper() if param is not None and param.name else "an argument"
    if param is not None and param.param_type_name == "option":
        name = param.opts[0]
    example = _example(command)
    tail = f" Example: {example}" if example else _help_hint(path)
    return f"{path}: {name} is missing.{tail}"


def _bad_option_usage(exc: Any, path: str, command: Any) -> str:
    option = exc.option_name
    if "requires an argument" in exc.message:
        param = _param_for(command, option)
        metavar = getattr(param, "metavar", None) or ""
        if metavar.startswith("["):
            return f"{path} {option}: needs a value. Expected one of {metavar[1:-1].replace('|', ', ')}."
        what = (getattr(param, "help", None) or "").rstrip(".")
        what = f": {what[:1].lower()}{what[1:]}" if what else ""
        return f"{path} {option}: needs a value{what}."
    if "does not take a value" in exc.message:
        return f"{path} {option}: takes no value (it is a switch).{_help_hint(path)}"
    return f"{path} {option}: {exc.message}{_help_hint(path)}"


def usage_line(exc: UsageError) -> str:
    """One line (without ``error:``) saying what was typed wrong and what would be right."""
    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else "impleval"
    command = ctx.command if ctx is not None else None
    if ctx is not None and ctx.parent is None and _RESOLVED in ctx.meta:
        name, command = ctx.meta[_RESOLVED]
        path = f"{path} {name}"
    if isinstance(exc, NoSuchCommand):
        best = _did_you_mean(exc.name, exc.commands)
        hint = best or " Hint: `impleval --help` describes each."
        return (
            f"{path} {exc.name}: unknown command. Expected one of {', '.join(exc.commands)}.{hint}"
        )
    if isinstance(exc, click_errors.NoSuchOption):
        return _unknown_option(exc, path, command)
    if isinstance(exc, click_errors.MissingParameter):
        return _missing(exc, path, command)
    if isinstance(exc, click_errors.BadParameter):
        opts = getattr(exc.param, "opts", None) or []
        where = f"{path} {opts[0]}" if opts else path
        return f"{where}: {exc.message}"
    if isinstance(exc, click_errors.BadOptionUsage):
        return _bad_option_usage(exc, path, command)
    extra = re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", exc.message)
    if extra:
        return (
            f"{path}: unexpected argument {extra.group(1)!r}. Hint: `{path} --help` shows what "
            f"it takes (options start with --; a value with spaces needs quotes)."
        )
    return f"{path}: {exc.message}{_help_hint(path)}"


def parse_date(text: str | None, option: str) -> dt.date | None:
    """A command line's date (YYYY-MM-DD), or one line saying what is wrong with it.

    >>> parse_date("2018-06-30", "--cutoff")
    datetime.date(2018, 6, 30)
    """
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option}: {text!r} is not a date. Expected YYYY-MM-DD, e.g. {option} 2018-06-30."
        ) from None
