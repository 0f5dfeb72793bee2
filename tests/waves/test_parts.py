"""A wave assembled from several exports (``--part``, a wave's ``parts:``): each part landed,
validated and replaced on its own; the wave reads every active part together; a pseudonym that
answered in two parts counts once (its earliest submission), the other row set aside with its
reason, re-decided when a part is replaced; reminders go to the people with no answer in any part.
Real CSV exports written in the test's folder, through the CLI's `main`."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from ingest.kinds import inbox_files
from project.config import load_project
from project.layout import ProjectPaths
from store import reads, warehouse
from tests.waves.conftest import MailServer, point_at
from tests.waves.test_invite import ROSTER, ingest_roster, run

PARTIAL = "exports/nomad_T1_partial.csv"


def _declare_parts(project: Path) -> None:
    path = project / "project.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("    reminders: [7, 21]\n") == 1
    path.write_text(
        text.replace(
            "    reminders: [7, 21]\n", "    reminders: [7, 21]\n    parts: [north, south]\n"
        ),
        encoding="utf-8",
    )


def _rows(project: Path) -> tuple[str, list[str]]:
    lines = (project / PARTIAL).read_text(encoding="utf-8-sig").splitlines()
    return lines[0], lines[1:]


def _write(path: Path, head: str, rows: list[str]) -> Path:
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def _again(row: str, *, answer_id: str, submitted: str) -> str:
    """The same person (same e-mail) answering again through another link."""
    cells = row.split(";")
    cells[0], cells[1] = answer_id, submitted
    return ";".join(cells)


def _email(row: str) -> str:
    return row.split(";")[2].strip().casefold()


def _ingest(project: Path, file: Path, capsys, monkeypatch, *extra: str):
    argv = ["ingest", str(file), "--instrument", "nomad", "--wave", "T1", *extra]
    return run([*argv, "-p", str(project)], capsys, monkeypatch)


def _respondents(project: Path) -> list[str]:
    with warehouse.open_reader(ProjectPaths(project).warehouse) as con:
        respondents, _ = reads.read_survey(con, "nomad", wave="T1")
    return list(respondents["respondent_id"])


def _responded(out: str) -> int:
    match = re.search(r"^all\s+all\s+241\s+(\d+)\s", out, flags=re.MULTILINE)
    assert match, out
    return int(match.group(1))


@pytest.fixture
def parted(example_project: Path, capsys, monkeypatch) -> Path:
    """The example with wave T1 in two parts and its roster loaded."""
    _declare_parts(example_project)
    ingest_roster(example_project, capsys, monkeypatch)
    return example_project


def test_two_parts_are_one_wave_and_a_new_export_of_one_leaves_the_other(
    parted: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    head, rows = _rows(parted)
    north = _write(tmp_path / "north.csv", head, rows[:25])
    south = _write(tmp_path / "south.csv", head, rows[25:])
    code, out, err = _ingest(parted, north, capsys, monkeypatch, "--part", "north")
    assert code == 0, err
    assert "north.csv → nomad T1 part north: 25 rows read = 25 loaded + 0 quarantined" in out
    code, out, _ = run(["waves", "status", "T1", "-p", str(parted)], capsys, monkeypatch)
    assert _responded(out) == 25 and "parts with no export loaded yet: south" in out
    code, out, err = _ingest(parted, south, capsys, monkeypatch, "--part", "south")
    assert code == 0 and "replaces" not in out, err
    assert len(_respondents(parted)) == 50
    code, out, _ = run(["waves", "status", "T1", "-p", str(parted)], capsys, monkeypatch)
    assert _responded(out) == 50
    assert re.search(r"^part north: 25 answer\(s\); north\.csv, loaded \d{4}-", out, re.M), out
    assert re.search(r"^part south: 25 answer\(s\); south\.csv, loaded ", out, re.M), out

    # The region sends a newer export of north (people who answered since; one withdrew).
    newer = _write(tmp_path / "north-2.csv", head, rows[1:20] + rows[20:25])
    code, _, err = _ingest(parted, newer, capsys, monkeypatch, "--part", "north")
    assert code == 2 and "nomad wave T1 part north already holds data from north.csv" in err
    code, out, err = _ingest(parted, newer, capsys, monkeypatch, "--part", "north", "--replace")
    assert code == 0, err
    assert "replaces the earlier load of north.csv" in out and "south" not in out
    assert len(_respondents(parted)) == 49
    code, out, _ = run(["waves", "status", "T1", "-p", str(parted)], capsys, monkeypatch)
    assert _responded(out) == 49
    assert "part north: 24 answer(s); north-2.csv" in out and "part south: 25 answer(s)" in out
    with warehouse.open_reader(ProjectPaths(parted).warehouse) as con:
        active = warehouse.active_ingests(con, "survey", instrument="nomad", wave="T1")
        assert [name for _, name, _ in active] == ["south.csv", "north-2.csv"]
        assert reads.ingest_summary(con).query("kind == 'survey'")["rows_loaded"].sum() == 49


def test_a_person_in_two_parts_counts_once_and_the_later_answer_is_set_aside(
    parted: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    head, rows = _rows(parted)
    twice = rows[0]  # submitted 2019-02-04 in north; again on 2019-02-20 through south's link
    north = _write(tmp_path / "north.csv", head, rows[:25])
    south = _write(
        tmp_path / "south.csv",
        head,
        [*rows[25:], _again(twice, answer_id="901", submitted="2019-02-20 10:00")],
    )
    assert _ingest(parted, north, capsys, monkeypatch, "--part", "north")[0] == 0
    code, out, err = _ingest(parted, south, capsys, monkeypatch, "--part", "south")
    assert code == 0, err
    assert "south.csv → nomad T1 part south: 26 rows read = 25 loaded + 1 quarantined" in out
    assert "1 row(s) of this export (answered earlier in part north), 0 of other parts" in out
    ids = _respondents(parted)
    assert len(ids) == len(set(ids)) == 50
    quarantined = list(csv.DictReader((parted / "output/validation/quarantine.csv").open()))
    assert [(q["file"], q["rule"]) for q in quarantined] == [
        ("south.csv", "answered_in_other_part")
    ]
    assert quarantined[0]["detail"] == "answered also in part north (north.csv), submitted earlier"
    assert "@" not in (parted / "output/validation/quarantine.csv").read_text(encoding="utf-8")
    code, out, _ = run(["waves", "status", "T1", "-p", str(parted)], capsys, monkeypatch)
    assert _responded(out) == 50
    assert "part south: 25 answer(s) (1 also answered in another part, counted there)" in out

    # North's newer export no longer holds that person: the answer in south now counts.
    before = dt.datetime.now(dt.UTC)
    newer = _write(tmp_path / "north-2.csv", head, rows[1:25])
    code, out, err = _ingest(parted, newer, capsys, monkeypatch, "--part", "north", "--replace")
    assert code == 0 and "answered in two parts" not in out, err
    assert len(_respondents(parted)) == 50
    with warehouse.open_reader(ProjectPaths(parted).warehouse) as con:
        assert reads.quarantine_rows(con).empty
        summary = reads.ingest_summary(con).query("kind == 'survey'")
    assert list(summary["rows_loaded"]) == [26, 24]
    with warehouse.open_reader(ProjectPaths(parted).warehouse) as con:
        submitted = con.execute("SELECT max(submitted_at) FROM respondents").fetchone()
    assert submitted is not None and str(submitted[0]).startswith("2019-02-20 10:00")
    # A report re-created as of the moment before the newer export reads what it read then.
    with warehouse.open_reader(ProjectPaths(parted).warehouse) as con, reads.store_as_of(before):
        assert list(reads.quarantine_rows(con)["rule"]) == ["answered_in_other_part"]
        respondents, _ = reads.read_survey(con, "nomad", wave="T1")
    assert len(respondents) == 50 and str(respondents["submitted_at"].max()) < "2019-02-20"


def test_the_earliest_submission_counts_whichever_part_was_loaded_first(
    parted: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    head, rows = _rows(parted)
    early = _again(rows[0], answer_id="902", submitted="2019-02-04 06:00")  # north's: 07:22
    north = _write(tmp_path / "north.csv", head, rows[:25])
    south = _write(tmp_path / "south.csv", head, [*rows[25:], early])
    assert _ingest(parted, north, capsys, monkeypatch, "--part", "north")[0] == 0
    code, out, _ = _ingest(parted, south, capsys, monkeypatch, "--part", "south")
    assert code == 0
    assert "26 rows read = 26 loaded + 0 quarantined" in out  # south's answer is the earlier one
    assert "0 row(s) of this export, 1 of other parts" in out
    with warehouse.open_reader(ProjectPaths(parted).warehouse) as con:
        aside = reads.quarantine_rows(con)
        respondents, long = reads.read_survey(con, "nomad", wave="T1")
    assert list(aside["file"]) == ["north.csv"] and list(aside["row"]) == [2]  # line 2
    assert "answered also in part south (south.csv)" in aside["detail"].iloc[0]
    assert len(respondents) == respondents["respondent_id"].nunique() == 50
    assert str(respondents["submitted_at"].min()).startswith("2019-02-04 06:00")
    assert long.groupby("respondent_id").size().max() == long["item"].nunique()


def test_a_part_the_wave_does_not_declare_or_no_part_is_one_line_and_loads_nothing(
    parted: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    head, rows = _rows(parted)
    file = _write(tmp_path / "west.csv", head, rows[:5])
    code, out, err = _ingest(parted, file, capsys, monkeypatch, "--part", "west")
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip().splitlines() == [
        "error: ingest: --part west: wave T1 of nomad declares parts north, south. Hint: use one "
        "of them, or add west under the wave's parts: in project.yaml."
    ]
    code, out, err = _ingest(parted, file, capsys, monkeypatch)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "wave T1 of nomad is assembled from parts (north, south)" in err
    assert "Hint: add --part north" in err
    code, _, err = run(
        [
            "ingest",
            str(parted / ROSTER),
            "--kind",
            "roster",
            "--wave",
            "T1",
            "--part",
            "north",
            "-p",
            str(parted),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 2 and "--part does not apply to --kind roster" in err
    with duckdb.connect(str(ProjectPaths(parted).warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ingests WHERE kind = 'survey'").fetchone() == (0,)


def test_one_export_in_two_parts_is_refused(
    parted: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    head, rows = _rows(parted)
    file = _write(tmp_path / "north.csv", head, rows[:25])
    assert _ingest(parted, file, capsys, monkeypatch, "--part", "north")[0] == 0
    code, _, err = _ingest(parted, file, capsys, monkeypatch, "--part", "south")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "the same content is already loaded as part north of nomad T1" in err
    code, out, _ = _ingest(parted, file, capsys, monkeypatch, "--part", "north")
    assert code == 0 and "already loaded" in out


def test_a_part_without_declared_parts_and_the_inbox_names(
    example_project: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    head, rows = _rows(example_project)
    one = _write(tmp_path / "late.csv", head, rows[40:])
    code, out, err = _ingest(example_project, one, capsys, monkeypatch)
    assert code == 0 and "nomad T1:" in out, err
    late = _write(tmp_path / "late-answers.csv", head, rows[:40])
    code, out, err = _ingest(example_project, late, capsys, monkeypatch, "--part", "late")
    assert code == 0 and "replaces" not in out, err
    assert len(_respondents(example_project)) == 50
    code, _, err = _ingest(example_project, late, capsys, monkeypatch, "--part", "a b")
    assert code == 2 and "a part is a name of letters, digits" in err

    _declare_parts(example_project)
    (example_project / "inbox" / "nomad_T1_South.csv").write_text("x\n", encoding="utf-8")
    found = {
        f.path.name: f.options.part
        for f in inbox_files(ProjectPaths(example_project), load_project(example_project))
        if f.kind == "survey"
    }
    assert found["nomad_T1_South.csv"] == "south" and found["nomad_T1.csv"] is None


def test_a_store_written_before_parts_gains_the_column(
    example_project: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    head, rows = _rows(example_project)
    assert (
        _ingest(example_project, _write(tmp_path / "a.csv", head, rows), capsys, monkeypatch)[0]
        == 0
    )
    path = ProjectPaths(example_project).warehouse
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE ingests DROP COLUMN part")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    assert len(_respondents(example_project)) == 50  # read as it is, read only
    _declare_parts(example_project)
    code, _out, err = _ingest(
        example_project,
        _write(tmp_path / "n.csv", head, rows[:3]),
        capsys,
        monkeypatch,
        "--part",
        "north",
    )
    assert code == 0, err
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT part FROM ingests ORDER BY ingest_id").fetchall() == [
            (None,),
            ("north",),
        ]
        assert warehouse.get_meta(con, "schema_version") == warehouse.SCHEMA_VERSION == "2"
    assert len(_respondents(example_project)) == 50  # the three also answered in the first


def test_a_reminder_goes_to_whoever_answered_in_no_part(
    parted: Path, mail_server: MailServer, tmp_path: Path, capsys, monkeypatch
) -> None:
    point_at(parted, mail_server.port)
    head, rows = _rows(parted)
    twice = _again(rows[0], answer_id="903", submitted="2019-02-21 09:00")
    _write(tmp_path / "north.csv", head, rows[:25])
    _write(tmp_path / "south.csv", head, [*rows[25:], twice])
    for part in ("north", "south"):
        code, _, err = _ingest(
            parted, tmp_path / f"{part}.csv", capsys, monkeypatch, "--part", part
        )
        assert code == 0, err
    code, out, err = run(
        ["invite", "T1", "--reminder", "1", "-p", str(parted)], capsys, monkeypatch
    )
    assert code == 0, err
    assert "(50 answered in north.csv, south.csv)" in out
    roster = {
        r["E-post"].strip().casefold()
        for r in csv.DictReader(
            (parted / ROSTER).read_text(encoding="utf-8-sig").splitlines(), delimiter=";"
        )
    }
    answered = {_email(r) for r in rows}
    assert sorted(mail_server.recorder.recipients()) == sorted(roster - answered)
    assert len(roster - answered) == 191


def test_the_servers_inbox_pick_up_replaces_each_part_on_its_own(
    parted: Path, tmp_path: Path
) -> None:
    from flows.wave_flows import take_new_exports

    head, rows = _rows(parted)
    inbox = parted / "inbox"
    (inbox / "nomad_T1.csv").unlink()  # the wave's single export: this wave now comes in parts
    _write(inbox / "nomad_T1_north.csv", head, rows[:10])
    _write(inbox / "nomad_T1_south.csv", head, rows[25:])
    paths, project = ProjectPaths(parted), load_project(parted)
    assert take_new_exports(paths, project, {"T1"}) == [
        "nomad_T1_north.csv: loaded",
        "nomad_T1_south.csv: loaded",
    ]
    assert len(_respondents(parted)) == 35
    _write(inbox / "nomad_T1_north.csv", head, rows[:25])  # the survey tool's later export
    assert take_new_exports(paths, project, {"T1"}) == [
        "nomad_T1_north.csv: loaded",
        "nomad_T1_south.csv: already_loaded",
    ]
    assert len(_respondents(parted)) == 50
    with warehouse.open_reader(paths.warehouse) as con:
        parts = con.execute(
            "SELECT part, superseded_by IS NULL FROM ingests WHERE kind = 'survey' "
            "ORDER BY ingest_id"
        ).fetchall()
    assert parts == [("north", False), ("south", True), ("north", True)]


def test_a_new_export_of_a_part_of_a_wave_open_today_replaces_the_earlier_one(
    parted: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    """While the wave is open a later export of a part takes the earlier one's place without
    --replace, and says so; the test above is the closed wave, where --replace is needed."""
    today = dt.date.today()
    path = parted / "project.yaml"
    text = path.read_text(encoding="utf-8")
    dates = "    opens: 2019-02-04\n    closes: 2019-03-22\n"
    assert text.count(dates) == 1
    opens, closes = today - dt.timedelta(days=10), today + dt.timedelta(days=30)
    path.write_text(
        text.replace(dates, f"    opens: {opens}\n    closes: {closes}\n"), encoding="utf-8"
    )
    head, rows = _rows(parted)
    first = _write(tmp_path / "north.csv", head, rows[:25])
    later = _write(tmp_path / "north-2.csv", head, rows[:30])
    code, out, err = _ingest(parted, first, capsys, monkeypatch, "--part", "north")
    assert code == 0 and "open until" not in out, err
    code, out, err = _ingest(parted, later, capsys, monkeypatch, "--part", "north")
    assert code == 0, err
    assert "replaces the earlier load of north.csv (kept in history)" in out
    assert f"wave T1 is open until {closes}: this export replaces the earlier one of part" in out
    with warehouse.open_reader(ProjectPaths(parted).warehouse) as con:
        active = warehouse.active_ingests(con, "survey", instrument="nomad", wave="T1")
        assert [name for _, name, _ in active] == ["north-2.csv"]
