"""``impleval waves`` and ``impleval waves status``: each wave's state and, while it is open,
invited, responded and the rate per organisation × staff group (and unit).

Invited counts come from the wave's rosters (a person on two rosters counts once); a wave without
a roster falls back to project.yaml's hand-typed ``invited``. Responded counts the roster's people
with an answer in the wave's latest export (a wave of several parts: in any active part, a person
in two parts once; one line per part gives its answers, file and load time). Cells with fewer responders than the small-cell
threshold are suppressed as in the reports (with complementary suppression, so the total does
not give them away); rates below ``survey.response_rate_threshold`` are flagged.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.kinds import IngestOptions
from ingest.roster import roster_wave
from project.config import Project, Wave, load_project
from project.layout import ProjectPaths
from reports.disclosure import suppress_small_groups
from store import outreach, parts, warehouse


def wave_state(wave: Wave, today: dt.date) -> str:
    """``planned`` before it opens, ``open`` until it closes, then ``closed``."""
    if today < wave.opens:
        return "planned"
    return "open" if today <= wave.closes else "closed"


@dataclass(frozen=True)
class WaveLine:
    wave: Wave
    state: str
    invited: int | None
    #: ``roster`` or ``project.yaml`` (hand-typed), or ``None`` when unknown.
    invited_from: str | None
    responded: int
    sent: Counter[str]


def overview(project_dir: Path, today: dt.date) -> list[WaveLine]:
    """Every wave with its state, dates and counts."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    lines = []
    with warehouse.open_reader(paths.warehouse) as con:
        for wave in project.waves:
            members = outreach.roster_members(con, wave.instrument, wave.id)
            answered = outreach.responders(con, wave.instrument, wave.id)
            sent: Counter[str] = Counter()
            for (message, status), n in outreach.ledger_counts(
                con, wave.instrument, wave.id
            ).items():
                sent[f"{message} {status}"] += n
            invited, source = (
                (len(members), "roster") if members else (wave.invited, "project.yaml")
            )
            lines.append(
                WaveLine(
                    wave,
                    wave_state(wave, today),
                    invited,
                    source if invited is not None else None,
                    len(answered),
                    sent,
                )
            )
    return lines


@dataclass(frozen=True)
class WaveStatus:
    wave: Wave
    state: str
    #: One row per organisation × staff group (× unit): ``invited``, ``responded``, ``rate``,
    #: ``suppressed``, ``below`` (rate under the threshold); then the total row.
    table: pd.DataFrame
    threshold: float
    min_cell: int
    #: Answers in the latest export from people on no roster of the wave.
    not_on_roster: int
    export: str | None
    ledger: dict[tuple[str, str], int]
    by_unit: bool = False
    #: The wave's active exports, per part (:func:`store.parts.part_counts`).
    parts: tuple[tuple[str | None, str, int, int, object], ...] = ()


def _table(
    project: Project, members: list[outreach.Member], answered: set[str], by_unit: bool
) -> pd.DataFrame:
    keys = ["organisation", "unit", "staff_group"] if by_unit else ["organisation", "staff_group"]
    frame = pd.DataFrame(
        [
            (m.organisation, m.unit or "", m.staff_group, m.respondent_id in answered)
            for m in members
        ],
        columns=["organisation", "unit", "staff_group", "answered"],
    )
    table = frame.groupby(keys, sort=True).agg(
        invited=("answered", "size"), responded=("answered", "sum")
    )
    table = table.reset_index().assign(breakdown="cells")
    table["rate"] = table["responded"] / table["invited"]
    checked = suppress_small_groups(
        table,
        n_col="responded",
        value_cols=["rate"],
        threshold=project.privacy.min_cell_size,
        complement_within=["breakdown"],
    )
    total = pd.DataFrame(
        [
            {
                "organisation": "all",
                "unit": "",
                "staff_group": "all",
                "invited": len(frame),
                "responded": int(frame["answered"].sum()),
                "breakdown": "total",
                "rate": frame["answered"].mean() if len(frame) else float("nan"),
                "suppressed": False,
            }
        ]
    )
    out = pd.concat([checked.drop(columns=["suppression_reason"]), total], ignore_index=True)
    out["below"] = out["rate"] < project.survey.response_rate_threshold
    return out


def wave_status(
    project_dir: Path, wave_id: str, *, today: dt.date, by_unit: bool = False
) -> WaveStatus:
    """Invited, responded and rate per organisation × staff group (and unit) for one wave."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    wave = roster_wave(project, IngestOptions(wave=wave_id))
    with warehouse.open_reader(paths.warehouse) as con:
        members = outreach.roster_members(con, wave.instrument, wave.id)
        answered = outreach.responders(con, wave.instrument, wave.id)
        export = outreach.latest_export(con, wave.instrument, wave.id)
        ledger = outreach.ledger_counts(con, wave.instrument, wave.id)
        loaded = tuple(parts.part_counts(con, wave.instrument, wave.id))
    on_roster = {m.respondent_id for m in members}
    return WaveStatus(
        wave,
        wave_state(wave, today),
        _table(project, members, answered, by_unit),
        project.survey.response_rate_threshold,
        project.privacy.min_cell_size,
        len(answered - on_roster) if members else 0,
        export,
        ledger,
        by_unit,
        loaded,
    )


def _cell(row: pd.Series, min_cell: int) -> tuple[str, str]:
    if row["suppressed"]:
        shown = f"<{min_cell}" if row["responded"] < min_cell else "·"
        return shown, "suppressed"
    if pd.isna(row["rate"]):
        return str(int(row["responded"])), "–"
    return str(int(row["responded"])), f"{row['rate']:.0%}"


def part_lines(status: WaveStatus) -> list[str]:
    """One line per part of a wave of several exports: its answers, the rows set aside as answered
    in another part, its file and when it was loaded (nothing for a wave of one export)."""
    if status.wave.parts or any(p is not None for p, *_ in status.parts):
        lines = []
        for part, file, loaded, aside, at in status.parts:
            kept = f" ({aside} also answered in another part, counted there)" if aside else ""
            lines.append(
                f"{parts.part_name(part)}: {loaded - aside} answer(s){kept}; {file}, loaded "
                f"{at:%Y-%m-%d %H:%M} UTC"
            )
        found = {p for p, *_ in status.parts}
        missing = [p for p in status.wave.parts if p not in found]
        if missing:
            lines.append(f"parts with no export loaded yet: {', '.join(missing)}")
        return lines
    return []


def status_lines(status: WaveStatus) -> list[str]:
    """The status table as text: one line per cell, the total last (no address, no answer)."""
    wave, table = status.wave, status.table
    by_unit = status.by_unit
    head = f"{'organisation':<20} {'unit':<12} " if by_unit else f"{'organisation':<20} "
    lines = [
        f"{wave.id} ({wave.instrument}, {status.state}, {wave.opens} – {wave.closes}); latest "
        f"export: {status.export or 'none yet'}",
        f"{head}{'staff group':<24} {'invited':>7} {'responded':>9} {'rate':>6}",
    ]
    lines += part_lines(status)
    for _, row in table.iterrows():
        responded, rate = _cell(row, status.min_cell)
        flag = "  below threshold" if row["below"] and not row["suppressed"] else ""
        lead = f"{row['organisation']:<20} " + (f"{row['unit']:<12} " if by_unit else "")
        lines.append(
            f"{lead}{row['staff_group']:<24} {int(row['invited']):>7} {responded:>9} "
            f"{rate:>6}{flag}"
        )
    lines.append(
        f"Cells with fewer than {status.min_cell} responders are suppressed (and one more where "
        f"the total would give them away); rates below {status.threshold:.0%} are flagged."
    )
    if status.not_on_roster:
        lines.append(f"{status.not_on_roster} answer(s) came from people on no roster of the wave.")
    for (message, state), n in sorted(status.ledger.items()):
        lines.append(f"ledger: {message} {state}: {n}")
    return lines
