"""Rewriting a zip container (DOCX, XLSX) member by member: the one place the report's Office
files are changed after their writer (pandoc, openpyxl) has saved them."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

Transform = Callable[[str, bytes], bytes]

_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip member can carry: the stamp of members added without one."""


def rewrite_zip(
    source: Path,
    target: Path,
    transform: Transform | None = None,
    *,
    stamp: tuple[int, int, int, int, int, int] | None = None,
    add: Mapping[str, bytes] | None = None,
) -> Path:
    """Write ``source``'s members to ``target`` in their order, each through
    ``transform(name, data)``; then the members of ``add``. ``source`` and ``target`` may be
    the same file (every member is read first).

    With ``stamp`` every member is written deflated with that date and time (and its file
    attributes), so the same content gives the same bytes whenever it is written; without it
    each member keeps its own header and compression, and added members get 1980-01-01.
    """
    with zipfile.ZipFile(source) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(target, "w") as zout:
        for info, data in members:
            data = transform(info.filename, data) if transform else data
            if stamp is None:
                zout.writestr(info, data, compress_type=info.compress_type)
                continue
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in (add or {}).items():
            zout.writestr(
                zipfile.ZipInfo(name, date_time=stamp or _EPOCH), data, zipfile.ZIP_DEFLATED
            )
    return Path(target)
