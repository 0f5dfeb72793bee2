"""Where a stage's work units run: in this process (the default) or on a Dask cluster.

A work unit is a call of a pure function on the part of the data it needs (see
:mod:`flows.units`). An executor runs a list of them and hands back their results **in the order
given**, whatever order they finish in, so the tables put together from them — and the results
files — are the same wherever the units ran.

- :class:`InProcess` calls them one after another in this process (embedded runs).
- :class:`DaskExecutor` submits them to a Dask scheduler with ``distributed.Client`` and gathers
  them: ``--dask tcp://HOST:PORT`` (an existing cluster) or ``--dask local:N`` (a ``LocalCluster``
  of N worker processes on 127.0.0.1). No Prefect server is needed. The cluster is connected to
  only when units are run on it, after the stage planned them, so an up-to-date run starts
  nothing.

**Break-even.** Starting a local cluster (worker processes spawned, the statistics libraries
imported in each) costs a few seconds; on the example's data that is more than the whole
analysis. A stage tells :meth:`DaskExecutor.run` the work it planned (``work``: the sum of its
units' costs, in respondent rows, :mod:`flows.analyse`); while no cluster is open and that work
is below :func:`break_even`, the units run in this process, as in the embedded run, and the run
says so in one line. ``--dask-always`` (project.yaml's ``executor.dask_always``) uses the cluster
whatever the work. A cluster once open serves every later stage (its start is paid).

Every unit runs with **one BLAS thread** (:func:`one_blas_thread`): a mixed model's last digits
depend on how many threads its matrix products are split over, and Dask's workers start with one,
so without this a cluster's results (and a 2-core machine's against an 8-core one's) could
differ in the 16th digit.

On a cluster whose workers see the project's store (a local cluster; remote workers with the
project on a shared file system at the same path), the survey units read their own partition of
the store (:mod:`flows.units`) instead of being sent frames; a cluster whose workers do not see it
gets the frames from the client, as pickles. The units are submitted largest first (their
``cost``), so the last one to start is a small one and no worker waits long for the others.
Only pseudonymised data cross to the workers (the store holds nothing else); the
pseudonymisation key is never read here.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from flows.break_even import below_break_even, break_even
from project.errors import ConfigError, PipelineError

#: ``local:N`` or a scheduler address such as ``tcp://10.0.0.5:8786``.
_LOCAL = re.compile(r"^local:(\d+)$")
_REMOTE = re.compile(r"^(tcp|tls|ucx)://[^\s/:]+:\d{1,5}$")
#: How long a scheduler may take to answer before the run gives up with a hint.
CONNECT_TIMEOUT_S = 15

Progress = Callable[[str, int, int], None]

#: Dask settings of the workers a ``local:N`` cluster starts. The statistical profiler feeds the
#: dashboard, which is off (~15 % of the workers' CPU). ``MALLOC_TRIM_THRESHOLD_``, which Dask's
#: nanny sets for each worker, fixes glibc's thresholds and so turns off their dynamic
#: adjustment: every array over 128 KiB is then mapped and unmapped anew, and the mixed models
#: and ω's bootstrap, which allocate many such arrays, spent about as much CPU in the kernel as in
#: Python (39 s of system time at 100×, none in the embedded run). Unset, a worker allocates as
#: the embedded run's process does.
LOCAL_WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


@dataclass(frozen=True)
class Call:
    """One work unit: ``function(*args, **kwargs)``; ``name`` says what it is (progress);
    ``cost`` how long it runs against the others (any unit; a cluster starts the costliest
    first; the order of the results never changes); ``group`` the part of the data it reads,
    shared with the other units of that group (a cluster gets them one after another, so a
    worker reads the part once: :func:`flows.units.cached_frames`)."""

    name: str
    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    cost: float = 0.0
    group: str = ""


def submission_order(calls: Sequence[Call]) -> list[int]:
    """The indices of ``calls`` in the order a cluster starts them: the groups by their
    costliest unit, costliest first, each group's units together and costliest first (a call
    without a group is a group of its own); ties in the plan's order."""
    top: dict[str, float] = {}
    first: dict[str, int] = {}
    groups = [call.group or f"#{index}" for index, call in enumerate(calls)]
    for index, (group, call) in enumerate(zip(groups, calls, strict=True)):
        top[group] = max(top.get(group, call.cost), call.cost)
        first.setdefault(group, index)
    return sorted(
        range(len(calls)),
        key=lambda i: (-top[groups[i]], first[groups[i]], -calls[i].cost, i),
    )


class Executor(Protocol):
    """Runs calls and returns their results in the order given."""

    def share(self, value: Any) -> Any:
        """``value`` as an argument several calls use (sent to a cluster once)."""

    def reads_store(self, store: Path) -> bool:
        """Whether the units should read their data from ``store`` themselves (the workers see
        it) rather than be given frames read here."""

    def expect(self, work: float) -> bool:
        """The stage has planned ``work`` (respondent rows) so far: whether its units will run on
        a cluster, as far as that work tells (one worth it for that may start now, while the
        rest is planned)."""

    def run(
        self, calls: Sequence[Call], *, progress: Progress | None = None, work: float | None = None
    ) -> list[Any]:
        """Every call's result, in the order of ``calls``; ``work``: what they cost together in
        respondent rows, when the stage knows (a cluster not worth starting is not started)."""


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Linear algebra (OpenBLAS, MKL, OpenMP) on one thread inside the block."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


class InProcess:
    """The embedded default: each call in this process, in turn."""

    def share(self, value: Any) -> Any:
        return value

    def reads_store(self, store: Path) -> bool:
        return False  # the frames read once here serve every unit

    def expect(self, work: float) -> bool:
        return False

    def run(
        self, calls: Sequence[Call], *, progress: Progress | None = None, work: float | None = None
    ) -> list[Any]:
        results = []
        with one_blas_thread():
            for done, call in enumerate(calls):
                if progress:
                    progress(call.name, done, len(calls))
                results.append(call.function(*call.args, **call.kwargs))
        return results


@dataclass(frozen=True)
class DaskTarget:
    """A parsed ``--dask`` value: a scheduler ``address``, or ``workers`` local processes."""

    address: str | None = None
    workers: int = 0

    @property
    def local(self) -> bool:
        return self.address is None

    def __str__(self) -> str:
        return self.address or f"local:{self.workers}"


def parse_dask(text: str, *, where: str = "--dask") -> DaskTarget:
    """``local:N`` or ``tcp://HOST:PORT`` as a :class:`DaskTarget`.

    Raises
    ------
    ConfigError
        For anything else, with the two spellings that work.
    """
    text = text.strip()
    if match := _LOCAL.match(text):
        workers = int(match.group(1))
        if 1 <= workers <= 256:
            return DaskTarget(workers=workers)
    elif _REMOTE.match(text):
        return DaskTarget(address=text)
    raise ConfigError(
        f"{where}: {text!r} is not a Dask scheduler address. Expected tcp://HOST:PORT (a running "
        f"`dask scheduler`, port 8786 by default) or local:N (N worker processes on this "
        f"machine, 1-256). Hint: e.g. --dask local:2 or --dask tcp://127.0.0.1:8786."
    )


def _quiet(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run one unit on a worker: one BLAS thread, library warnings off the worker's terminal."""
    with warnings.catch_warnings(), one_blas_thread():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@dataclass(frozen=True)
class _Shared:
    """A value several calls take (:meth:`DaskExecutor.share`), sent to the cluster only if the
    calls run there."""

    index: int


def _resolved(call: Call, value: Callable[[_Shared], Any]) -> Call:
    """``call`` with each shared value among its arguments replaced by ``value(it)``."""

    def one(argument: Any) -> Any:
        return value(argument) if isinstance(argument, _Shared) else argument

    args = tuple(one(a) for a in call.args)
    return replace(call, args=args, kwargs={k: one(v) for k, v in call.kwargs.items()})


class DaskExecutor:
    """Work units on a Dask cluster through ``distributed.Client`` (connected on first use);
    planned work below the cluster's :func:`break_even` runs in this process unless ``always``
    (``say`` gets the one line that says so)."""

    def __init__(
        self,
        target: DaskTarget,
        *,
        always: bool = False,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.target = target
        self.always = always
        self._say = say
        self._client: Any = None
        self._cluster: Any = None
        self._values: dict[int, Any] = {}
        self._futures: dict[int, Any] = {}
        self._count = itertools.count()
        self._token = uuid.uuid4().hex[:8]
        self._sees: dict[str, bool] = {}
        self._said = False
        self._opening: threading.Thread | None = None
        self._failed: BaseException | None = None

    def _connect(self) -> Any:
        if self._opening is not None:  # started while the stage planned: ready, or nearly
            self._opening.join()
            self._opening = None
        if self._failed is not None:
            failed, self._failed = self._failed, None
            raise failed
        if self._client is None:
            self._client, self._cluster = _open_client(self.target)
            # each worker imports what the units run, apart from the units (it goes on answering)
            self._client.run(_import, UNIT_MODULES, wait=False)
        return self._client

    def expect(self, work: float) -> bool:
        """Whether the cluster will be used (open, forced, or ``work`` at its break-even); a
        local one not yet open starts now, in a thread of its own: its workers spawn and import
        while this process plans the rest."""
        worth = self._worth(work)
        if worth and not self.started and self.target.local:
            self._opening = threading.Thread(target=self._open_quietly, daemon=True)
            self._opening.start()
        return worth

    def _open_quietly(self) -> None:
        try:
            self._client, self._cluster = _open_client(self.target)
            self._client.run(_import, UNIT_MODULES, wait=False)
        except BaseException as exc:  # raised where the units need the cluster
            self._failed = exc

    @property
    def break_even(self) -> float:
        return break_even(self.target)

    def _worth(self, work: float) -> bool:
        """Whether units of ``work`` go to the cluster: it is open (its start paid), forced, or
        the work reaches its break-even."""
        return self.started or self.always or work >= self.break_even

    @property
    def started(self) -> bool:
        """Whether this executor has connected to (or started, or is starting) its cluster."""
        return self._client is not None or self._opening is not None

    def share(self, value: Any) -> Any:
        """A stand-in for ``value``: scattered to the cluster once if the calls run there."""
        index = next(self._count)
        self._values[index] = value
        return _Shared(index)

    def _shared(self, shared: _Shared) -> Any:
        if shared.index not in self._futures:
            value = self._values.pop(shared.index)
            self._futures[shared.index] = self._connect().scatter(value, hash=False)
        return self._futures[shared.index]

    def reads_store(self, store: Path) -> bool:
        """Local workers see the store; remote ones are asked once whether the file is there
        (all of them: any worker may get any unit)."""
        if self.target.local:
            return True
        path = str(Path(store).resolve())
        if path not in self._sees:
            answers = self._connect().run(os.path.isfile, path)
            self._sees[path] = bool(answers) and all(answers.values())
        return self._sees[path]

    def run(
        self, calls: Sequence[Call], *, progress: Progress | None = None, work: float | None = None
    ) -> list[Any]:
        """The calls on the cluster; in this process when ``work`` is below the break-even and
        no cluster is open yet (nor ``always``)."""
        try:
            if work is not None and not self._worth(work):  # unknown work: the cluster
                return self._here(calls, progress, work)
            return self._on_cluster([_resolved(c, self._shared) for c in calls], progress)
        finally:  # what the calls shared is theirs alone
            self._values.clear()
            self._futures.clear()

    def _here(self, calls: Sequence[Call], progress: Progress | None, work: float) -> list[Any]:
        from flows.units import clear_cache

        if not self._said and self._say is not None:
            self._say(below_break_even(self.target, work))
            self._said = True
        try:
            here = [_resolved(c, lambda s: self._values[s.index]) for c in calls]
            return InProcess().run(here, progress=progress)
        finally:
            clear_cache()  # the frames units read here are not kept for a next run

    def _on_cluster(self, calls: Sequence[Call], progress: Progress | None) -> list[Any]:
        from distributed import as_completed

        client = self._connect()
        # costliest first, a group's units together (the scheduler breaks ties by submission)
        order = submission_order(calls)
        submitted = {
            i: client.submit(
                _quiet,
                calls[i].function,
                calls[i].args,
                calls[i].kwargs,
                key=self._key(calls[i], i),
                priority=len(calls) - rank,
            )
            for rank, i in enumerate(order)
        }
        futures = [submitted[i] for i in range(len(calls))]
        try:
            for done, _ in enumerate(as_completed(futures), 1):
                if progress:
                    progress("units on the cluster", done, len(futures))
            results: list[Any] = client.gather(futures)
        except Exception as exc:
            if not _cluster_failure(exc):
                raise  # a unit's own error: the same as in an embedded run
            raise PipelineError(
                f"--dask {self.target}: the cluster failed while running the work units "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}). "
                f"Hint: a worker that runs out of memory is restarted and, after a few tries, "
                f"given up on; give the workers more memory (dask worker --memory-limit) or run "
                f"without --dask."
            ) from exc
        return results

    def _key(self, call: Call, index: int) -> str:
        """A unique Dask key that names the unit (as Dask's dashboard shows it)."""
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", call.name)
        return f"impleval-{self._token}-{index:05d}-{name}"

    def close(self) -> None:
        if self._opening is not None:
            self._opening.join()
            self._opening = None
        self._values.clear()
        self._futures.clear()
        if self._client is not None and not self.target.local:
            _forget_frames(self._client)  # a remote cluster's workers outlive the run
        for part in (self._client, self._cluster):
            if part is not None:
                part.close()
        if self._cluster is not None:
            _stop_resource_tracker()
        self._client = self._cluster = None


def _stop_resource_tracker() -> None:
    """Stop the ``multiprocessing`` resource tracker the local cluster's workers needed (started
    by this process when they were spawned), and wait for it: left alone it ends only once this
    process has, as an orphan of the command. Started again if anything needs it later."""
    from multiprocessing import resource_tracker

    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        try:
            stop()
        except Exception:  # the run is over; the tracker then ends with this process
            logging.getLogger(__name__).debug("could not stop the resource tracker", exc_info=True)


#: The modules of the units' functions (the statistics libraries with them): about 2 s of CPU.
UNIT_MODULES = ("analysis.survey", "analysis.indicators", "analysis.codings", "flows.units")


async def _import(modules: Sequence[str]) -> None:
    """Import ``modules`` on a worker, in a thread of its own: the worker goes on answering (Dask
    runs a function without waiting for it only if it is a coroutine)."""
    import asyncio
    import importlib

    def now() -> None:
        for module in modules:
            importlib.import_module(module)

    await asyncio.get_running_loop().run_in_executor(None, now)


def _forget_frames(client: Any) -> None:
    """The workers drop the frames they kept (:func:`flows.units.clear_cache`); a worker that
    cannot be reached any more keeps nothing anyway."""
    from flows.units import clear_cache

    try:
        client.run(clear_cache)
    except Exception:  # the run is over; its results are written
        logging.getLogger(__name__).debug("could not clear the workers' frames", exc_info=True)


def _cluster_failure(exc: BaseException) -> bool:
    """Whether ``exc`` comes from Dask or the network (a worker lost, the scheduler gone), not
    from a unit's own code."""
    module = type(exc).__module__.split(".")[0]
    return module in ("distributed", "tornado") or isinstance(exc, OSError | TimeoutError)


def _quiet_dask_logs() -> None:
    for name in ("distributed", "dask", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _local_cluster(cls: Any, workers: int) -> Any:
    return cls(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )


def _open_client(target: DaskTarget) -> tuple[Any, Any]:
    """A connected client (and the local cluster it owns, if any); one line when it fails."""
    _quiet_dask_logs()
    from distributed import Client, LocalCluster

    if target.local:
        import dask

        with dask.config.set(LOCAL_WORKER_CONFIG):
            cluster = _local_cluster(LocalCluster, target.workers)
        return Client(cluster), cluster
    try:
        return Client(target.address, timeout=CONNECT_TIMEOUT_S), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(
            f"--dask {target.address}: no Dask scheduler answered within {CONNECT_TIMEOUT_S} s "
            f"({type(exc).__name__}). Hint: start one with `dask scheduler` and at least one "
            f"`dask worker {target.address}`, or run on this machine with --dask local:2 or "
            f"without --dask."
        ) from exc


@contextmanager
def open_executor(
    dask: str | None, *, always: bool = False, say: Callable[[str], None] | None = None
) -> Iterator[Executor]:
    """The executor a run asks for: :class:`InProcess` without ``dask``, else a
    :class:`DaskExecutor` (``always``: on the cluster whatever the planned work; ``say``: where
    its one line about the break-even goes) closed, with its local cluster, when the run ends."""
    if not dask:
        yield InProcess()
        return
    executor = DaskExecutor(parse_dask(dask), always=always, say=say)
    try:
        yield executor
    finally:
        executor.close()
