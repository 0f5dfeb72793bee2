"""No identifier, e-mail address or personnummer from an export reaches the store, the validation
files or what the CLI prints — including ones typed into free text and answer cells."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from flows import cli
from ingest.read import read_table
from tests.ingest import corpus

PNR = ("19811218-9876", "811218-9876", "8112189876")


@pytest.mark.parametrize("mode", ["redact", "quarantine"])
def test_identifiers_stay_in_the_raw_file(example_project: Path, capsys, monkeypatch, mode) -> None:
    corpus.free_text_profile(example_project, mode)
    frame = read_table(corpus.T1)
    frame["Kommentar"] = None
    frame.loc[2:7, "Kommentar"] = corpus.COMMENTS
    frame.loc[8, "CO2"] = "811218-9876"  # a personnummer typed into an answer cell
    frame.loc[9, "Organisation"] = "anna.lind@example.org"
    path = example_project / "nomad_T1.csv"
    path.write_text(corpus._csv(frame), encoding="utf-8")
    monkeypatch.chdir(example_project)
    argv = ["impleval", "ingest", str(path), "--instrument", "nomad", "--wave", "T1"]
    for extra in (["--dry-run", "--profile", "comments"], ["--profile", "comments"]):
        monkeypatch.setattr(sys, "argv", argv + extra)
        cli.main()
    out, err = capsys.readouterr()

    con = duckdb.connect(str(example_project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SHOW TABLES").fetchall()]
        dump = [con.execute(f"SELECT * FROM {t}").df().to_csv() for t in tables]
    finally:
        con.close()
    assert "free_text" in tables
    files = [p.read_text("utf-8") for p in (example_project / "output" / "validation").iterdir()]
    assert any(
        p.endswith(".html") for p in map(str, (example_project / "output" / "validation").iterdir())
    )
    everything = "\n".join([*dump, *files, out, err]).casefold()
    identifiers = {str(e).strip().casefold() for e in frame["E-post"].dropna()}
    assert "@" not in everything
    assert not any(e.split("@")[0] in everything for e in identifiers if len(e.split("@")[0]) > 6)
    assert not any(p in everything for p in PNR)
    assert "070-123 45 67" not in everything
    if mode == "redact":
        assert "[personnummer]" in everything and "[telefon]" in everything
    else:
        assert "identifying_free_text" in everything
