"""Reading exports: what is a table, and the exact message for what is not."""

from __future__ import annotations

import zipfile
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


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.csv"
    path.write_bytes(b"")
    assert _msg(path) == "nomad_T0.csv: the file is empty. Hint: export the survey again."


def test_header_only(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.csv"
    path.write_text("E-post;CO1\n", encoding="utf-8")
    assert _msg(path) == (
        "nomad_T0.csv: the file has a header row but no answers. Hint: check that the export "
        "includes the responses."
    )


def test_pdf_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    assert _msg(path) == (
        "nomad_T0.xlsx: the file is named .xlsx but is a PDF document. Hint: export again as "
        "Excel workbook (.xlsx) or CSV."
    )


def test_binary_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.csv"
    path.write_bytes(bytes(range(256)) * 4)
    assert _msg(path) == (
        "nomad_T0.csv: the file is named .csv but is a binary file. Hint: export the answers as "
        "CSV or .xlsx."
    )


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    pd.DataFrame({"E-post": ["a@b.example"], "CO1": ["Instämmer"]}).to_excel(good, index=False)
    bad = tmp_path / "nomad_T0.xlsx"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    assert _msg(bad) == (
        "nomad_T0.xlsx: the workbook is damaged or truncated and cannot be opened. Hint: "
        "download or export the file again."
    )


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert _msg(path) == (
        "nomad_T0.xlsx: a zip file but not an Excel workbook. Hint: export again as .xlsx."
    )


def test_two_sheets_with_data(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"E-post": ["a@b.example"]}).to_excel(writer, sheet_name="Svar", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Info", index=False)
    assert _msg(path) == (
        "nomad_T0.xlsx: the workbook has 2 sheets with data (Svar, Info). Expected one. Hint: "
        "delete the extra sheets or save the answers sheet on its own."
    )


def test_duplicated_header(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.csv"
    path.write_text("E-post;CO1;CO1\na@b.example;1;2\n", encoding="utf-8")
    frame_error = _msg(path)
    assert frame_error.startswith("nomad_T0.csv: the header has repeated column names: CO1")


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "nomad_T0.pdf"
    path.write_bytes(b"%PDF-1.7")
    assert _msg(path) == (
        "nomad_T0.pdf: unsupported file type .pdf. Expected .xlsx or .csv. Hint: save the "
        "export as Excel workbook or CSV."
    )


def test_xlsx_rows_are_numbered_as_in_excel(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"E-post": ["a@b.example", "c@d.example"], "CO1": [1, 2]}).to_excel(
        path, index=False
    )
    frame = read_table(path)
    assert list(frame.index) == [2, 3]
