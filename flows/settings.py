"""What one run or report is asked for, beyond project.yaml: a typed settings object instead of a
``dict`` passed through the stages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from project.config import Project
from project.errors import PipelineError

Language = Literal["sv", "en"]
Kind = Literal["interim", "final", "followup"]
KINDS: tuple[Kind, ...] = ("interim", "final", "followup")
Format = Literal["html", "pdf", "docx"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "docx")
LANGUAGES: tuple[Language, ...] = ("sv", "en")


class RunSettings(BaseModel):
    """The report's language and formats for this run (default: project.yaml's ``report:``),
    and what ``impleval report`` asks beyond them: the kind, the data cut-off, the date the store
    is read as of, the organisation(s) a report is for, and whether gaps are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: Language
    formats: tuple[Format, ...]
    kind: Kind | None = None
    cutoff: dt.date | None = None
    as_of: dt.date | None = None
    organisation: str | None = None
    strict: bool = False

    @classmethod
    def for_project(
        cls, project: Project, *, lang: str | None = None, formats: str | None = None
    ) -> RunSettings:
        """The settings a command line asks for, defaults from project.yaml.

        Raises
        ------
        PipelineError
            For a language or format that is not one of ours.
        """
        chosen = (
            tuple(f.strip() for f in formats.split(",") if f.strip())
            if formats
            else project.report.formats
        )
        bad = [f for f in chosen if f not in FORMATS]
        if bad or not chosen:
            raise PipelineError(
                f"--format: unknown format {', '.join(bad) or '(none)'}. Expected one or more of "
                f"{', '.join(FORMATS)}, comma-separated."
            )
        language = lang or project.report.language
        if language not in LANGUAGES:
            raise PipelineError(f"--lang: unknown language {language!r}. Expected sv or en.")
        return cls.model_validate({"lang": language, "formats": chosen})

    def fingerprint_items(self) -> dict[str, str]:
        """The settings as name → text, for the report stage's fingerprint."""
        items = {"lang": self.lang, "formats": ",".join(self.formats)}
        extra = {
            "kind": self.kind,
            "cutoff": self.cutoff,
            "as_of": self.as_of,
            "organisation": self.organisation,
            "strict": self.strict or None,
        }
        return items | {k: str(v) for k, v in extra.items() if v is not None}
