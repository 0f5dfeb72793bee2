"""What one ingest did, for every kind: :class:`IngestReport`, its summary lines and its page.

The lines and the validation page say the same things for surveys, indicators and codings — the row
accounting (rows read = loaded + quarantined, and why), what a load replaced, the problem rows of a
dry run — plus the kind's own lines (``notes``). They hold counts, rules, row numbers and ids, never
answer content, names or e-mail addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from project.layout import ProjectPaths
from validation.page import render_validation_page
from validation.quarantine import RULES

#: How many quarantined rows a dry run lists (all are in the validation page and quarantine.csv).
DIAGNOSIS_ROWS = 20


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did or, for a dry run, would do (no answer content).

    ``status`` is ``loaded``, ``already_loaded`` (the same content is loaded: nothing to do),
    ``replaced_since`` (an inbox file whose load another file replaced since: left as it is, its
    replacement named in ``superseded``) or ``dry_run``. A dry run reads, maps and validates exactly as the ingest would, and says what the
    ingest would do with the same options: load, replace (``superseded``), refuse (``refusal``,
    the message the ingest fails with) or nothing (``already_loaded``).
    """

    kind: str
    file_name: str
    sha256: str
    status: str
    #: What the rows go into, e.g. ``nomad T1``, ``indicators a, b``, ``codings (MAXQDA)``.
    target: str = ""
    #: What the loaded data is called in "already loaded as …", e.g. ``nomad T1``, ``codings``.
    what: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    #: Files whose loads this one replaces (kept in history).
    superseded: tuple[str, ...] = ()
    #: A dry run of a file the ingest would refuse: the ingest's message.
    refusal: str | None = None
    #: A dry run of a file whose content is loaded already.
    already_loaded: bool = False
    key_created: bool = False
    already_landed: bool = False
    #: The kind's own summary lines (columns left unused, gaps in series, unmapped codes, …).
    notes: tuple[str, ...] = ()
    #: The kind's own counts and ids (instrument and wave, indicators, documents, …).
    facts: dict[str, object] = field(default_factory=dict)
    #: Every rule the suite checked (a page lists them with 0 when none fired).
    checked_rules: tuple[str, ...] = ()
    #: Every quarantine record (source_row, column, rule, detail); details short and redacted.
    diagnosis: tuple[dict, ...] = field(default=(), repr=False, compare=False)
    #: The validation page written after a load.
    page: Path | None = None

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        if self.status == "already_loaded":
            return [self._already()]
        if self.status == "replaced_since":
            return [
                f"{self.file_name}: loaded before as {self.what} and replaced since by "
                f"{', '.join(self.superseded)}; left as it is. Hint: `impleval ingest "
                f"{self.file_name} --replace` loads it again."
            ]
        if self.already_loaded:
            return [self._already(), *self._accounting("  diagnosis: ", "loaded"), *self._rows()]
        verb = "would load" if self.status == "dry_run" else "loaded"
        if self.refusal:
            verb = "would load with --replace"
        out = self._accounting(f"{self.file_name} → {self.target}: ", verb)
        out += [f"  {note}" for note in self.notes]
        if self.superseded:
            out.append(
                f"  replaces the earlier load of {', '.join(self.superseded)} (kept in history)"
            )
        if self.key_created:
            out.append(
                "  a new pseudonymisation key was created for this project; back it up "
                "(see docs/privacy.md)"
            )
        if self.status == "dry_run":
            out += self._rows()
        return out

    def _already(self) -> str:
        return (
            f"{self.file_name}: already loaded as {self.what} (same content, sha256 "
            f"{self.sha256[:12]}); nothing to do."
        )

    def _accounting(self, lead: str, verb: str) -> list[str]:
        out = [
            f"{lead}{self.rows_read} rows read = {self.rows_loaded} {verb} + "
            f"{self.rows_quarantined} quarantined"
        ]
        out += [
            f"  quarantined {n} row(s): {rule} ({RULES[rule]})"
            for rule, n in sorted(self.reasons.items())
        ]
        return out

    def _rows(self) -> list[str]:
        if not self.diagnosis:
            return []
        shown = self.diagnosis[:DIAGNOSIS_ROWS]
        out = [f"  first {len(shown)} of {len(self.diagnosis)} problem(s): row, column, rule"]
        out += [
            f"    row {d['source_row']}, {d['column']}: {d['rule']} — {d['detail']}" for d in shown
        ]
        if len(self.diagnosis) > DIAGNOSIS_ROWS:
            out.append(
                f"    ... and {len(self.diagnosis) - DIAGNOSIS_ROWS} more; ingest for real "
                f"to get all of them in output/validation/"
            )
        return out

    def render_page(self, lang: str = "en") -> str:
        """The self-contained HTML validation page of this ingest, in ``lang`` (sv, en)."""
        return render_validation_page(
            target=self.target,
            file_name=self.file_name,
            sha256=self.sha256,
            status=self.status,
            lang=lang,
            counts=(self.rows_read, self.rows_loaded, self.rows_quarantined),
            rules=dict.fromkeys(self.checked_rules, 0) | dict(self.reasons),
            rows=self.diagnosis,
        )


def write_quarantine_report(paths: ProjectPaths) -> Path | None:
    """``output/validation/quarantine.csv``: every quarantined row of the active loads, with reasons.

    ``None`` when the project has no store yet. Written under a temporary name, then renamed. Text
    cells a spreadsheet would run as formulas get a leading ``'`` (:mod:`store.csv_cells`).
    """
    from store import reads, warehouse
    from store.csv_cells import neutralise_frame

    if not paths.warehouse.is_file():
        return None
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        rows = reads.quarantine_rows(con)
    rows["reason"] = rows["rule"].map(RULES)
    paths.validation.mkdir(parents=True, exist_ok=True)
    target = paths.validation / "quarantine.csv"
    tmp = target.with_name(".quarantine.csv.tmp")
    neutralise_frame(rows).to_csv(tmp, index=False)  # a cell like =cmd|… stays text
    tmp.replace(target)
    return target
