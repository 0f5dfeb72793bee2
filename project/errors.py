"""Problems a user can fix.

Every error a person can act on derives from :class:`PipelineError`; the CLI prints its message on one
line and exits non-zero, without a traceback (``--debug`` shows it). Bugs stay ordinary exceptions.

Messages read *where: what is wrong. Expected X; found Y. Hint.* They name files, rows, columns and
ids, never answer content, names or e-mail addresses.
"""

from __future__ import annotations


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


def format_pydantic_error(source: str, exc: object) -> str:
    """Turn a pydantic ``ValidationError`` into one actionable line naming file and key.

    Parameters
    ----------
    source
        The file the data came from, as the user knows it (e.g. ``project.yaml``).
    exc
        A ``pydantic.ValidationError``.
    """
    errors = exc.errors()  # type: ignore[attr-defined]
    parts = []
    for err in errors[:3]:
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling, or remove it)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{source}: " + "; ".join(parts) + more


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
