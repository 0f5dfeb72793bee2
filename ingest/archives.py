"""Limits for zip archives (``.xlsx``, ``.qdpx``), checked before anything is unpacked.

An ``.xlsx`` workbook and a REFI-QDA ``.qdpx`` project are zip files. A "zip bomb" named like one
(a few megabytes that unpack to gigabytes) would otherwise be unpacked without bound. Before a
member is read, :func:`check_archive` refuses, with one line naming the limit and how to raise it,
an archive that

- unpacks to more than ``IMPLEVAL_MAX_UNPACKED_MB`` megabytes in all (default 1024),
- holds a member larger than 1 MB that unpacks to more than ``IMPLEVAL_MAX_ZIP_RATIO`` times its
  packed size (default 200; the sheets of a real workbook pack 5–30 times), or
- holds more than ``IMPLEVAL_MAX_ZIP_MEMBERS`` members (default 10000).

The sizes checked are those the archive declares. Python's :mod:`zipfile` never unpacks more than
a member's declared size (a member that would is reported as damaged), so the declared sizes bound
what reading the archive can cost.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from project.errors import ConfigError, PipelineError

MB = 1024 * 1024
#: A member this small is never refused for its ratio (a short XML part packs very well).
RATIO_FLOOR = MB


@dataclass(frozen=True)
class ArchiveLimits:
    """The limits in force (from the environment, else the defaults)."""

    max_unpacked_mb: int = 1024
    max_ratio: int = 200
    max_members: int = 10_000

    @classmethod
    def from_environment(cls) -> ArchiveLimits:
        """The limits, each overridable by its ``IMPLEVAL_MAX_…`` variable.

        Raises
        ------
        ConfigError
            When a variable is set but is not a whole number of at least 1.
        """
        values = {}
        for field, variable in _VARIABLES.items():
            raw = os.environ.get(variable)
            if raw is None or not raw.strip():
                continue
            try:
                value = int(raw.strip())
            except ValueError:
                value = 0
            if value < 1:
                raise ConfigError(
                    f"{variable}: expected a whole number of at least 1; found {raw!r}. Hint: "
                    f"set it like {variable}={getattr(cls(), field) * 2}, or unset it for the "
                    f"default."
                )
            values[field] = value
        return cls(**values)


_VARIABLES = {
    "max_unpacked_mb": "IMPLEVAL_MAX_UNPACKED_MB",
    "max_ratio": "IMPLEVAL_MAX_ZIP_RATIO",
    "max_members": "IMPLEVAL_MAX_ZIP_MEMBERS",
}


def check_archive(zf: zipfile.ZipFile, name: str, error: type[PipelineError], *, what: str) -> None:
    """Refuse an archive beyond the limits, before any member is unpacked.

    Parameters
    ----------
    zf
        The open archive (only its directory has been read).
    name
        The file name shown in the message.
    error
        The kind's error class (e.g. ``ResponseDataError``).
    what
        What the file should be, for the hint (e.g. ``Excel workbook``).
    """
    limits = ArchiveLimits.from_environment()
    infos = zf.infolist()
    hint = f"Hint: check that {name} is the {what} you exported"
    if len(infos) > limits.max_members:
        raise error(
            f"{name}: the archive holds {len(infos)} members, more than the limit of "
            f"{limits.max_members}. {hint}; to take it anyway, raise the limit with "
            f"IMPLEVAL_MAX_ZIP_MEMBERS={len(infos)}."
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_mb * MB:
        need = -(-total // MB)
        raise error(
            f"{name}: unpacks to {need} MB, more than the limit of {limits.max_unpacked_mb} MB. "
            f"{hint}; to take it anyway, raise the limit with IMPLEVAL_MAX_UNPACKED_MB={need}."
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise error(
                f"{name}: member {info.filename} unpacks to {ratio:.0f} times its packed size, "
                f"more than the limit of {limits.max_ratio} (a zip bomb looks like this). {hint}; "
                f"to take it anyway, raise the limit with IMPLEVAL_MAX_ZIP_RATIO={int(ratio) + 1}."
            )
