"""Work units that read their own data: a small description of a survey partition travels to the
worker, not the frames.

On a Dask cluster whose workers see the project folder (``--dask local:N``, or remote workers
with the project on a shared file system at the same path), a survey unit gets a
:class:`SurveyPart` — the store's path, the instrument, the wave (or every wave), the moment the
store is read as of and the store's data version — and reads its frames itself with a read-only
DuckDB connection (:func:`store.warehouse.open_for_unit`), through the same
:func:`store.reads.read_survey_frames` the embedded run uses, so the frames, and the results
files, are the same. The client only plans: it no longer reads, pivots and pickles each
instrument's frames for every unit.

A worker that finds no store at the path, or a store with other data (another copy of the
project), stops the run with one line saying what it needs.

A worker keeps the frames it read last (:func:`cached_frames`): the three reliability units of a
wave and the survey and wave-comparison units of an instrument read the same partition, and the
executor hands a cluster the units of one partition one after another, so each partition is read
about once per worker instead of once per unit (21 reads at 100×, 18 s of CPU). The cache is keyed
by the whole :class:`SurveyPart` — store, instrument (its definition), wave, ``as_of`` moment and the data version,
which changes with every ingest — so a frame is never served for other data, and it holds at most
:data:`CACHE_BYTES` (the least recently used go first). The units do not change their frames (the
embedded run hands one frame to several units too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from project.errors import StoreError

if TYPE_CHECKING:
    from instruments.spec import InstrumentSpec


@dataclass(frozen=True)
class SurveyPart:
    """Where a unit's survey frames are: ``store`` (the warehouse's path), the instrument's
    ``spec``, one ``wave`` (``None``: every wave), the store ``as_of`` a moment (``None``: as it
    is) and the ``version`` of the data the client planned on."""

    store: str
    spec: InstrumentSpec
    version: str
    wave: str | None = None
    as_of: dt.datetime | None = None

    def read(self) -> tuple[Any, Any]:
        """``(wide, long)`` as :func:`store.reads.read_survey_frames` gives them.

        Raises
        ------
        StoreError
            When this machine has no store at the path, or one with other data.
        """
        from store import reads, warehouse

        path = Path(self.store)
        host = socket.gethostname()
        if not path.is_file():
            raise StoreError(
                f"Dask worker on {host}: no store at {self.store}. Hint: a worker reads its "
                f"unit's data from the project's store itself; run the workers where the project "
                f"folder is at the same path (a shared file system) or run without --dask."
            )
        with warehouse.open_for_unit(path) as con:
            version = warehouse.data_version(con)
            if version != self.version:
                raise StoreError(
                    f"Dask worker on {host}: the store at {self.store} holds other data than "
                    f"the run planned on (an ingest meanwhile, or another copy of the project). "
                    f"Hint: run again; the workers must see the same project folder as the "
                    f"command, or run without --dask."
                )
            with reads.store_as_of(self.as_of):
                return reads.read_survey_frames(con, self.spec, wave=self.wave)


#: The most a worker keeps of frames it read (pandas' deep memory usage), in bytes: one part at a
#: time is what the units of a group need; the largest at 100× (an instrument's every wave, wide
#: and long) is about 80 MiB. A larger part is read by each unit, as if there were no cache.
CACHE_BYTES = 96 * 2**20

_cache: OrderedDict[tuple[Any, ...], tuple[tuple[Any, Any], int]] = OrderedDict()
_cache_lock = threading.Lock()


def _key(part: SurveyPart) -> tuple[Any, ...]:
    """What the frames of ``part`` depend on (the instrument's whole definition included)."""
    spec = hashlib.sha256(part.spec.model_dump_json().encode()).hexdigest()
    return (part.store, part.version, spec, part.wave, part.as_of)


def _size(frames: tuple[Any, Any]) -> int:
    return sum(int(frame.memory_usage(deep=True).sum()) for frame in frames)


def cached_frames(part: SurveyPart, *, limit: int = CACHE_BYTES) -> tuple[Any, Any]:
    """``part.read()``, from this process's cache when it read the same part lately."""
    key = _key(part)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key][0]
    frames = part.read()
    size = _size(frames)
    if size > limit:  # kept, it would push out every other part and then itself
        return frames
    with _cache_lock:
        _cache[key] = (frames, size)
        while _cache and sum(size for _, size in _cache.values()) > limit:
            _cache.popitem(last=False)
    return frames


def clear_cache() -> None:
    """Forget every frame this process keeps (a run on a shared cluster ends)."""
    with _cache_lock:
        _cache.clear()


def with_frames(
    part: SurveyPart,
    function: Callable[..., Any],
    picks: Sequence[int],
    *args: Any,
    **kwargs: Any,
) -> Any:
    """``function(*frames picked, *args, **kwargs)`` with the frames ``part`` reads:
    ``picks`` ``(0,)`` passes ``wide``, ``(0, 1)`` ``wide, long``."""
    frames = cached_frames(part)
    return function(*(frames[i] for i in picks), *args, **kwargs)
