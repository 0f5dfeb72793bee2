"""A CSV export is parsed in chunks of lines (``IMPLEVAL_CSV_CHUNK_ROWS``); the table read, and so
the store after an ingest, is the same for any chunk size. Rules across rows (a respondent who
answered twice, a long export's second answer to an item) see the whole file, whichever chunks its
lines fell in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.read import CHUNK_ENV, read_table
from ingest.survey import ingest_survey
from tests.ingest import corpus


def _store(project: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(project / ".impleval" / "warehouse.duckdb"), read_only=True)
    try:
        return {
            table: con.execute(f"SELECT * EXCLUDE (ingest_id) FROM {table} ORDER BY ALL").df()
            for table in ("respondents", "responses", "free_text", "quarantine")
        } | {
            "ingests": con.execute(
                "SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM ingests"
            ).df()
        }
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
    ],
    ids=["wide, a respondent twice", "long, an item answered twice"],
)
def test_an_ingest_in_chunks_of_two_lines_loads_what_one_chunk_loads(
    build, options: dict, example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = example_project.parent / "twin"
    shutil.copytree(example_project, twin)  # the same project id: the same key
    stores = []
    for project, chunk in ((example_project, "1000000"), (twin, "2")):
        monkeypatch.setenv(CHUNK_ENV, chunk)
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
