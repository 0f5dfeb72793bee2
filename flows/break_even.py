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
#: more workers is worth starting. The example plans 4,711 rows, a benchmark project of scale N
#: about N × 4,711. Measured on the shared 2-core machine, the analyse stage alone, wall s,
#: embedded / ``local:2`` (the cluster started as :mod:`flows.executors` does it), nothing else
#: running (load < 1.6): ``bench/executors.py --scales 1 3 5 10 --executors embedded
#: local:2+always``, twice, and ``--scales 1 10`` once: 1× 5.9/7.7, 5.7/8.4, 7.0/7.0;
#: 3× 8.8/11.5, 7.9/8.5; 5× 11.4/10.4, 10.6/12.3; 10× 16.9/14.2, 17.4/14.8, 16.8/14.2 (and 20×
#: 36.7/26.5, 100× 102-108/60-72, docs/scale.md). The cluster's start (the workers spawned, the
#: statistics libraries imported in each) is paid back from about 5-6× (26,000 rows: level at
#: 5×, +0.4 s median, 2.6 s faster at 10×). With another job on the machine the cluster gains
#: less (it needs the free cores): level only at 10× in four such runs (1-8 s slower below).
LOCAL_BREAK_EVEN_ROWS = 25_000.0
#: The same for a running cluster (``tcp://``; nothing to start). Measured at 1× with ``dask
#: scheduler`` and two ``dask worker --nthreads 1`` on 127.0.0.1, ``impleval run --stage analyse
#: --force`` four times each, alternating (wall s): embedded 7.7, 8.2, 6.5, 6.7; on the cluster
#: 8.5 (fresh workers importing the libraries), then 5.6, 5.3, 6.6. Never slower once the workers
#: have run a unit: a running cluster is always used.
REMOTE_BREAK_EVEN_ROWS = 0.0


def break_even(target: DaskTarget) -> float:
    """The planned work (respondent rows) from which ``target`` runs the units faster than this
    process, its start included; ``inf`` for one local worker (never faster: it does the same
    work one process away: 1.0-1.5x the embedded run's time at 1x to 100x, docs/scale.md)."""
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
