"""Prefect settings for local runs: quiet, no telemetry, and a disposable home outside the project.

Must run before ``prefect`` is imported. A user's own ``PREFECT_API_URL`` (a team server) or
``PREFECT_HOME`` is respected.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

QUIET = {
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_ENABLED": "true",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "PREFECT_TASKS_DEFAULT_PERSIST_RESULT": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "GX_ANALYTICS_ENABLED": "false",
}


def configure_prefect() -> None:
    """Set quiet local defaults (without overriding what the user set)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    os.environ.setdefault("PREFECT_HOME", str(cache / "impleval" / "prefect"))
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    for key, value in QUIET.items():
        os.environ.setdefault(key, value)
    # Locally nobody reads Prefect's logs: a failed task's traceback would only repeat, as noise,
    # the one-line error the CLI prints. With a team server (PREFECT_API_URL) or --debug they stay.
    local = not os.environ.get("PREFECT_API_URL") and os.environ.get("IMPLEVAL_DEBUG") != "1"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL" if local else "WARNING")
    # The temporary server logs a closed-stream error at interpreter exit; it is noise, not a failure.
    logging.raiseExceptions = False
