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
"""

from __future__ import annotations

import datetime as dt
import socket
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


def with_frames(
    part: SurveyPart,
    function: Callable[..., Any],
    picks: Sequence[int],
    *args: Any,
    **kwargs: Any,
) -> Any:
    """``function(*frames picked, *args, **kwargs)`` with the frames ``part`` reads:
    ``picks`` ``(0,)`` passes ``wide``, ``(0, 1)`` ``wide, long``."""
    frames = part.read()
    return function(*(frames[i] for i in picks), *args, **kwargs)
