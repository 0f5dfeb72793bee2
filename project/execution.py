"""Where a run's work runs: project.yaml's ``executor:`` section (docs/scale.md)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from project.strict import Strict

#: ``local:N`` or a Dask scheduler address (``tcp://HOST:PORT``; ``tls://`` and ``ucx://`` too).
DASK_ADDRESS = re.compile(r"local:\d+|(tcp|tls|ucx)://[^\s/:]+:\d{1,5}")


class ExecutorSettings(Strict):
    """Where the analysis's work units run (docs/scale.md); ``impleval run --dask`` overrides."""

    dask: str | None = Field(
        default=None,
        description="A Dask scheduler, tcp://HOST:PORT, or local:N for N worker processes on "
        "this machine; unset: in the run's own process.",
    )

    dask_always: bool = Field(
        default=False,
        description="Run the units on the dask cluster whatever the planned work (default: in "
        "the run's own process when it is below the cluster's break-even); "
        "impleval run --dask-always.",
    )

    @field_validator("dask")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not DASK_ADDRESS.fullmatch(value):
            raise ValueError("expected tcp://HOST:PORT or local:N, e.g. local:2")
        return value

    @model_validator(mode="after")
    def _always_needs_a_cluster(self) -> ExecutorSettings:
        if self.dask_always and self.dask is None:
            raise ValueError("dask_always: true needs dask: (local:N or tcp://HOST:PORT)")
        return self
