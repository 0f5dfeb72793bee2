"""Where a run's work runs: project.yaml's ``executor:`` section (docs/scale.md)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

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

    @field_validator("dask")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not DASK_ADDRESS.fullmatch(value):
            raise ValueError("expected tcp://HOST:PORT or local:N, e.g. local:2")
        return value
