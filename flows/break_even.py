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
#: about N × 4,711. Measured on the shared 2-core machine, the analyse stage alone, wall s of
#: ``bench/executors.py --scales 1 5 7 10 --executors embedded local:2`` (three runs, load 1-2.6;
#: embedded / local:2, the cluster started as this module does, while the rest is planned):
#: 1× 6.5/10.6, 8.5/9.4, 6.6/14.5; 5× 10.7/13.5, 13.1/18.0, 11.3/14.1; 7× 13.5/21.2,
#: 16.4/20.4, 16.3/19.7; 10× 16.7/16.6, 17.7/18.1, 20.5/25.1; and ``--scales 10 20`` on a quiet
#: machine: 10× 20.9/21.0, 20× 36.7/26.5 (100×: 102-108/60-72, docs/scale.md). The cluster's
#: start (~4-5 s: the workers spawned, the statistics libraries imported in each) is paid back
#: from about 10× (47,166 rows: level) and well before 20× (10 s faster); below, two workers are
#: 1-8 s slower. On a busy machine the cluster gains less (it needs the free cores).
LOCAL_BREAK_EVEN_ROWS = 50_000.0
#: The same for a running cluster (``tcp://``; nothing to start). Measured at 1× with ``dask
#: scheduler`` and two ``dask worker --nthreads 1`` on 127.0.0.1, ``impleval run --stage analyse
#: --force`` four times each, alternating (wall s): embedded 7.7, 8.2, 6.5, 6.7; on the cluster
#: 8.5 (fresh workers importing the libraries), then 5.6, 5.3, 6.6. Never slower once the workers
#: have run a unit: a running cluster is always used.
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
