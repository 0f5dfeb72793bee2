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


def group_rss_mib(group: int) -> float:
    """The summed resident memory of the live processes in process group ``group`` (Linux /proc)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[2]) == group:  # after the name: state, ppid, pgrp, …; rss is the 22nd
            total += int(fields[21]) * page
    return total / 2**20


class _Watchdog(threading.Thread):
    """Stops the command's process group when it runs past ``timeout`` seconds or its processes
    together hold more than ``max_rss_mib`` (a guard for a shared machine, checked every second)."""

    def __init__(self, group: int, timeout: float | None, max_rss_mib: float | None) -> None:
        super().__init__(daemon=True)
        self.group, self.timeout, self.max_rss_mib = group, timeout, max_rss_mib
        self.done = threading.Event()
        self.reason: str | None = None

    def run(self) -> None:
        started = time.monotonic()
        while not self.done.wait(1.0):
            if self.timeout and time.monotonic() - started > self.timeout:
                self.reason = f"stopped after the {self.timeout:g} s timeout"
            elif self.max_rss_mib and group_rss_mib(self.group) > self.max_rss_mib:
                self.reason = f"stopped: its processes held more than {self.max_rss_mib:,.0f} MiB"
            if self.reason:
                _signal_group(self.group, signal.SIGTERM)
                if self.done.wait(10.0):
                    return
                _signal_group(self.group, signal.SIGKILL)
                return


def measure(
    command: list[str],
    *,
    env: dict[str, str],
    log: Path,
    cwd: Path | None = None,
    timeout: float | None = None,
    max_rss_mib: float | None = None,
) -> Sample:
    """Run ``command`` to its end (output to ``log``) and measure it.

    ``timeout`` and ``max_rss_mib`` stop its whole process group (SIGTERM, 10 s later SIGKILL).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        watchdog = _Watchdog(proc.pid, timeout, max_rss_mib)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: stop the tree we started, then let the harness stop
            _signal_group(proc.pid, signal.SIGTERM)
            proc.wait()
            _reap_orphans(proc.pid, grace=5.0)  # the rest of its group, e.g. a server it started
            raise
        finally:
            watchdog.done.set()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024  # Linux: KiB
    orphan_cpu, orphan_peak, orphans = _reap_orphans(proc.pid)
    notes = []
    if proc.returncode < 0:
        notes.append(f"ended by {signal.Signals(-proc.returncode).name}")
    if watchdog.reason:
        notes.append(watchdog.reason)
    if orphans:
        notes.append(f"{orphans} process(es) outlived the command; their CPU is included")
    return Sample(wall, cpu + orphan_cpu, max(peak, orphan_peak), proc.returncode, log, notes)
