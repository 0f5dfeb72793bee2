"""``impleval invite WAVE [--reminder N]``: who gets a wave's message, and sending it once.

The invitation goes to everyone on the wave's rosters, a reminder to those whose pseudonym has no
answer in the wave's latest export; either way only to those the send ledger (:mod:`store.outreach`)
has no ``sent``, ``refused``, unconfirmed or listed row for. Sending writes the ledger's attempt
row (committed) before the mail server is spoken to and the outcome after, so a re-run, a crash or a
restart never mails anyone twice, and a batch stopped half-way resumes where it stopped.

Addresses are read from the landed raw rosters when the messages are sent, kept in memory, and
never written to the store, logs or outputs; what this module reports is counts.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.kinds import IngestOptions
from ingest.roster import read_roster_file, roster_wave, with_pseudonyms
from privacy.keys import key_for_project
from project.config import Project, Wave, load_project
from project.errors import ConfigError, PipelineError
from project.layout import ProjectPaths
from store import outreach, warehouse
from waves import smtp as mail
from waves.messages import Template, load_templates, message_name, placeholder_values


@dataclass(frozen=True)
class SendPlan:
    """What a send would do (counts and pseudonyms; no address)."""

    wave: Wave
    message: str
    #: Everyone the message is for and not yet sent: pseudonym → (organisation, unit, group, lang).
    recipients: dict[str, tuple[str, str | None, str, str]]
    on_roster: int
    answered: int | None
    export: str | None
    #: The ledger's rows for this message so far, by status.
    ledger: dict[str, int] = field(default_factory=dict)


@dataclass
class SendResult:
    plan: SendPlan
    counts: Counter[str] = field(default_factory=Counter)
    stopped: str | None = None
    list_file: Path | None = None


def _check_reminder(wave: Wave, reminder: int | None) -> None:
    if reminder is not None and not 1 <= reminder <= len(wave.reminders):
        declared = f"1–{len(wave.reminders)}" if wave.reminders else "none (reminders: [])"
        raise ConfigError(
            f"--reminder {reminder}: wave {wave.id} declares reminders {declared}. Hint: add it "
            f"under waves: … reminders: in project.yaml, or check the number."
        )


def plan_send(
    con: duckdb.DuckDBPyConnection, project: Project, wave: Wave, reminder: int | None
) -> SendPlan:
    """Who the message is for now (see the module docstring).

    Raises
    ------
    ConfigError
        When the wave has no roster loaded, or a reminder has no export to tell who answered.
    """
    _check_reminder(wave, reminder)
    message = message_name(reminder)
    members = outreach.roster_members(con, wave.instrument, wave.id)
    if not members:
        raise ConfigError(
            f"wave {wave.id}: no roster is loaded, so nobody can be invited. Hint: `impleval "
            f"ingest roster.xlsx --kind roster --wave {wave.id}` first."
        )
    export, answered = None, set()
    if reminder is not None:
        export = outreach.latest_export(con, wave.instrument, wave.id)
        if export is None:
            raise ConfigError(
                f"wave {wave.id}: no export of the wave is loaded, so who has answered is not "
                f"known. Hint: ingest the survey tool's latest export first (`impleval ingest "
                f"FILE --instrument {wave.instrument} --wave {wave.id} --replace`)."
            )
        answered = outreach.responders(con, wave.instrument, wave.id)
    done = outreach.ledger(con, wave.instrument, wave.id, message)
    default = project.report.language
    recipients = {
        m.respondent_id: (m.organisation, m.unit, m.staff_group, m.language or default)
        for m in members
        if m.respondent_id not in answered
        and done.get((m.respondent_id, message)) not in outreach.DONE
    }
    on_roster = {m.respondent_id for m in members}
    return SendPlan(
        wave,
        message,
        recipients,
        len(members),
        None if reminder is None else len(on_roster & answered),
        export,
        dict(Counter(done.values())),
    )


def roster_addresses(
    con: duckdb.DuckDBPyConnection, paths: ProjectPaths, project: Project, wave: Wave
) -> dict[str, str]:
    """pseudonym → address, read from the wave's landed raw rosters (in memory only)."""
    key, _ = key_for_project(
        project.id,
        project_has_data=True,
        stored_fingerprint=warehouse.get_meta(con, "key_fingerprint"),
    )
    found: dict[str, str] = {}
    for _, name, sha in outreach.roster_files(con, wave.instrument, wave.id):
        raw = paths.raw / f"{sha}{Path(name).suffix.lower()}"
        rows = with_pseudonyms(read_roster_file(raw, project, wave, name=name), key)
        for pseudonym, address in zip(rows["respondent_id"], rows["email"], strict=True):
            found.setdefault(str(pseudonym), str(address))
    return found


def _texts(paths: ProjectPaths, project: Project, plan: SendPlan) -> dict[str, Template]:
    languages = {lang for *_, lang in plan.recipients.values()}
    return load_templates(
        paths.root, plan.wave, plan.message, languages, default=project.report.language
    )


def _send_all(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    plan: SendPlan,
    addresses: dict[str, str],
    texts: dict[str, Template],
    progress: Callable[[int, int], None],
) -> SendResult:
    smtp = project.outreach.smtp
    if smtp is None:
        raise ConfigError(
            "project.yaml: no outreach.smtp section, so no mail can be sent. Hint: add host, "
            "port, sender and tls (docs/waves.md), or write a list with --to-file."
        )
    result, wave = SendResult(plan), plan.wave
    conn = mail.connect(smtp)
    try:
        for done, (pseudonym, (org, unit, group, lang)) in enumerate(plan.recipients.items()):
            values = placeholder_values(
                project, wave, lang, organisation=org, unit=unit, group=group
            )
            subject, body = texts[lang].render(values)
            message = mail.build_message(smtp, addresses[pseudonym], subject, body)
            outreach.record_attempt(
                con, wave.instrument, wave.id, pseudonym, plan.message, channel="smtp"
            )
            outcome = mail.hand_over(conn, smtp, addresses[pseudonym], message)
            if outcome.status is not None:
                outreach.record_outcome(
                    con,
                    wave.instrument,
                    wave.id,
                    pseudonym,
                    plan.message,
                    status=outcome.status,
                    detail=outcome.detail,
                )
            result.counts[outcome.status or "unconfirmed"] += 1
            progress(done + 1, len(plan.recipients))
            if outcome.lost:
                result.stopped = f"SMTP server {smtp.host}:{smtp.port}: {outcome.detail}"
                break
    finally:
        mail.close(conn)
    return result


def _write_list(
    con: duckdb.DuckDBPyConnection,
    paths: ProjectPaths,
    plan: SendPlan,
    addresses: dict[str, str],
    target: Path,
) -> SendResult:
    target = target.resolve()
    if target.is_relative_to(paths.root.resolve()):
        raise PipelineError(
            f"--to-file {target.name}: the list holds e-mail addresses, so it is not written inside "
            f"the project folder (which may be shared). Hint: write it elsewhere, e.g. "
            f"~/{target.name}, upload it to the survey tool and delete it."
        )
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["email", "organisation", "unit", "staff_group", "language", "message"])
        for pseudonym, (org, unit, group, lang) in plan.recipients.items():
            writer.writerow([addresses[pseudonym], org, unit or "", group, lang, plan.message])
    wave = plan.wave
    for pseudonym in plan.recipients:
        outreach.record_attempt(
            con, wave.instrument, wave.id, pseudonym, plan.message, channel="file", status="listed"
        )
    return SendResult(plan, Counter(listed=len(plan.recipients)), list_file=target)


def invite(
    project_dir: Path,
    wave_id: str,
    *,
    reminder: int | None = None,
    dry_run: bool = False,
    to_file: Path | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> SendResult:
    """Send the wave's invitation (or reminder ``N``) to those who should get it and have not.

    Raises
    ------
    PipelineError
        For a wave without roster or texts, a missing mail server setting, a server that cannot
        be reached. A server lost half-way is reported in ``SendResult.stopped`` (the caller
        turns it into an error after saying what was sent).
    """
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    wave = roster_wave(project, IngestOptions(wave=wave_id))
    _check_reminder(wave, reminder)
    if not paths.warehouse.is_file():
        raise ConfigError(
            f"wave {wave.id}: no roster is loaded, so nobody can be invited. Hint: `impleval "
            f"ingest roster.xlsx --kind roster --wave {wave.id}` first."
        )
    purpose = f"invite {wave.id}" + (f" --reminder {reminder}" if reminder else "")
    with warehouse.open_warehouse(paths.warehouse, read_only=dry_run, purpose=purpose) as con:
        plan = plan_send(con, project, wave, reminder)
        texts = _texts(paths, project, plan)
        if dry_run or not plan.recipients:
            return SendResult(plan)
        addresses = roster_addresses(con, paths, project, wave)
        if to_file is not None:
            return _write_list(con, paths, plan, addresses, to_file)
        return _send_all(con, project, plan, addresses, texts, progress)
