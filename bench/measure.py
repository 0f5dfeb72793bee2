"""Measure one command as a user would run it: wall time, CPU seconds and peak memory of its whole
process tree (Linux).

- **CPU** is user + system time from ``os.wait4`` of the child, which includes every descendant the
  tree waited for (pandoc and typst subprocesses, Prefect's temporary server). A descendant that
  outlives its parent would escape that count, so the harness makes itself a *child subreaper*
  (``prctl(PR_SET_CHILD_SUBREAPER)``): such orphans are re-parented to it, reaped here and added.
- **Peak memory** is ``ru_maxrss``: for a waited-for tree Linux reports the largest resident set of
  any *one* process in it, not the sum of processes that ran side by side.
- **Wall** is from the start of the child to its exit (orphans reaped afterwards are not counted).

The command runs in its own process group, so a timeout or Ctrl-C stops the whole tree it started
and nothing else.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
ORPHAN_GRACE_SECONDS = 30.0


@dataclass
class Sample:
    """One measured run of a command."""

    wall_s: float
    cpu_s: float
    peak_mib: float
    exit_code: int
    log: Path
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def become_subreaper() -> bool:
    """Adopt orphaned descendants (so their CPU time is counted); False where Linux's prctl is
    not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_orphans(group: int, grace: float = ORPHAN_GRACE_SECONDS) -> tuple[float, float, int]:
    """Reap descendants re-parented to us; stop the group's stragglers after a grace period.

    Returns (CPU seconds, peak MiB, number of orphans reaped).
    """
    cpu = peak = 0.0
    count = 0
    started = time.monotonic()
    # after the grace period: SIGTERM to the group, 10 s later SIGKILL, 10 s later give up
    steps = [(grace, signal.SIGTERM), (grace + 10, signal.SIGKILL), (grace + 20, None)]
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return cpu, peak, count
        if pid:
            cpu += usage.ru_utime + usage.ru_stime
            peak = max(peak, usage.ru_maxrss / 1024)
            count += 1
            continue
        if steps and time.monotonic() - started > steps[0][0]:
            _, sig = steps.pop(0)
            if sig is None:  # not in the group and not ending: leave it
                return cpu, peak, count
            _signal_group(group, sig)
        time.sleep(0.2)


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)


def measure(
    command: list[str],
    *,
    env: dict[str, str],
    log: Path,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Sample:
    """Run ``command`` to its end (output to ``log``) and measure it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    timed_out = threading.Event()
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )

        def stop() -> None:
            timed_out.set()
            _signal_group(proc.pid, signal.SIGTERM)

        timer = threading.Timer(timeout, stop) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: stop the tree we started, then let the harness stop
            _signal_group(proc.pid, signal.SIGTERM)
            proc.wait()
            _reap_orphans(proc.pid, grace=5.0)  # the rest of its group, e.g. a server it started
            raise
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024  # Linux: KiB
    orphan_cpu, orphan_peak, orphans = _reap_orphans(proc.pid)
    notes = []
    if orphans:
        notes.append(f"{orphans} process(es) outlived the command; their CPU is included")
    if timed_out.is_set():
        notes.append(f"stopped after the {timeout:g} s timeout")
    return Sample(wall, cpu + orphan_cpu, max(peak, orphan_peak), proc.returncode, log, notes)
