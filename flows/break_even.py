"""When a Dask cluster is worth using for a stage's work units (``impleval run --dask``).

Starting a local cluster — its worker processes spawned, the statistics libraries imported in
each — costs seconds of wall time; the cluster then runs the units faster than one process only
by as much as the units can run side by side. A stage knows the work it planned (the sum of its
units' costs, in respondent rows, :mod:`flows.analyse`); below :func:`break_even` the saving does
not pay for the start, and :class:`flows.executors.DaskExecutor` runs the units in this process
(``--dask-always``, project.yaml's ``executor.dask_always``, uses the cluster anyway).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.executors import DaskTarget

#: The planned work (respondent rows, :mod:`flows.analyse`) from which a local cluster of two or
#: more workers is worth starting: where its saving on the units makes up for its start.
#: Measured on the 2-core machine, analyse stage alone (wall s, embedded / local:2):
#: MEASUREMENT PLACEHOLDER
LOCAL_BREAK_EVEN_ROWS = 50_000.0
#: The same for a running cluster (``tcp://``; nothing to start): MEASUREMENT PLACEHOLDER
REMOTE_BREAK_EVEN_ROWS = 0.0


def break_even(target: DaskTarget) -> float:
    """The planned work (respondent rows) from which ``target`` runs the units faster than this
    process, its start included; ``inf`` for one local worker (never faster: it does the same
    work one process away, 1.1-1.5x the embedded run's time at 1x to 100x)."""
    if not target.local:
        return REMOTE_BREAK_EVEN_ROWS
    return math.inf if target.workers < 2 else LOCAL_BREAK_EVEN_ROWS


def below_break_even(target: DaskTarget, work: float) -> str:
    """The one line a run says when it keeps ``work`` in this process."""
    limit = break_even(target)
    why = (
        "one local worker is never faster than this process"
        if math.isinf(limit)
        else f"{limit:,.0f} respondent rows"
    )
    return (
        f"dask: the planned work ({work:,.0f} respondent rows) is below the cluster's "
        f"break-even ({why}); running in this process — pass --dask-always (project.yaml: "
        f"executor.dask_always: true) to use the cluster {target} anyway"
    )
