"""Invitations and reminders against a real SMTP server on 127.0.0.1: exactly one message per
roster person, reminders to exactly the non-responders, never twice — across re-runs, refusals, a
connection dropped or a server that stops answering half-way (the batch resumes where it
stopped). Addresses never reach the store or the outputs. In-process, through the CLI's `main`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import duckdb
import pytest

from flows import cli
from tests.waves.conftest import MailServer, free_port, point_at

ROSTER = "inbox/roster_T1.csv"
PARTIAL = "exports/nomad_T1_partial.csv"


def run(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """`impleval ARGV` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["impleval", *argv])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _addresses(path: Path, column: str) -> set[str]:
    text = path.read_text(encoding="utf-8-sig")
    return {
        row[column].strip().casefold() for row in csv.DictReader(text.splitlines(), delimiter=";")
    }


def _ledger(project: Path) -> dict[tuple[str, str], int]:
    with duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT message, status, count(*) FROM sends GROUP BY ALL").fetchall()
    return {(m, s): n for m, s, n in rows}


def _no_address_in_store_or_outputs(project: Path) -> None:
    with duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True) as con:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
            hits = con.execute(
                f"SELECT count(*) FROM {table} AS t WHERE CAST(t AS VARCHAR) LIKE '%@%.example%'"
            ).fetchone()
            assert hits == (0,), table
    for path in (project / "output").rglob("*"):
        if path.is_file():
            assert b".example" not in path.read_bytes().replace(b"survey.example.org", b""), path


@pytest.fixture
def rostered(example_project: Path, mail_server: MailServer, capsys, monkeypatch) -> Path:
    point_at(example_project, mail_server.port)
    out = ingest_roster(example_project, capsys, monkeypatch)
    assert "241 rows read = 241 loaded + 0 quarantined" in out
    return example_project


def ingest_roster(project: Path, capsys, monkeypatch) -> str:
    """The example's T1 roster ingested through the CLI; what it printed."""
    argv = ["ingest", str(project / ROSTER), "--kind", "roster", "--wave", "T1"]
    code, out, err = run([*argv, "-p", str(project)], capsys, monkeypatch)
    assert code == 0, err
    return out


def test_invitations_then_reminders_reach_each_person_once(
    rostered: Path, mail_server: MailServer, capsys, monkeypatch
) -> None:
    project, recorder = rostered, mail_server.recorder
    roster = _addresses(project / ROSTER, "E-post")
    code, out, _ = run(["invite", "T1", "--dry-run", "-p", str(project)], capsys, monkeypatch)
    assert code == 0 and recorder.messages == []
    assert out.splitlines()[0] == "T1 invitation: 241 to send of 241 on the roster"
    code, out, _ = run(["invite", "T1", "-p", str(project)], capsys, monkeypatch)
    assert code == 0 and out.splitlines()[1] == "  241 sent"
    assert sorted(recorder.recipients()) == sorted(roster)  # one each, nobody twice
    subjects = {m["Subject"] for _, m in recorder.messages}
    assert subjects == {
        "Enkät om samordnad utskrivning – T1: efter ett år i drift",
        "Survey on coordinated discharge – T1: after a year in operation",
    }
    assert "https://survey.example.org/nomad-t1" in recorder.messages[0][1].get_content()  # type: ignore[attr-defined]
    code, out, _ = run(["invite", "T1", "-p", str(project)], capsys, monkeypatch)
    assert code == 0 and len(recorder.messages) == 241 and "nothing to send" in out

    code, _, err = run(
        [
            "ingest",
            str(project / PARTIAL),
            "--instrument",
            "nomad",
            "--wave",
            "T1",
            "-p",
            str(project),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    answered = _addresses(project / PARTIAL, "E-post")
    recorder.messages.clear()
    code, out, _ = run(["invite", "T1", "--reminder", "1", "-p", str(project)], capsys, monkeypatch)
    assert code == 0
    assert sorted(recorder.recipients()) == sorted(roster - answered)
    assert len(roster - answered) == 191
    code, out, _ = run(["invite", "T1", "--reminder", "1", "-p", str(project)], capsys, monkeypatch)
    assert code == 0 and len(recorder.messages) == 191 and "nothing to send" in out
    assert _ledger(project) == {("invitation", "sent"): 241, ("reminder-1", "sent"): 191}

    code, out, _ = run(["waves", "status", "T1", "-p", str(project)], capsys, monkeypatch)
    assert code == 0
    assert "all                  all                          241        50    21%" in out
    assert "ledger: reminder-1 sent: 191" in out
    _no_address_in_store_or_outputs(project)


def test_a_refused_address_is_recorded_and_never_retried(
    rostered: Path, mail_server: MailServer, capsys, monkeypatch
) -> None:
    refused = sorted(_addresses(rostered / ROSTER, "E-post"))[:2]
    mail_server.recorder.refuse = set(refused)
    code, out, _ = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert code == 0 and out.splitlines()[1] == "  2 refused, 239 sent"
    mail_server.recorder.refuse = set()
    code, out, _ = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert "nothing to send" in out and len(mail_server.recorder.messages) == 239
    code, out, _ = run(["waves", "status", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert "ledger: invitation refused: 2" in out


@pytest.mark.parametrize("trouble", ["drop_at_rcpt", "stall_at_rcpt"])
def test_a_batch_stopped_half_way_resumes_without_doubles(
    rostered: Path, mail_server: MailServer, capsys, monkeypatch, trouble: str
) -> None:
    point_at(rostered, mail_server.port, timeout=1)  # stalls are cut short by the client
    setattr(mail_server.recorder, trouble, 40)
    code, out, err = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert code == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: SMTP server 127.0.0.1:{mail_server.port}"
    )
    assert "stopped after 41 of 241 (40 sent, 0 unconfirmed, 201 not sent)" in lines[0]
    assert "run the same command again" in lines[0]
    assert _ledger(rostered) == {("invitation", "sent"): 40, ("invitation", "failed"): 1}
    setattr(mail_server.recorder, trouble, None)
    code, out, _ = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert code == 0 and out.splitlines()[1] == "  201 sent"
    roster = _addresses(rostered / ROSTER, "E-post")
    assert sorted(mail_server.recorder.recipients()) == sorted(roster)
    assert _ledger(rostered) == {("invitation", "sent"): 241}


def test_a_connection_lost_while_handing_over_is_not_sent_again(
    rostered: Path, mail_server: MailServer, capsys, monkeypatch
) -> None:
    mail_server.recorder.drop_in_data = 10  # the tenth message: delivered or not, nobody knows
    code, _, err = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert code == 2 and "(9 sent, 1 unconfirmed, 231 not sent)" in err
    mail_server.recorder.drop_in_data = None
    code, out, _ = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert code == 0 and out.splitlines()[1] == "  231 sent"
    assert len(set(mail_server.recorder.recipients())) == len(mail_server.recorder.messages) == 240
    assert _ledger(rostered) == {("invitation", "sent"): 240, ("invitation", "attempt"): 1}


def test_no_mail_server_is_one_line_and_nothing_recorded(
    rostered: Path, mail_server: MailServer, capsys, monkeypatch
) -> None:
    text = (rostered / "project.yaml").read_text(encoding="utf-8")
    nobody = free_port()
    (rostered / "project.yaml").write_text(
        text.replace(f"port: {mail_server.port},", f"port: {nobody},"), encoding="utf-8"
    )
    code, _, err = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: SMTP server 127.0.0.1:{nobody}: cannot connect")
    assert _ledger(rostered) == {}


def test_a_list_for_the_survey_tool_instead_of_mail(
    rostered: Path, mail_server: MailServer, tmp_path: Path, capsys, monkeypatch
) -> None:
    inside = rostered / "list.csv"
    code, _, err = run(
        ["invite", "T1", "--to-file", str(inside), "-p", str(rostered)], capsys, monkeypatch
    )
    assert code == 2 and "not written inside the project folder" in err and not inside.exists()
    target = tmp_path / "elsewhere" / "t1.csv"
    target.parent.mkdir()
    code, out, _ = run(
        ["invite", "T1", "--to-file", str(target), "-p", str(rostered)], capsys, monkeypatch
    )
    assert code == 0 and "listed 241" in out and mail_server.recorder.messages == []
    assert target.stat().st_mode & 0o077 == 0
    with target.open(encoding="utf-8") as fh:
        assert {r["email"] for r in csv.DictReader(fh)} == _addresses(rostered / ROSTER, "E-post")
    code, out, _ = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert "nothing to send" in out


def test_a_reminder_needs_an_export_and_a_declared_number(
    rostered: Path, capsys, monkeypatch
) -> None:
    code, _, err = run(
        ["invite", "T1", "--reminder", "1", "-p", str(rostered)], capsys, monkeypatch
    )
    assert code == 2 and "no export of the wave is loaded" in err
    code, _, err = run(
        ["invite", "T1", "--reminder", "3", "-p", str(rostered)], capsys, monkeypatch
    )
    assert code == 2 and "--reminder 3: wave T1 declares reminders 1–2" in err
    code, _, err = run(["invite", "T0", "-p", str(rostered)], capsys, monkeypatch)
    assert code == 2 and "wave T0: no roster is loaded" in err


class _Crash(BaseException):
    """The process dying between the server's acceptance and the ledger's outcome row."""


def test_a_crash_after_delivery_never_mails_twice(
    rostered: Path, mail_server: MailServer, capsys, monkeypatch
) -> None:
    from store import outreach

    real, calls = outreach.record_outcome, []

    def dies_on_the_tenth(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 10:
            raise _Crash
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outreach, "record_outcome", dies_on_the_tenth)
    with pytest.raises(_Crash):
        run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    monkeypatch.setattr(outreach, "record_outcome", real)
    assert len(mail_server.recorder.messages) == 10  # the tenth was delivered, unrecorded
    code, out, _ = run(["invite", "T1", "-p", str(rostered)], capsys, monkeypatch)
    assert code == 0 and out.splitlines()[0].startswith("T1 invitation: 231 to send of 241")
    recipients = mail_server.recorder.recipients()
    assert len(recipients) == len(set(recipients)) == 241
    assert _ledger(rostered) == {("invitation", "sent"): 240, ("invitation", "attempt"): 1}
