"""One writer per project: a lock file under ``.impleval/`` held for the duration of a write."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from project.errors import StoreError


@contextlib.contextmanager
def project_lock(path: Path, *, timeout: float = 600.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the project's write lock; wait (saying so once) while another impleval holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{path.parent.parent.name}: another impleval command has held the project "
                        f"for over {timeout:.0f} s. Hint: let it finish, or stop it and run again."
                    ) from None
                if not told:
                    print(
                        "Waiting for another impleval command on this project to finish ...",
                        file=sys.stderr,
                    )
                    told = True
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
