"""The command-line options that run work units on a Dask cluster: ``--dask`` and
``--dask-always`` (docs/scale.md)."""

from __future__ import annotations

from typing import Annotated

import typer

DaskOpt = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="ADDRESS",
        help="Run the work units (the analysis's; one per report with --for all) on a Dask "
        "cluster: tcp://HOST:PORT (a running `dask scheduler`) or local:N (N worker processes "
        "here); default: executor.dask in project.yaml, else this process. Work below the "
        "cluster's break-even stays in this process (--dask-always). The results files are the "
        "same (docs/scale.md).",
    ),
]
DaskAlwaysOpt = Annotated[
    bool,
    typer.Option(
        "--dask-always",
        help="Use the --dask cluster even when the planned work is below its break-even (where "
        "it would run slower than this process, which then does the work; docs/scale.md).",
    ),
]


def check_dask(dask: str | None) -> None:
    if dask is not None:  # a wrong address is one line before anything runs
        from flows.executors import parse_dask

        parse_dask(dask)
