"""Prefect settings for the runs that go through Prefect (a team server, ``impleval serve``,
scale-out): quiet, no telemetry, a home outside the project.

Must run before ``prefect`` is imported. The user's own ``PREFECT_API_URL`` and ``PREFECT_HOME``
are respected. Embedded runs never get here: they start no Prefect at all.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "PREFECT_TASKS_DEFAULT_PERSIST_RESULT": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "GX_ANALYTICS_ENABLED": "false",
}

#: Modules whose exceptions mean "Prefect or its connection failed", not "our code failed".
_PREFECT_MODULES = ("prefect", "httpx", "httpcore", "anyio", "h11", "sqlalchemy", "uvicorn")


def prefect_home() -> Path:
    """Where Prefect keeps its settings and, for ``impleval server start``, its database."""
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return Path(os.environ.get("PREFECT_HOME") or data / "impleval" / "prefect").expanduser()


def configure_prefect() -> None:
    """Set quiet defaults (without overriding what the user set)."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    for key, value in QUIET.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault(
        "PREFECT_LOGGING_LEVEL", "DEBUG" if os.environ.get("IMPLEVAL_DEBUG") == "1" else "WARNING"
    )
    # A server shutting down may log to a closed stream at interpreter exit: noise, not a failure.
    logging.raiseExceptions = False


def prefect_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) comes from Prefect or its connection to the server."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if type(current).__module__.split(".")[0] in _PREFECT_MODULES:
            return True
        if isinstance(current, ConnectionError | TimeoutError):
            return True
        current = current.__cause__ or current.__context__
    return False
