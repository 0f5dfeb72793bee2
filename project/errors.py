"""Problems a user can fix.

Every error a person can act on derives from :class:`PipelineError`; the CLI prints its message on one
line and exits non-zero, without a traceback (``--debug`` shows it). Bugs stay ordinary exceptions.

Messages read *where: what is wrong. Expected X; found Y. Hint.* They name files, rows, columns and
ids, never answer content, names or e-mail addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


class PipelineError(Exception):
    """A problem in the user's input, configuration or environment that the user can fix."""

    exit_code = 2


class ConfigError(PipelineError):
    """project.yaml or another settings file is missing or wrong."""


class InstrumentSpecError(PipelineError):
    """An instrument.yaml is malformed or inconsistent."""


class ResponseDataError(PipelineError):
    """An export file cannot be read as survey data at all (nothing is loaded)."""


class KeyMissingError(PipelineError):
    """The pseudonymisation key is missing or does not match the project's data."""


class StoreError(PipelineError):
    """The project's store is locked, damaged or out of step with the files."""


def format_pydantic_error(
    source: str, exc: object, *, data: object = None, model: type | None = None
) -> str:
    """Turn a pydantic ``ValidationError`` into one actionable line naming file and key.

    Parameters
    ----------
    source
        The file the data came from, as the user knows it (e.g. ``project.yaml``).
    exc
        A ``pydantic.ValidationError``.
    data
        The input that was validated (e.g. project.yaml as read): list entries are then named by
        their id (``waves[T1].opens``) instead of their index; entries without an id by their
        number (``documents[#2]``, counting from 1).
    model
        The model validated: an unknown key then names the nearest valid one.

    Each problem says what is expected, with an example where there is a format (``expected a
    date as YYYY-MM-DD, e.g. 2018-03-01``). At most three problems are listed. Values are
    repeated only for dates, numbers and choices, never free text (it may hold a name).
    """
    from project.messages import describe_error, location

    errors = exc.errors()  # type: ignore[attr-defined]
    parts = []
    for err in errors[:3]:
        loc = location(err["loc"], data, missing=err["type"] == "missing")
        what = describe_error(err, model)
        named = not loc or what.startswith((f"{loc}.", f"{loc}[", f"{loc}:"))  # says where itself
        parts.append(what if named else f"{loc}: {what}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    joined = "; ".join([*(p.removesuffix(".") for p in parts[:-1]), *parts[-1:]])
    return f"{source}: {joined}{more}"


def nearest(typed: str, valid: Iterable[str]) -> str | None:
    """The valid spelling closest to ``typed`` (difflib's ratio ≥ 0.6, ignoring case), or None.

    >>> nearest("reprot", ["demo", "init", "ingest", "run", "report"])
    'report'
    >>> nearest("min_cel_size", ["min_cell_size", "free_text", "roster"])
    'min_cell_size'
    >>> nearest("photos", ["survey", "indicators", "codings"]) is None
    True
    """
    by_fold = {v.casefold(): v for v in valid}
    match = get_close_matches(str(typed).casefold(), list(by_fold), n=1, cutoff=0.6)
    return by_fold[match[0]] if match else None


class ReportError(PipelineError):
    """The report cannot be built from what is in the project folder."""


class ResultsFileError(ReportError):
    """A results file the report reads is missing columns or cannot be read."""


class RenderError(ReportError):
    """pandoc or typst could not turn the report's Markdown into HTML, DOCX or PDF."""


class IndicatorDataError(PipelineError):
    """An indicator file cannot be read as indicator data at all (nothing is loaded)."""


class CodingsDataError(PipelineError):
    """A codings export cannot be read as coded segments at all (nothing is loaded)."""


class ReleaseError(PipelineError):
    """A dataset release cannot be made as asked (version, profile, anonymity, existing release)."""


class DisclosureError(ReportError):
    """A published table lets a reader work out a hidden count (the disclosure audit)."""
