"""One impleval command at a time in the project's store: a lock file beside it, held by every access.

Every command that touches the store, to write *or* to read, holds the project lock for the
duration (an ingest from landing to commit, a reader while its connection is open). DuckDB lets a
file be open either by one writing process or by several read-only ones, never both: without the
lock, an ingest that starts while another command reads fails with DuckDB's "Conflicting lock is
held". Readers take the same exclusive lock as writers rather than a shared one: every read is
short (the frames are read, the connection closed, then the computing starts), so turns cost
little, and one kind of lock works the same on Linux, macOS and Windows (``filelock``).

Within one process the lock is re-entrant: an ingest holds it and the store it opens takes it
again without waiting. A command that has to wait says once, on stderr, which command it waits for
(the holder writes its pid and what it does to ``lock.holder`` beside the lock file).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from project.errors import StoreError

#: Held locks of this process: lock path → (the lock, how many holds are open).
_HELD: dict[str, tuple[FileLock, int]] = {}
_GUARD = threading.RLock()


def holder_path(lock: Path) -> Path:
    """The file that names the current holder of ``lock`` (pid and purpose)."""
    return lock.with_name(lock.name + ".holder")


def _command() -> str:
    """The impleval command this process runs (``impleval run``), as far as argv tells."""
    if Path(sys.argv[0]).name == "impleval" and len(sys.argv) > 1:
        return f"impleval {sys.argv[1]}"
    return "impleval"


def _holder(lock: Path) -> str:
    """``" (pid N: purpose)"`` of the current holder, or ``""`` when not known."""
    try:
        info = json.loads(holder_path(lock).read_text(encoding="utf-8"))
        return f" (pid {int(info['pid'])}: {info['purpose']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _write_holder(lock: Path, purpose: str) -> None:
    """Name this process as the holder (best effort: the lock holds without it)."""
    target = holder_path(lock)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps({"pid": os.getpid(), "purpose": purpose}), encoding="utf-8")
        os.replace(tmp, target)


def _acquire(lock_path: Path, purpose: str, timeout: float, poll: float) -> FileLock:
    lock = FileLock(lock_path, thread_local=False)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        print(
            f"waiting for another impleval command{_holder(lock_path)} on this project to finish …",
            file=sys.stderr,
            flush=True,
        )
        try:
            lock.acquire(timeout=timeout, poll_interval=poll)
        except Timeout:
            raise StoreError(
                f"{lock_path.parent.parent.name}: another impleval command has held the project "
                f"for over {timeout:.0f} s{_holder(lock_path)}. Hint: let it finish, or stop it "
                f"and run again."
            ) from None
    _write_holder(lock_path, purpose)
    return lock


@contextlib.contextmanager
def project_lock(
    path: Path, *, purpose: str | None = None, timeout: float = 600.0, poll: float = 0.2
) -> Iterator[None]:
    """Hold the project lock at ``path``; wait (saying so once) while another command holds it.

    Parameters
    ----------
    path
        The lock file (``.impleval/lock``); its folder is created.
    purpose
        What the holder does, shown to a command that waits (e.g. ``ingest nomad_T1.csv``;
        by default the impleval command this process runs).
    timeout
        Seconds to wait before giving up with a :class:`StoreError`.
    poll
        Seconds between attempts while waiting.
    """
    path = Path(path)
    key = os.path.abspath(path)
    with _GUARD:
        held = _HELD.get(key)
        if held is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            held = (_acquire(path, purpose or _command(), timeout, poll), 0)
        _HELD[key] = (held[0], held[1] + 1)
    try:
        yield
    finally:
        with _GUARD:
            lock, count = _HELD[key]
            if count > 1:
                _HELD[key] = (lock, count - 1)
            else:
                del _HELD[key]
                with contextlib.suppress(OSError):
                    holder_path(path).unlink()
                lock.release()


def store_lock(warehouse: Path) -> Path:
    """The lock file of the store at ``warehouse`` (beside it: ``.impleval/lock``)."""
    return Path(warehouse).parent / "lock"
