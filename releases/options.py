"""A release's settings: the command line's version, profile and date, and project.yaml's
privacy and release sections, checked once."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import asdict, dataclass

from project.config import Project
from project.errors import ReleaseError

PROFILES = ("internal", "deposit")
VERSION_FORMAT = "MAJOR.MINOR or MAJOR.MINOR.PATCH, optionally with a suffix (1.0, 1.2.3, 2.0-rc1)"
_VERSION = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?$"
)


def check_version(version: str, *, what: str = "VERSION") -> str:
    """``version`` when it looks like a release version, else a :class:`ReleaseError`.

    >>> check_version("1.0")
    '1.0'
    """
    if not _VERSION.fullmatch(version or ""):
        hint = " Hint: leave out the leading v." if version[:1] in ("v", "V") else ""
        raise ReleaseError(
            f"{what}: {version!r} is not a version. Expected {VERSION_FORMAT}.{hint}"
        )
    return version


@dataclass(frozen=True)
class ReleaseOptions:
    """Everything that decides a release's content (recorded in its manifest)."""

    version: str
    profile: str
    date: dt.date
    link_to: str | None
    text: str
    language: str
    k_anonymity: int
    quasi_identifiers: tuple[str, ...]
    sensitive_columns: tuple[str, ...]
    l_diversity: int | None
    max_suppressed_share: float
    min_cell_size: int
    licence: str

    @property
    def anonymised(self) -> bool:
        return self.profile == "deposit"

    def settings(self) -> dict[str, object]:
        """The options as recorded in ``manifest.json``."""
        out = asdict(self)
        out["date"] = self.date.isoformat()
        return out


def default_date() -> dt.date:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def release_options(
    project: Project,
    *,
    version: str,
    profile: str = "deposit",
    date: dt.date | None = None,
    link_to: str | None = None,
) -> ReleaseOptions:
    """Check the command line's choices and combine them with project.yaml's settings.

    Raises
    ------
    ReleaseError
        When the version or ``link_to`` does not look like a version, or the profile is unknown.
    """
    check_version(version)
    if link_to is not None:
        check_version(link_to, what="--link-to")
    if profile not in PROFILES:
        raise ReleaseError(
            f"--profile: unknown profile {profile!r}. Expected one of {', '.join(PROFILES)}."
        )
    privacy, release = project.privacy, project.release
    return ReleaseOptions(
        version=version,
        profile=profile,
        date=date or default_date(),
        link_to=link_to,
        text=release.text or ("none" if profile == "deposit" else "redacted"),
        language=release.language or project.report.language,
        k_anonymity=privacy.k_anonymity,
        quasi_identifiers=tuple(privacy.quasi_identifiers),
        sensitive_columns=tuple(privacy.sensitive_columns),
        l_diversity=privacy.l_diversity,
        max_suppressed_share=release.max_suppressed_share,
        min_cell_size=privacy.min_cell_size,
        licence=release.licence,
    )
