"""The row accounting every ingest prints: rows read = loaded + quarantined, and why."""

from __future__ import annotations

from validation.quarantine import RULES


def accounting_lines(
    *,
    file_name: str,
    target: str,
    sha256: str,
    status: str,
    rows_read: int,
    rows_loaded: int,
    rows_quarantined: int,
    reasons: dict[str, int],
    what: str,
) -> list[str]:
    """The first lines of an ingest's summary (no answer content, only counts and rules).

    ``status`` is ``loaded``, ``dry_run`` or ``already_loaded``; for the last one the single line
    says so and the caller adds nothing more.
    """
    if status == "already_loaded":
        return [
            f"{file_name}: already loaded as {what} (same content, sha256 {sha256[:12]}); "
            f"nothing to do."
        ]
    verb = "would load" if status == "dry_run" else "loaded"
    out = [
        f"{file_name} → {target}: {rows_read} rows read = {rows_loaded} {verb} + "
        f"{rows_quarantined} quarantined"
    ]
    out += [
        f"  quarantined {n} row(s): {rule} ({RULES[rule]})" for rule, n in sorted(reasons.items())
    ]
    return out
