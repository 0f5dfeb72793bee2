"""Rosters: landed like every export; the store keeps the pseudonym (the survey's keyed hash of the
same address) and organisation, unit and staff group, never the address; a bad roster is one line
naming rows, never addresses, and nothing is loaded."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from flows import cli
from ingest.kinds import IngestOptions
from ingest.transaction import ingest_file
from privacy.keys import load_key, pseudonymise

HEADER = "E-post;Organisation;Enhet;Yrkesgrupp;Språk\n"
GOOD = [
    "anna.berg@alvstads-sjukhus.example;Älvstads sjukhus;Medicinavdelning 12;Sjuksköterska;sv",
    "Bo.Ek@hc-strand.example ;Hälsocentral Strand;;Läkare;",
    "cia.lund@alvstad.example;soc_alvstad;;Biståndshandläggare;en",
]


def _roster(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _main(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["impleval", *argv])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_roster_keeps_pseudonyms_and_groups_only(example_project: Path) -> None:
    first = _roster(example_project, "roster_T1_hospital.csv", GOOD[:2])
    second = _roster(example_project, "roster_T1_municipality.csv", GOOD[1:])  # Bo on both
    for path in (first, second):
        report = ingest_file(example_project, "roster", path, IngestOptions(wave="T1"))
        assert report.status == "loaded"
    store = example_project / ".impleval" / "warehouse.duckdb"
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute(
            "SELECT DISTINCT respondent_id, organisation, unit, staff_group, language FROM roster "
            "ORDER BY organisation"
        ).fetchall()
        dumped = str(con.execute("SELECT * FROM roster").fetchall())
    assert "@" not in dumped
    assert [r[1:] for r in rows] == [
        ("hc_strand", None, "physician", None),
        ("hosp_alvstad", "alv_med", "nurse", "sv"),
        ("soc_alvstad", None, "care_needs_assessor", "en"),
    ]  # a person on two rosters of one wave is one person
    project_id = (example_project / "project.yaml").read_text(encoding="utf-8").split("id: ")[1]
    key, _ = load_key(project_id.split("\n")[0], project_has_data=True)
    assert pseudonymise("bo.ek@hc-strand.example", key) in {r[0] for r in rows}
    again = ingest_file(example_project, "roster", first, IngestOptions(wave="T1"))
    assert again.status == "already_loaded"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [*GOOD, "dan@x.example;Okänt sjukhus;;Läkare;"],
            "error: roster.csv: unknown organisation 'Okänt sjukhus' in row 5. Expected one of "
            "hosp_alvstad, hosp_fjallby, hc_norrmalm, hc_strand, hc_bjorkdal, hc_asen, "
            "soc_alvstad, hhc_alvstad …; hint: use project.yaml's ids or labels, or add the "
            "spelling under accept:.",
        ),
        (
            [*GOOD, "dan@x.example;Hälsocentral Strand;;Kurator;"],
            "error: roster.csv: unknown staff group 'Kurator' in row 5.",
        ),
        (
            [*GOOD, "ANNA.BERG@alvstads-sjukhus.example;Älvstads sjukhus;;Läkare;"],
            "error: roster.csv: the same e-mail address more than once in rows 2, 5. Expected "
            "each person once; hint: remove the repeated rows.",
        ),
        (
            [
                *GOOD,
                "dan(at)x.example;Hälsocentral Strand;;Läkare;",
                ";Hälsocentral Strand;;Läkare;",
            ],
            "error: roster.csv: a missing or malformed e-mail address in rows 5, 6. Expected "
            "name@domain.se; hint: correct the roster and ingest it again.",
        ),
        (
            [*GOOD, "dan@x.example;Hälsocentral Strand;Ortopedavdelning;Läkare;"],
            "error: roster.csv: a unit that belongs to another organisation in row 5.",
        ),
        (
            [*GOOD, "dan@x.example;Hälsocentral Strand;;Läkare;fi"],
            "error: roster.csv: a language other than sv or en in row 5.",
        ),
    ],
)
def test_a_bad_roster_is_one_line_and_nothing_loaded(
    example_project: Path, rows: list[str], expected: str, capsys, monkeypatch
) -> None:
    path = _roster(example_project, "roster.csv", rows)
    code, _, err = _main(
        ["ingest", str(path), "--kind", "roster", "--wave", "T1", "-p", str(example_project)],
        capsys,
        monkeypatch,
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(expected)
    assert "dan@" not in err and "dan(at)" not in err  # rows are named, addresses never
    store = example_project / ".impleval" / "warehouse.duckdb"
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ingests").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM roster").fetchone() == (0,)


def test_a_roster_needs_a_declared_wave(example_project: Path, capsys, monkeypatch) -> None:
    path = _roster(example_project, "roster.csv", GOOD)
    code, _, err = _main(
        ["ingest", str(path), "--kind", "roster", "--wave", "T9", "-p", str(example_project)],
        capsys,
        monkeypatch,
    )
    assert code == 2
    assert err.strip() == (
        "error: project.yaml: wave 'T9' is not declared. Expected one of T0, T1, VT2018, HT2018. "
        "Hint: check --wave."
    )


def test_roster_counts_are_the_invited_of_response_rates(example_project: Path) -> None:
    from analysis.response_rates import invited_counts, with_rosters
    from project.config import load_project
    from store import outreach, warehouse

    for name, rows in (("a.csv", GOOD[:2]), ("b.csv", GOOD[1:])):
        ingest_file(
            example_project,
            "roster",
            _roster(example_project, name, rows),
            IngestOptions(wave="T1"),
        )
    with warehouse.open_reader(example_project / ".impleval" / "warehouse.duckdb") as con:
        counts = outreach.roster_invited(con, "nomad")
    total = counts[(counts["organisation"] == "all") & (counts["staff_group"] == "all")]
    assert total[["wave", "invited"]].values.tolist() == [["T1", 3]]  # Bo once
    invited = with_rosters(invited_counts(load_project(example_project), "nomad"), counts)
    by_wave = invited[(invited["organisation"] == "all") & (invited["staff_group"] == "all")]
    assert dict(zip(by_wave["wave"], by_wave["invited"], strict=True)) == {"T0": 262, "T1": 3}
