"""``impleval run`` when nothing changed, answered before the pipeline is loaded.

The console entry point. A plain ``impleval run`` (or ``run -p DIR``) that finds every stage up to
date (:func:`flows.run.run_project`, under the project lock) records what it saw in
``.impleval/up-to-date.json``, and so does any run that did work and left every stage up to date
for a plain run's settings (it makes the same check again at its end, under the same lock):

- every file of the project folder by size, modification time and inode, taken *before* the
  verdict, so that whatever changes afterwards no longer matches; a file modified in the few
  seconds before is recorded by its content too, as its time may not tell a change in the same
  clock tick (git's "racily clean" entries);
- the code's files (the packages of the pipeline) the same way, and every ``IMPLEVAL_*`` setting
  and the Python that ran it;
- the lines that run printed (warnings, ``up to date``) and the reports it named.

The next plain ``impleval run [-p DIR]`` compares the folder with that record here, with the
standard library only (no typer, pydantic, DuckDB or the pipeline: that import alone costs more
than the whole answer): the same folder gives the same answer at once; anything else — another
option, a file added, removed, touched or rewritten, another setting, an unreadable record — goes
to the full check, which decides as always. The record never says more than the full check said
for exactly these files; a file changed without its size, time and inode changing (a clock set
back by hand) is the one thing it cannot see.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

RECORD = Path(".impleval") / "up-to-date.json"
_SKIP = {RECORD.as_posix(), ".impleval/lock", ".impleval/lock.holder"}
"""The record itself, the lock file and the file naming its holder (pid and purpose)."""
_FORMAT = 1
_RACY_NS = 3_000_000_000
"""Files modified less than this before the snapshot are recorded by their content as well."""
_CODE = (
    *("flows", "project", "instruments", "privacy", "store", "validation", "ingest"),
    *("analysis", "reports", "waves", "releases"),
)
"""The pipeline's packages: a change to any of them may change the answer."""


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path, skip: Iterable[str] = ()) -> dict[str, Path]:
    found: dict[str, Path] = {}
    skipped = set(skip)
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if rel not in skipped:
                found[rel] = path
    return found


def _entries(files: dict[str, Path], now_ns: int | None) -> dict[str, list[Any]]:
    """``rel → [size, mtime_ns, inode, sha256 or None]``; with ``now_ns``, the content of files
    modified within :data:`_RACY_NS` of it."""
    out: dict[str, list[Any]] = {}
    for rel, path in sorted(files.items()):
        st = path.stat()
        racy = now_ns is not None and st.st_mtime_ns > now_ns - _RACY_NS
        out[rel] = [st.st_size, st.st_mtime_ns, st.st_ino, _sha(path) if racy else None]
    return out


def _code_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _settings() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.startswith("IMPLEVAL_")}
    return env | {"python": sys.executable, "version": sys.version}


def snapshot(project_dir: Path) -> dict[str, Any]:
    """What the project folder, the code and the settings are now (see the module docstring)."""
    now = time.time_ns()
    root = Path(project_dir)
    code = _code_root()
    return {
        "files": _entries(_files(root, _SKIP), now),
        "code": _entries({f"{p}/{r}": f for p in _CODE for r, f in _files(code / p).items()}, now),
        "settings": _settings(),
    }


def record(project_dir: Path, seen: dict[str, Any], lines: Sequence[str], reports: Sequence[str]):
    """Write the record of an up-to-date answer: ``seen`` is the :func:`snapshot` taken before the
    verdict, ``lines`` what was printed, ``reports`` the report files (relative to the project
    folder) that ``run`` names when they exist."""
    target = Path(project_dir) / RECORD
    body = {"format": _FORMAT, **seen, "lines": list(lines), "reports": list(reports)}
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def forget(project_dir: Path) -> None:
    """Drop the record (a run that did work: the next answer is the full check's)."""
    (Path(project_dir) / RECORD).unlink(missing_ok=True)


def _same(kept: dict[str, list[Any]], files: dict[str, Path]) -> bool:
    if kept.keys() != files.keys():
        return False
    for rel, (size, mtime, inode, sha) in kept.items():
        st = files[rel].stat()
        if (st.st_size, st.st_mtime_ns, st.st_ino) != (size, mtime, inode):
            return False
        if sha is not None and _sha(files[rel]) != sha:
            return False
    return True


def _project_arg(argv: Sequence[str]) -> str | None:
    """The project folder of a plain ``run [-p DIR]``; ``None`` for anything else."""
    if not argv or argv[0] != "run":
        return None
    rest = list(argv[1:])
    if not rest:
        return "."
    if len(rest) == 2 and rest[0] in ("-p", "--project"):
        return rest[1]
    if len(rest) == 1 and rest[0].startswith("--project="):
        return rest[0].split("=", 1)[1]
    return None


def recorded_answer(argv: Sequence[str]) -> list[str] | None:
    """The lines of ``impleval run`` from the record when nothing changed since; ``None`` when
    the full check must decide."""
    arg = _project_arg(argv)
    if not arg:
        return None
    root = Path(arg)
    try:
        kept = json.loads((root / RECORD).read_text(encoding="utf-8"))
        if kept.get("format") != _FORMAT or kept.get("settings") != _settings():
            return None
        code = _code_root()
        here = {f"{p}/{r}": f for p in _CODE for r, f in _files(code / p).items()}
        if not _same(kept["code"], here) or not _same(kept["files"], _files(root, _SKIP)):
            return None
        reports = [root / rel for rel in kept["reports"] if (root / rel).is_file()]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return [*kept["lines"], *(["Reports:"] if reports else []), *(f"  {p}" for p in reports)]


def main() -> None:
    """``impleval``: a plain ``run`` of an unchanged project is answered here, everything else by
    the command line (:mod:`flows.cli`)."""
    lines = None
    with contextlib.suppress(Exception):  # any doubt: the full check decides
        lines = recorded_answer(sys.argv[1:])
    if lines is not None:
        print("\n".join(lines), flush=True)
        return
    from flows.cli import main as cli_main

    cli_main()
