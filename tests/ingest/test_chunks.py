"""A CSV export is parsed in chunks of lines (``IMPLEVAL_CSV_CHUNK_ROWS``); the table read, and so
the store after an ingest, is the same for any chunk size, and whether the responses go to the
store directly or through the staging file (:mod:`store.staging`). Rules across rows (a respondent who
answered twice, a long export's second answer to an item) see the whole file, whichever chunks its
lines fell in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.long_chunks import long_table
from ingest.read import CHUNK_ENV, read_csv_chunks, read_table
from ingest.survey import ingest_survey
from ingest.survey_profile import load_profile, long_to_wide
from instruments.spec import project_instrument
from project.config import load_project
from store import staging
from tests.ingest import corpus


def _store(project: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        return (
            {
                table: con.execute(f"SELECT * EXCLUDE (ingest_id) FROM {table} ORDER BY ALL").df()
                for table in ("respondents", "responses", "free_text", "quarantine")
            }
            | {
                "responses in the order stored": con.execute(
                    "SELECT * EXCLUDE (ingest_id) FROM responses"
                ).df()
            }
            | {
                "ingests": con.execute(
                    "SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM ingests"
                ).df()
            }
        )
    finally:
        con.close()


def _wide_with_a_respondent_twice(project: Path) -> Path:
    frame = corpus.t1_rows(12)
    column = frame.columns.get_loc("E-post")
    frame.iloc[10, column] = str(frame.iloc[1, column]).upper()  # far apart: other chunks
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    return corpus._write(project, "nomad_T1.csv", ("Enkätexport\r\n\r\n" + text).encode("cp1252"))


def _long_with_an_item_twice(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[1]], frame.iloc[[40]]], ignore_index=True)


@pytest.mark.parametrize(
    ("build", "options"),
    [
        (_wide_with_a_respondent_twice, {}),
        (corpus.long_file(_long_with_an_item_twice), {"profile": "long"}),
        (lambda project: _messy_long(project), {"profile": "long"}),
    ],
    ids=["wide, a respondent twice", "long, an item answered twice", "long, lines far apart"],
)
def test_an_ingest_in_chunks_of_two_lines_loads_what_one_chunk_loads(
    build, options: dict, example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = example_project.parent / "twin"
    shutil.copytree(example_project, twin)  # the same project id: the same key
    stores = []
    for project, chunk in ((example_project, "1000000"), (twin, "2")):
        monkeypatch.setenv(CHUNK_ENV, chunk)
        # the twin's responses go through the staging file, as a large file's do
        monkeypatch.setattr(staging, "STAGING_ROWS", 0 if chunk == "2" else 1_000_000)
        path = build(project)
        report = ingest_survey(project, path, instrument="nomad", wave="T1", **options)
        assert report.rows_quarantined >= 1  # the rule across rows was seen
        stores.append(_store(project))
    one, chunked = stores
    assert set(one["quarantine"]["rule"]) & {"duplicate_respondent", "duplicate_answer"}
    for table in one:
        pd.testing.assert_frame_equal(one[table], chunked[table], obj=table)


@pytest.mark.parametrize("chunk", ["1", "2", "3", "7"])
def test_a_csv_read_in_chunks_is_the_csv_read_whole(
    chunk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        'Titel\r\n\r\nid;svar;kommentar\r\n1;ja;\r\n2;nej;"två\r\nrader"\r\n\r\n3;;ok\r\n'
        "4;ja;sista\r\n".encode("cp1252")
    )
    header = {"id", "svar", "kommentar"}.__contains__  # finds the header below the title
    whole = read_table(path, header_names=header)
    monkeypatch.setenv(CHUNK_ENV, chunk)
    chunked = read_table(path, header_names=header)
    pd.testing.assert_frame_equal(whole, chunked)
    assert list(chunked.index) == [4, 5, 7, 8]  # numbered by record (as read whole), blank dropped
    assert chunked.loc[5, "kommentar"] == "två\r\nrader"


def _messy_long(project: Path) -> Path:
    """A long export whose respondents' lines lie far apart (item by item, so in many chunks), with
    what the rules across lines must find: an unknown item, a blank item, a second answer to an item
    far below the first, lines without an identifier, an identifier written twice differently, a
    blank timestamp on a respondent's first line (the first non-blank one is far below), a blank
    answer and a blank line."""
    corpus.long_profile(project)
    frame = corpus._long(project).astype(object).reset_index(drop=True)
    first = frame.loc[0, "E-post"]
    frame.loc[0, "Inskickad"] = None
    frame.loc[3, "Svar"] = None
    frame.loc[5, "E-post"] = f"  {str(frame.loc[5, 'E-post']).upper()} "
    extra = pd.DataFrame(
        [
            {"E-post": first, "Inskickad": None, "Fråga": "X99", "Svar": "Instämmer"},
            {"E-post": first, "Inskickad": None, "Fråga": None, "Svar": "Instämmer"},
            {"E-post": None, "Inskickad": "2019-02-05 10:00", "Fråga": "X99", "Svar": "Ja"},
            {"E-post": None, "Inskickad": None, "Fråga": None, "Svar": None},
            {"E-post": None, "Inskickad": None, "Fråga": frame.loc[7, "Fråga"], "Svar": "7"},
        ]
    )
    lines = pd.concat([frame.iloc[:20], extra.iloc[:2], frame.iloc[20:60], extra.iloc[2:]])
    lines = pd.concat([lines, frame.iloc[60:], frame.iloc[[1, 33]]], ignore_index=True)
    path = project / "nomad_T1.csv"
    path.write_text(lines.to_csv(sep=";", index=False, lineterminator="\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize("chunk", ["1", "2", "5", "64", "1000000"])
def test_a_long_export_pivoted_part_by_part_is_the_long_export_pivoted_whole(
    chunk: str, example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = load_project(example_project)
    spec = project_instrument(project, "nomad", example_project)
    path = _messy_long(example_project)
    profile = load_profile("long", project_dir=example_project)
    matcher = profile.header_matcher(spec)
    whole, problems = long_to_wide(
        read_table(path, header_names=matcher), spec=spec, profile=profile, file_name=path.name
    )
    monkeypatch.setenv(CHUNK_ENV, chunk)
    parts = read_csv_chunks(path, header_names=matcher)
    table, found = long_table(parts, spec, profile, path.name)
    pd.testing.assert_frame_equal(table, whole)
    assert found == problems
    assert {p["rule"] for p in found} == {"unknown_item", "duplicate_answer"}
    assert table["Inskickad"].notna().all()  # the first non-blank, found in a later chunk
