"""The row accounting every ingest prints: rows read = loaded + quarantined, and why."""

from __future__ import annotations

from typing import Protocol

from validation.quarantine import RULES


class Accounted(Protocol):
    """What every ingest report has (surveys, indicators, codings)."""

    file_name: str
    sha256: str
    status: str  # loaded | dry_run | already_loaded
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    reasons: dict[str, int]


def accounting_lines(report: Accounted, *, target: str, what: str) -> list[str]:
    """The first lines of an ingest's summary (no answer content, only counts and rules).

    For an ``already_loaded`` report the single line says so and the caller adds nothing more.
    """
    if report.status == "already_loaded":
        return [
            f"{report.file_name}: already loaded as {what} (same content, sha256 "
            f"{report.sha256[:12]}); nothing to do."
        ]
    verb = "would load" if report.status == "dry_run" else "loaded"
    out = [
        f"{report.file_name} → {target}: {report.rows_read} rows read = "
        f"{report.rows_loaded} {verb} + {report.rows_quarantined} quarantined"
    ]
    out += [
        f"  quarantined {n} row(s): {rule} ({RULES[rule]})"
        for rule, n in sorted(report.reasons.items())
    ]
    return out
