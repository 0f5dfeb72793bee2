"""Reading exports: delimiters, encodings, header rows, row numbers (the messages for what is not
a table are asserted in test_bad_input_corpus.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ingest.read import read_table
from project.errors import ResponseDataError


def _msg(path: Path) -> str:
    with pytest.raises(ResponseDataError) as info:
        read_table(path)
    return str(info.value)


def test_semicolon_csv_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffE-post;CO1\r\nx@y.example;Instämmer\r\n\r\n".encode())
    frame = read_table(path)
    assert list(frame.columns) == ["E-post", "CO1"]
    assert frame.loc[2, "CO1"] == "Instämmer"  # header is row 1, first answer row 2


def test_cp1252_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("E-post;CO1\nx@y.example;Instämmer helt\n".encode("cp1252"))
    assert read_table(path).loc[2, "CO1"] == "Instämmer helt"


def test_comma_csv_with_quoted_newline(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('E-post,Note\nx@y.example,"two\nlines"\n', encoding="utf-8")
    assert read_table(path).shape == (1, 2)


def test_xlsx_rows_are_numbered_as_in_excel(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"E-post": ["a@b.example", "c@d.example"], "CO1": [1, 2]}).to_excel(
        path, index=False
    )
    frame = read_table(path)
    assert list(frame.index) == [2, 3]


def test_tab_and_comma_and_semicolon_are_sniffed(tmp_path: Path) -> None:
    for sep in (";", ",", "\t"):
        path = tmp_path / "a.csv"
        path.write_text(f"E-post{sep}CO1{sep}G1\nx@y.example{sep}Instämmer{sep}7\n", "utf-8")
        frame = read_table(path)
        assert list(frame.columns) == ["E-post", "CO1", "G1"], sep


def test_decimal_comma_in_a_comma_separated_file_is_quoted(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('E-post,G1\nx@y.example,"7,5"\n', encoding="utf-8")
    assert read_table(path).loc[2, "G1"] == "7,5"  # kept as written; mapping reads the comma


def test_blank_trailing_lines_and_rows_keep_file_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("E-post;CO1\na@b.example;1\n\nc@d.example;2\n\n\n;\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.index) == [2, 4]


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "Rapport: NoMAD T0;\nExporterad 2017-11-01;\n\nE-post;CO1;CO2\na@b.example;1;2\n",
        encoding="utf-8",
    )
    frame = read_table(path, header_names=lambda c: c in {"E-post", "CO1", "CO2"})
    assert list(frame.columns) == ["E-post", "CO1", "CO2"]
    assert list(frame.index) == [5]  # the row number in the file


def test_a_question_text_row_under_the_code_row_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    rows = [
        ["E-post", "CO1"],
        ["E-post", "CO1. Jag ser hur arbetet skiljer sig"],
        ["a@b.example", 4],
    ]
    pd.DataFrame(rows).to_excel(path, index=False, header=False)
    frame = read_table(path, header_names=lambda c: c in {"E-post", "CO1"})
    assert list(frame.columns) == ["E-post", "CO1"] and list(frame.index) == [3]


def test_sheet_choice(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Info", index=False)
        pd.DataFrame({"E-post": ["a@b.example"], "CO1": [3]}).to_excel(
            writer, sheet_name="Svar", index=False
        )
    assert read_table(path, sheet="Svar").loc[2, "CO1"] == 3


def test_sav_value_labels_or_codes(tmp_path: Path) -> None:
    import pyreadstat

    path = tmp_path / "a.sav"
    frame = pd.DataFrame({"Epost": ["a@b.example", "c@d.example"], "CO1": [4.0, 5.0]})
    pyreadstat.write_sav(
        frame, str(path), variable_value_labels={"CO1": {4.0: "Instämmer", 5.0: "Instämmer helt"}}
    )
    assert read_table(path)["CO1"].tolist() == ["Instämmer", "Instämmer helt"]
    assert read_table(path, value_labels=False)["CO1"].tolist() == [4.0, 5.0]
    assert list(read_table(path).index) == [1, 2]  # case numbers


def test_xlsx_cells_are_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    """The reader uses calamine for speed; every kind of cell an export holds comes out with the
    value and the Python type that pandas' openpyxl engine gives (whole numbers as int, dates as
    datetime, times, booleans, empty and formula cells without a cached value as missing)."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "a", "b", "c", "d", "e", "f"])
    ws.append(["r1", 1, 1.5, "text", dt.datetime(2018, 3, 1, 12, 30), dt.date(2018, 3, 1), True])
    ws.append(["r2", "=1+1", "  spaced ", dt.time(8, 15), 3.0, -0.0, "Vet ej"])
    ws.append(["r3", None, 12345678901234, 1e-20, "åäö", "1", 0])
    ws.append(["r4", 99, False, "", "#N/A", 2.25, "=NA()"])
    path = tmp_path / "types.xlsx"
    wb.save(path)
    ours = read_table(path)
    theirs = pd.read_excel(path, header=None, dtype=object, engine="openpyxl")
    expected = theirs.iloc[1:].set_axis(list(theirs.iloc[0]), axis=1)
    assert list(ours.columns) == list(expected.columns)
    assert len(ours) == len(expected) == 4
    for (_, mine), (_, reference) in zip(ours.iterrows(), expected.iterrows(), strict=True):
        for column in expected.columns:
            a, b = mine[column], reference[column]
            assert (pd.isna(a) and pd.isna(b)) or (a == b and type(a) is type(b)), (column, a, b)
