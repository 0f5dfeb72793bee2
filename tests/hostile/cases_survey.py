"""Hostile survey exports (NoMAD T1 of the example project), each with its declared outcome."""

from __future__ import annotations

import pandas as pd

from tests.hostile.cases import Case
from tests.hostile.files import (
    cell,
    claims_3gb,
    csv_text,
    edited_survey,
    many_members,
    ratio_bomb,
    raw,
    survey_rows,
    survey_xlsx,
    text,
)

T1 = ("--instrument", "nomad", "--wave", "T1", "--dry-run")
CSV, XLSX = "nomad_T1.csv", "nomad_T1.xlsx"


def _rows(edit=None, n: int = 6) -> str:
    frame = survey_rows(n)
    if edit is not None:
        edit(frame)
    return csv_text(frame)


def _profile(name: str, identifier: str, stable: bool = False):
    """A survey built with the export profile ``name`` (written into the project's profiles/)."""
    yaml_text = (
        f"id: {name}\nidentifier: [{identifier}]\ntimestamp: [Inskickad]\n"
        f"organisation: [Organisation]\nunit: [Enhet]\nstaff_group: [Yrkesgrupp]\n"
        f"identifier_is_stable: {'true' if stable else 'false'}\n"
    )

    def build(folder):
        project = next(p for p in folder.parents if (p / "project.yaml").is_file())
        profiles = project / "profiles"
        profiles.mkdir(exist_ok=True)
        (profiles / f"{name}.yaml").write_text(yaml_text, encoding="utf-8")
        return text(CSV, _rows())(folder)

    return build


def _raw_profile(name: str, data: bytes):
    def build(folder):
        project = next(p for p in folder.parents if (p / "project.yaml").is_file())
        (project / "profiles").mkdir(exist_ok=True)
        (project / "profiles" / f"{name}.yaml").write_bytes(data)
        return text(CSV, _rows())(folder)

    return build


def _xlsx_cell(row: int, column: str, value: object):
    def build(folder):
        frame = survey_rows()
        frame.loc[row, column] = value
        return raw(XLSX, survey_xlsx(frame))(folder)

    return build


def _counter_xlsx(folder):
    _profile("counter", "Svar-ID")(folder)
    frame = survey_rows()
    frame["Svar-ID"] = list(range(1, len(frame) + 1))
    return raw(XLSX, survey_xlsx(frame))(folder)


def _header_swap(old: str, new: str):
    return text(CSV, _rows().replace(old, new, 1))


def _both(*edits):
    def edit(frame: pd.DataFrame) -> None:
        for e in edits:
            e(frame)

    return edit


FORMULA = "=cmd|' /C calc'!A0"
CASES: list[Case] = [
    # -- refused: one line naming the file, what is wrong and how to fix it --------------------------
    Case(
        "empty file",
        raw(CSV, b""),
        T1,
        refused=("nomad_T1.csv: the file is empty. Hint: export the survey again."),
    ),
    Case(
        "blank lines only",
        raw(CSV, b"\r\n\r\n  \r\n"),
        T1,
        refused=("nomad_T1.csv: the file is empty. Hint: export the survey again."),
    ),
    Case(
        "header only",
        text(CSV, _rows().splitlines()[0] + "\n"),
        T1,
        refused=(
            "nomad_T1.csv: the file has a header row but no answers. Hint: check that the "
            "export includes the responses."
        ),
    ),
    Case(
        "byte that is neither UTF-8 nor cp1252",
        raw(CSV, _rows().encode() + b"x\x81y\n"),
        T1,
        refused=(
            "nomad_T1.csv: the text encoding is neither UTF-8 nor Windows-1252 (byte 0x81 at "
            "byte position 2391, line 8). Hint: save the CSV as UTF-8."
        ),
    ),
    Case(
        "UTF-16 without BOM",
        raw(CSV, _rows().encode("utf-16-le")),
        T1,
        refused=(
            "nomad_T1.csv: the file is named .csv but is a binary file. Hint: export the "
            "answers as CSV or .xlsx."
        ),
    ),
    Case(
        "PDF named .csv",
        raw(CSV, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        T1,
        refused=(
            "nomad_T1.csv: the file is named .csv but is a PDF document. Hint: export the "
            "answers as CSV or .xlsx."
        ),
    ),
    Case(
        "PDF named .xlsx",
        raw(XLSX, b"%PDF-1.7\n"),
        T1,
        refused=(
            "nomad_T1.xlsx: the file is named .xlsx but is a PDF document. Hint: export "
            "again as Excel workbook (.xlsx) or CSV."
        ),
    ),
    Case(
        "zip bomb .xlsx declaring 3 GB",
        raw(XLSX, claims_3gb(survey_xlsx())),
        T1,
        refused=(
            "nomad_T1.xlsx: unpacks to 3073 MB, more than the limit of 1024 MB. Hint: check "
            "that nomad_T1.xlsx is the Excel workbook you exported; to take it anyway, raise "
            "the limit with IMPLEVAL_MAX_UNPACKED_MB=3073."
        ),
    ),
    Case(
        "zip bomb .xlsx packed 1000:1",
        raw(XLSX, ratio_bomb(survey_xlsx())),
        T1,
        refused=(
            "nomad_T1.xlsx: member xl/media/image1.bin unpacks to 1028 times its packed "
            "size, more than the limit of 200 (a zip bomb looks like this). Hint: check that "
            "nomad_T1.xlsx is the Excel workbook you exported; to take it anyway, raise the "
            "limit with IMPLEVAL_MAX_ZIP_RATIO=1029."
        ),
    ),
    Case(
        "xlsx of 10 010 members",
        raw(XLSX, many_members(survey_xlsx(), 10_001)),
        T1,
        refused=(
            "nomad_T1.xlsx: the archive holds 10010 members, more than the limit of 10000. "
            "Hint: check that nomad_T1.xlsx is the Excel workbook you exported; to take it "
            "anyway, raise the limit with IMPLEVAL_MAX_ZIP_MEMBERS=10010."
        ),
    ),
    Case(
        "truncated xlsx",
        raw(XLSX, survey_xlsx()[:3000]),
        T1,
        refused=(
            "nomad_T1.xlsx: the workbook is damaged or truncated and cannot be opened. Hint: "
            "download or export the file again."
        ),
    ),
    Case(
        "NUL bytes in a cell",
        raw(CSV, _rows().replace("Läkare", "Lä\0kare", 1).encode()),
        T1,
        refused=(
            "nomad_T1.csv: the file is named .csv but is a binary file. Hint: export the "
            "answers as CSV or .xlsx."
        ),
    ),
    Case(
        "one column only",
        text(CSV, "E-post\na@b.example\nc@d.example\n"),
        T1,
        refused=(
            "nomad_T1.csv: only one column was found. Expected a table separated by ';', ',' "
            "or tab. Hint: check the separator the export uses."
        ),
    ),
    Case(
        "look-alike Cyrillic Е in E-post",
        _header_swap("E-post", "\u0415-post"),
        T1,
        refused=(
            "nomad_T1.csv: no respondent identifier column. Expected one of E-post, "
            "E-postadress, Epost, E-mail; found Svar-ID, Inskickad, Е-post, Organisation, "
            "Enhet, Yrkesgrupp, G1, G2, .... Hint: keep the e-mail or respondent column in "
            "the export, or name it in an export profile (--profile)."
        ),
    ),
    Case(
        "identifier is a row counter",
        _profile("counter", "Svar-ID"),
        (*T1, "--profile", "counter"),
        refused=(
            "nomad_T1.csv: the identifier column Svar-ID looks like a row counter (the "
            "numbers 1…8 for 6 rows), not a person's identifier; used as one, it would link "
            "unrelated people across waves. Expected a stable id such as the e-mail address. "
            "Hint: export the e-mail column, or, if Svar-ID is the same person's id in every "
            "wave, set identifier_is_stable: true in the export profile "
            "(profiles/counter.yaml)."
        ),
    ),
    Case(
        "identifier is a counter of numbers in a workbook",
        _counter_xlsx,
        (*T1, "--profile", "counter"),
        refused=(
            "nomad_T1.xlsx: the identifier column Svar-ID looks like a row counter (the "
            "numbers 1…6 for 6 rows), not a person's identifier; used as one, it would link "
            "unrelated people across waves. Expected a stable id such as the e-mail address. "
            "Hint: export the e-mail column, or, if Svar-ID is the same person's id in every "
            "wave, set identifier_is_stable: true in the export profile "
            "(profiles/counter.yaml)."
        ),
    ),
    Case(
        "identifier is the submission time",
        _profile("stamp", "Inskickad"),
        (*T1, "--profile", "stamp"),
        refused=(
            "nomad_T1.csv: the identifier column Inskickad looks like a date or submission "
            "time, not a person's identifier; used as one, it would link unrelated people "
            "across waves. Expected a stable id such as the e-mail address. Hint: export the "
            "e-mail column, or, if Inskickad is the same person's id in every wave, set "
            "identifier_is_stable: true in the export profile (profiles/stamp.yaml)."
        ),
    ),
    Case(
        "export profile not in UTF-8",
        _raw_profile(
            "latin", "id: latin\nidentifier: [E-post]\ndescription: Förval\n".encode("latin-1")
        ),
        (*T1, "--profile", "latin"),
        refused=(
            "profiles/latin.yaml: not a readable UTF-8 YAML file ('utf-8' codec can't decode "
            "byte 0xf6 in position 45: invalid start byte). Hint: save it as UTF-8 and check "
            "its indentation (spaces, not tabs)."
        ),
    ),
    Case(
        "export profile with a tab",
        _raw_profile("tabbed", b"id: tabbed\nidentifier:\n\t- E-post\n"),
        (*T1, "--profile", "tabbed"),
        refused=(
            "profiles/tabbed.yaml: not a readable UTF-8 YAML file (while scanning for the "
            "next token found character '\\t' that cannot start any token in \"<unicode "
            'string>", line 3, column 1: - E-post ^). Hint: save it as UTF-8 and check its '
            "indentation (spaces, not tabs)."
        ),
    ),
    Case(
        "repeated header names",
        _header_swap("Enhet", "Organisation"),
        T1,
        refused=(
            "nomad_T1.csv: the header has repeated column names: Organisation. Hint: give "
            "every column its own name in the export."
        ),
    ),
    Case(
        "item columns missing",
        text(CSV, _rows().replace(";RM5", ";RMX", 1)),
        T1,
        refused=(
            "nomad_T1.csv: 1 of 23 nomad item columns are missing: RM5. Profile 'generic' takes "
            "item RM5 from a column named RM5 or nomad_RM5 (case, spaces and _ do not matter); "
            "closest columns found: RMX. Hint: rename the columns, or choose a profile whose "
            "item_columns fit (e.g. --profile spss or survey-tool)."
        ),
    ),
    # -- quarantined: the rest loads; each kept-out row has its rule -----------------------------
    Case(
        "formula as an answer label",
        edited_survey(cell(0, "CO1", FORMULA)),
        T1,
        read=6,
        quarantined=1,
        reasons={"unknown_label": 1},
    ),
    Case(
        "@SUM as organisation",
        edited_survey(cell(1, "Organisation", "@SUM(1+1)*cmd|' /C calc'!A0")),
        T1,
        read=6,
        quarantined=1,
        reasons={"unknown_organisation": 1},
    ),
    Case(
        "formula as submission time",
        edited_survey(cell(2, "Inskickad", "=NOW()")),
        T1,
        read=6,
        quarantined=1,
        reasons={"bad_timestamp": 1},
    ),
    Case(
        "+ and - formulas as numeric answers",
        edited_survey(_both(cell(0, "G1", "+1+1"), cell(1, "G2", "-2+3"))),
        T1,
        read=6,
        quarantined=2,
        reasons={"not_a_number": 2},
    ),
    Case(
        "NaN as a numeric answer",
        edited_survey(cell(3, "G1", "NaN")),
        T1,
        read=6,
        quarantined=1,
        reasons={"not_a_number": 1},
    ),
    Case(
        "inf as a numeric answer",
        edited_survey(cell(3, "G2", "inf")),
        T1,
        read=6,
        quarantined=1,
        reasons={"not_a_number": 1},
    ),
    Case(
        "-Infinity in a workbook cell",
        _xlsx_cell(2, "G3", float("-inf")),
        T1,
        read=6,
        quarantined=1,
        reasons={"not_a_number": 1},
    ),
    Case(
        "look-alike Cyrillic І in a label",
        edited_survey(cell(4, "CO2", "\u0406nstämmer")),
        T1,
        read=6,
        quarantined=1,
        reasons={"unknown_label": 1},
    ),
    Case(
        "empty identifier",
        edited_survey(cell(5, "E-post", None)),
        T1,
        read=6,
        quarantined=1,
        reasons={"missing_identifier": 1},
    ),
    Case(
        "same respondent twice (both answers kept out)",
        edited_survey(cell(5, "E-post", "ANDREAS.eriksson@hc-strand.example ")),
        T1,
        read=6,
        quarantined=2,
        reasons={"duplicate_respondent": 2},
    ),
    Case(
        "answered outside the wave",
        edited_survey(cell(0, "Inskickad", "2030-01-01 10:00")),
        T1,
        read=6,
        quarantined=1,
        reasons={"outside_wave_window": 1},
    ),
    # -- loaded: unusual but valid ---------------------------------------------------------------
    Case(
        "UTF-8 BOM and CRLF",
        raw(CSV, ("\ufeff" + _rows().replace("\n", "\r\n")).encode()),
        T1,
        read=6,
    ),
    Case("Windows-1252 text", raw(CSV, _rows().encode("cp1252")), T1, read=6),
    Case(
        "UTF-16 with BOM, tab separated",
        raw(CSV, _rows().replace(";", "\t").encode("utf-16")),
        T1,
        read=6,
    ),
    Case(
        "formula-looking e-mail as identifier",
        edited_survey(cell(0, "E-post", '=HYPERLINK("x")@example.org')),
        T1,
        read=6,
    ),
    Case("real workbook", raw(XLSX, survey_xlsx()), T1, read=6),
    Case(
        "row counter declared stable",
        _profile("panel", "Svar-ID", stable=True),
        (*T1, "--profile", "panel"),
        read=6,
    ),
    Case(
        "no-break spaces around labels",
        edited_survey(cell(0, "CO1", "\u00a0Instämmer\u00a0")),
        T1,
        read=6,
    ),
]
