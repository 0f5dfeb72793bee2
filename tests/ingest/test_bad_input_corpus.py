"""The bad-input corpus: every messy export a new user may send, with the exact message they get.

Three groups:

- **refused** files raise a :class:`PipelineError` whose one-line message is asserted verbatim;
- **quarantined** rows load the rest of the file; the dry run's summary (counts, rules and the first
  problem rows) is asserted verbatim;
- **unusual but valid** files must load exactly like the plain export they were made from.

All files are built on the fly from the synthetic example (``tests/ingest/corpus.py``). A 1 M-row
export is measured in the benchmark (``make bench``), not here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ingest.survey import ingest_survey
from ingest.survey_map import _label_lookup, read_survey_export
from ingest.survey_profile import load_profile
from instruments.spec import load_instrument
from project.config import load_project
from project.errors import PipelineError
from project.labels import normalise_label
from tests.ingest import corpus
from tests.ingest.corpus import Case, _edited, _set, _write, t1_rows, xlsx_bytes

SPEC = load_instrument("nomad")


def _raw(name: str, data: bytes):
    return lambda project: _write(project, name, data)


def _csv_text(name: str, text: str, encoding: str = "utf-8"):
    return lambda project: _write(project, name, text.encode(encoding))


def _two_sheets(project: Path) -> Path:
    frame = t1_rows()
    data = xlsx_bytes({"Svar": frame, "Info": pd.DataFrame({"Om": ["Exporterad 2019-03-25"]})})
    return _write(project, "nomad_T1.xlsx", data)


def _empty_workbook(project: Path) -> Path:
    return _write(project, "nomad_T1.xlsx", xlsx_bytes({"Svar": pd.DataFrame()}))


def _drop(*columns: str):
    def build(project: Path) -> Path:
        frame = t1_rows().drop(columns=list(columns))
        return _write(project, "nomad_T1.csv", corpus._csv(frame).encode("utf-8"))

    return build


def _cell_1mb(column: str):
    return _edited(_set(3, column, "x" * 1_000_000))


def _long_missing_value_column(project: Path) -> Path:
    corpus.long_profile(project)
    frame = corpus._long(project).drop(columns=["Svar"])
    return _write(project, "nomad_T1.csv", corpus._csv(frame).encode("utf-8"))


def _unknown_item(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.iloc[0, frame.columns.get_loc("Fråga")] = "CO9"
    return frame


def _duplicate_answer(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[5]]], ignore_index=True)


_HEADER = "E-post;Inskickad;" + ";".join(i.source_code for i in SPEC.items)

REFUSED: dict[str, tuple[Case, str]] = {
    "empty file": (
        Case(_raw("nomad_T1.csv", b"")),
        ("nomad_T1.csv: the file is empty. Hint: export the survey again."),
    ),
    "only blank lines": (
        Case(_raw("nomad_T1.csv", b"\r\n \r\n\t\r\n")),
        ("nomad_T1.csv: the file is empty. Hint: export the survey again."),
    ),
    "binary file named .csv": (
        Case(_raw("nomad_T1.csv", bytes(range(256)) * 4)),
        (
            "nomad_T1.csv: the file is named .csv but is a binary file. Hint: export the "
            "answers as CSV or .xlsx."
        ),
    ),
    "PDF named .xlsx": (
        Case(_raw("nomad_T1.xlsx", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")),
        (
            "nomad_T1.xlsx: the file is named .xlsx but is a PDF document. Hint: export "
            "again as Excel workbook (.xlsx) or CSV."
        ),
    ),
    "PNG named .csv": (
        Case(_raw("nomad_T1.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)),
        (
            "nomad_T1.csv: the file is named .csv but is a PNG image. Hint: export the "
            "answers as CSV or .xlsx."
        ),
    ),
    "old .xls named .xlsx": (
        Case(_raw("nomad_T1.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)),
        (
            "nomad_T1.xlsx: the file is named .xlsx but is an old-style Excel (.xls) or "
            "other Office file. Hint: export again as Excel workbook (.xlsx) or CSV."
        ),
    ),
    "SPSS file named .csv": (
        Case(_raw("nomad_T1.csv", b"$FL2@(#) IBM SPSS" + b"\x00" * 64)),
        (
            "nomad_T1.csv: the file is named .csv but is an SPSS .sav file. Hint: give it "
            "the .sav ending."
        ),
    ),
    "truncated xlsx": (
        Case(corpus.truncated_xlsx),
        (
            "nomad_T1.xlsx: the workbook is damaged or truncated and cannot be opened. "
            "Hint: download or export the file again."
        ),
    ),
    "zip that is not a workbook": (
        Case(corpus.zip_not_workbook),
        ("nomad_T1.xlsx: a zip file but not an Excel workbook. Hint: export again as .xlsx."),
    ),
    "damaged .sav": (
        Case(_raw("nomad_T1.sav", b"$FL2@(#) SPSS DATA FILE" + b"\x01" * 40)),
        (
            "nomad_T1.sav: not a readable SPSS .sav file (ReadstatError). Hint: save the "
            "data again from SPSS, or export it as CSV."
        ),
    ),
    "wrong encoding": (
        Case(_csv_text("nomad_T1.csv", _HEADER + "\nx@y.example;2019-02-05;\x81\n", "latin-1")),
        (
            "nomad_T1.csv: the text encoding is neither UTF-8 nor Windows-1252 (byte 0x81 at "
            "byte position 129, line 2). Hint: save the CSV as UTF-8."
        ),
    ),
    "unsupported file type": (
        Case(_raw("nomad_T1.pdf", b"%PDF-1.7")),
        (
            "nomad_T1.pdf: unsupported file type .pdf. Expected .xlsx, .csv, .sav or .dta. "
            "Hint: save the export as Excel workbook or CSV."
        ),
    ),
    "header only": (
        Case(_csv_text("nomad_T1.csv", _HEADER + "\r\n")),
        (
            "nomad_T1.csv: the file has a header row but no answers. Hint: check that the "
            "export includes the responses."
        ),
    ),
    "duplicated header": (
        Case(_csv_text("nomad_T1.csv", _HEADER + ";CO1\nx@y.example;2019-02-05\n")),
        (
            "nomad_T1.csv: the header has repeated column names: CO1. Hint: give every "
            "column its own name in the export."
        ),
    ),
    "one column only": (
        Case(_csv_text("nomad_T1.csv", "E-post\nx@y.example\n")),
        (
            "nomad_T1.csv: only one column was found. Expected a table separated by ';', "
            "',' or tab. Hint: check the separator the export uses."
        ),
    ),
    "ragged rows": (
        Case(_csv_text("nomad_T1.csv", "E-post;CO1\nx@y.example;4\nz@y.example;4;5;6\n")),
        (
            "nomad_T1.csv: not a readable CSV table (Error tokenizing data. C error: "
            "Expected 2 fields in line 3, saw 4). Hint: open it in a spreadsheet and save "
            "as CSV (semicolon or comma separated)."
        ),
    ),
    "two sheets with data": (
        Case(_two_sheets),
        (
            "nomad_T1.xlsx: the workbook has 2 sheets with data (Svar, Info). Expected "
            "one. Hint: delete the extra sheets, save the answers sheet on its own, or "
            "choose it with --sheet (or sheet: in the export profile)."
        ),
    ),
    "chosen sheet does not exist": (
        Case(_two_sheets, options={"sheet": "Answers"}),
        (
            "nomad_T1.xlsx: the workbook has no sheet 'Answers'. Expected one of Svar, "
            "Info. Hint: check --sheet or the profile's sheet."
        ),
    ),
    "every sheet empty": (
        Case(_empty_workbook),
        ("nomad_T1.xlsx: every sheet is empty. Hint: export the survey again."),
    ),
    "missing identifier column": (
        Case(_drop("E-post")),
        (
            "nomad_T1.csv: no respondent identifier column. Expected one of E-post, "
            "E-postadress, Epost, E-mail; found Svar-ID, Inskickad, Organisation, Enhet, "
            "Yrkesgrupp, G1, G2, G3, .... Hint: keep the e-mail or respondent column in "
            "the export, or name it in an export profile (--profile)."
        ),
    ),
    "missing item columns": (
        Case(_drop("CA6", "CA7")),
        (
            "nomad_T1.csv: 2 of 23 nomad item columns are missing: CA6, CA7. Profile "
            "'generic' takes item CA6 from a column named CA6 or nomad_CA6 (case, spaces and "
            "_ do not matter); closest columns found: none. Hint: rename the columns, or "
            "choose a profile whose item_columns fit (e.g. --profile spss or survey-tool)."
        ),
    ),
    "long layout without a value column": (
        Case(_long_missing_value_column, options={"profile": "long"}),
        (
            "nomad_T1.csv: no value column for the long layout. Expected one of Svar; "
            "found E-post, Inskickad, Fråga. Hint: check the export profile 'long' "
            "(identifier, item_column, value_column)."
        ),
    ),
    "unknown wave": (
        Case(_drop(), wave="T9"),
        (
            "project.yaml: wave 'T9' of instrument 'nomad' is not declared. Expected one "
            "of T0, T1. Hint: add it under waves, or check the --wave value."
        ),
    ),
    "unknown instrument": (
        Case(_drop(), instrument="sdq", wave="T0"),
        (
            "project.yaml: instrument 'sdq' is not used by this project. Expected one of "
            "nomad, pcat. Hint: add it under instruments, or check --instrument."
        ),
    ),
    "unknown export profile": (
        Case(_drop(), options={"profile": "netigate"}),
        (
            "export profile 'netigate' not found. Expected one of codes-descending, "
            "generic, labels-en, spss, survey-tool. Hint: check --profile, or add "
            "profiles/netigate.yaml to "
            "the project folder."
        ),
    ),
    "missing file": (
        Case(lambda project: project / "nope.csv"),
        ("{project}/nope.csv: no such file. Hint: check the path and file name."),
    ),
}

QUARANTINED: dict[str, tuple[Case, str]] = {
    "duplicated respondent": (
        Case(_edited(corpus._duplicate)),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 4 would load + 2 quarantined\n"
            "  quarantined 2 row(s): duplicate_respondent (the same respondent answered "
            "more than once in this wave)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 2 of 2 problem(s): row, column, rule\n"
            "    row 2, respondent_id: duplicate_respondent — the same person answered "
            "more than once in this wave; keep one answer in the export\n"
            "    row 4, respondent_id: duplicate_respondent — the same person answered "
            "more than once in this wave; keep one answer in the export"
        ),
    ),
    "out-of-range codes": (
        Case(_edited(lambda f: (_set(3, "CO1", "7")(f), _set(5, "G2", "11")(f)))),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 4 would load + 2 quarantined\n"
            "  quarantined 2 row(s): out_of_set (an answer code outside the response set)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 2 of 2 problem(s): row, column, rule\n"
            "    row 3, nomad_co1: out_of_set — code 7 not in response set agree_5\n"
            "    row 5, nomad_g2: out_of_set — code 11 not in response set scale_0_10"
        ),
    ),
    "unknown labels": (
        Case(_edited(_set(4, "CA2", "Kanske"))),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): unknown_label (an answer label that is not in the "
            "instrument's response set)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 4, CA2: unknown_label — Kanske"
        ),
    ),
    "timestamp outside the wave window": (
        Case(_edited(_set(2, "Inskickad", "2018-01-15 09:00"))),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): outside_wave_window (submitted outside the wave's "
            "open–close dates)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 2, submitted_at: outside_wave_window — submitted 2018-01-15; wave T1 "
            "is open 2019-02-04–2019-03-22 in project.yaml"
        ),
    ),
    "timestamp that is not a date": (
        Case(_edited(_set(6, "Inskickad", "igår"))),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): bad_timestamp (the submission time is not a date)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 6, Inskickad: bad_timestamp — not a date and time"
        ),
    ),
    "blank identifier": (
        Case(_edited(_set(5, "E-post", None))),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): missing_identifier (the respondent identifier is "
            "empty)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 5, respondent_id: missing_identifier — every answer row needs the "
            "respondent's identifier"
        ),
    ),
    "no item answered": (
        Case(_edited(corpus._empty_answers)),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): empty_response (no item answered at all)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 3, (all items): empty_response — no item answered"
        ),
    ),
    "unknown organisation": (
        Case(_edited(_set(2, "Organisation", "Okänd klinik"))),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): unknown_organisation (an organisation not declared in "
            "project.yaml)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 2, Organisation: unknown_organisation — Okänd klinik"
        ),
    ),
    "a 1 MB cell in an item column": (
        Case(_cell_1mb("CP3")),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): unknown_label (an answer label that is not in the "
            "instrument's response set)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 3, CP3: unknown_label — (text of 1000000 characters)"
        ),
    ),
    "an e-mail address typed as an answer": (
        Case(_edited(_set(3, "CO2", "x.y@z.example"))),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): unknown_label (an answer label that is not in the "
            "instrument's response set)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 1 of 1 problem(s): row, column, rule\n"
            "    row 3, CO2: unknown_label — [e-post]"
        ),
    ),
    "long layout: unknown item and duplicate answer": (
        Case(
            corpus.long_file(lambda f: _duplicate_answer(_unknown_item(f))),
            options={"profile": "long"},
        ),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 5 would load + 1 quarantined\n"
            "  quarantined 1 row(s): duplicate_answer (a second answer to the same item by "
            "the same respondent (long export))\n"
            "  quarantined 1 row(s): unknown_item (a line of a long export naming an item "
            "the instrument does not have)\n"
            "  first 2 of 2 problem(s): row, column, rule\n"
            "    row 2, Fråga: duplicate_answer — line 140\n"
            "    row 2, Fråga: unknown_item — CO9"
        ),
    ),
    "personnummer, phone, e-mail in free text (quarantine)": (
        Case(corpus.with_comments("quarantine"), options={"profile": "comments"}),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 3 would load + 3 quarantined\n"
            "  quarantined 3 row(s): identifying_free_text (a free-text answer holding a "
            "personnummer, e-mail address, phone number or name)\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  first 3 of 3 problem(s): row, column, rule\n"
            "    row 3, Kommentar: identifying_free_text — contains phone\n"
            "    row 5, Kommentar: identifying_free_text — contains personnummer\n"
            "    row 6, Kommentar: identifying_free_text — contains e-mail"
        ),
    ),
    "personnummer, phone, e-mail in free text (redact)": (
        Case(corpus.with_comments("redact"), options={"profile": "comments"}),
        (
            "nomad_T1.csv → nomad T1: 6 rows read = 6 would load + 0 quarantined\n"
            "  1 column(s) not used by nomad were left in the raw file only\n"
            "  free text: replaced 1 personnummer, 1 e-mail, 1 phone by role labels before "
            "loading"
        ),
    ),
}


def _run(project: Path, case: Case):
    path = case.build(project)
    return ingest_survey(
        project, path, instrument=case.instrument, wave=case.wave, dry_run=True, **case.options
    )


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_files_say_exactly_what_to_fix(name: str, example_project: Path) -> None:
    case, expected = REFUSED[name]
    with pytest.raises(PipelineError) as info:
        _run(example_project, case)
    assert str(info.value) == expected.replace("{project}", str(example_project))


@pytest.mark.parametrize("name", list(QUARANTINED))
def test_quarantined_rows_are_diagnosed_exactly(name: str, example_project: Path) -> None:
    case, expected = QUARANTINED[name]
    report = _run(example_project, case)
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert "\n".join(report.lines()) == expected


# -- unusual but valid: each must map exactly like the plain export it was made from ----------------


def _reference(project: Path):
    frame = t1_rows()
    path = _write(project, "plain.csv", corpus._csv(frame).encode("utf-8"))
    return _mapped(project, path, "generic")


def _mapped(project: Path, path: Path, profile: str, **update):
    prof = load_profile(profile, project_dir=project)
    if update:
        prof = prof.model_copy(update=update)
    return read_survey_export(
        path, spec=SPEC, project=load_project(project), profile=prof, file_name=path.name
    )


def _swedish_excel_csv(project: Path) -> Path:
    frame = t1_rows()
    frame["G1"] = frame["G1"].map(lambda v: f"{v},0")  # decimal comma
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    return _write(project, "nomad_T1.csv", text.encode("cp1252"))


def _title_rows_xlsx(project: Path) -> Path:
    frame = t1_rows()
    title = pd.DataFrame([["NoMAD T1 – export 2019-03-25"], [None]])
    body = pd.concat([pd.DataFrame([frame.columns], columns=frame.columns), frame])
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        title.to_excel(writer, sheet_name="Svar", index=False, header=False)
        body.to_excel(writer, sheet_name="Svar", index=False, header=False, startrow=3)
    return _write(project, "nomad_T1.xlsx", buffer.getvalue())


def _two_header_rows_csv(project: Path) -> Path:
    frame = t1_rows()
    text_row = {c: f"{c}: frågetext i exporten" for c in frame.columns} | {"E-post": "E-post"}
    body = pd.concat([pd.DataFrame([text_row]), frame])
    return _write(project, "nomad_T1.csv", corpus._csv(body).encode("utf-8"))


def _libreoffice_xlsx(project: Path) -> Path:
    """A minimal workbook as LibreOffice writes it: inline strings, no styles, its own app name."""
    frame = t1_rows()
    rows = [list(frame.columns), *frame.astype(object).where(frame.notna(), None).values.tolist()]

    def cell(ref: str, value: object) -> str:
        if value is None:
            return ""
        text = str(value).replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    def col(i: int) -> str:
        return (chr(64 + i // 26) if i >= 26 else "") + chr(65 + i % 26)

    sheet_rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(cell(f"{col(c)}{r + 1}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows)
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
        'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
        f'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "docProps/app.xml": "<Properties><Application>LibreOffice/7.6$Linux_X86_64 "
        "LibreOffice_project/60$Build-2</Application></Properties>",
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}">'
        '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>'
        f"<sheetData>{sheet_rows}</sheetData></worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return _write(project, "nomad_T1.xlsx", buffer.getvalue())


def _stats_file(suffix: str):
    """A .sav/.dta as SPSS or Stata users save it: numeric codes with Swedish value labels."""

    def build(project: Path) -> Path:
        frame = t1_rows().rename(columns={"E-post": "Epost", "Svar-ID": "SvarID"})
        agree = SPEC.response_sets["agree_5"]
        labels = {float(o.code): o.labels.sv for o in agree.options} | {
            float(6 + i): n.labels.sv for i, n in enumerate(agree.not_applicable)
        }
        by_label = _label_lookup(agree)
        na_code = {n.key: float(6 + i) for i, n in enumerate(agree.not_applicable)}

        def code(value: object) -> float:
            if value is None or pd.isna(value):
                return np.nan
            kind, target = by_label[normalise_label(str(value))]
            return float(target) if kind == "scored" else na_code[target]

        value_labels = {}
        for item in SPEC.items:
            if item.response_set == "agree_5":
                frame[item.source_code] = frame[item.source_code].map(code)
                value_labels[item.source_code] = labels
            else:
                frame[item.source_code] = pd.to_numeric(frame[item.source_code])
        frame = frame.astype({c: str for c in ("Epost", "Inskickad", "Organisation", "Yrkesgrupp")})
        frame["Enhet"] = frame["Enhet"].fillna("").astype(str)
        frame["SvarID"] = pd.to_numeric(frame["SvarID"])
        path = project / f"nomad_T1{suffix}"
        write = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
        write(frame, str(path), variable_value_labels=value_labels)
        return path

    return build


def _long_csv(project: Path) -> Path:
    return corpus.long_file()(project)


VALID = {
    "tab-separated": lambda p: _write(p, "nomad_T1.tsv", corpus._csv(t1_rows(), "\t").encode()),
    "comma-separated with UTF-8 BOM": lambda p: _write(
        p, "nomad_T1.csv", b"\xef\xbb\xbf" + corpus._csv(t1_rows(), ",").encode()
    ),
    "Swedish Excel CSV (cp1252, semicolons, CRLF, decimal comma)": _swedish_excel_csv,
    "Excel 'Unicode text' (UTF-16, tabs)": lambda p: _write(
        p, "nomad_T1.txt", corpus._csv(t1_rows(), "\t").encode("utf-16")
    ),
    "blank lines at the end": lambda p: _write(
        p, "nomad_T1.csv", (corpus._csv(t1_rows()) + "\n\n;;\n\n").encode()
    ),
    "quoted newlines in an unused column": _edited(_set(3, "Svar-ID", "rad ett\nrad två")),
    "a 1 MB cell in an unused column": _edited(_set(3, "Svar-ID", "x" * 1_000_000)),
    "title rows above the header (xlsx)": _title_rows_xlsx,
    "question-code row then question-text row": _two_header_rows_csv,
    "LibreOffice-saved xlsx": _libreoffice_xlsx,
    "SPSS .sav with value labels": _stats_file(".sav"),
    "Stata .dta with value labels": _stats_file(".dta"),
}


@pytest.mark.parametrize("name", list(VALID))
def test_unusual_but_valid_files_load_like_the_plain_export(name: str, example_project: Path):
    reference = _reference(example_project)
    path = VALID[name](example_project)
    mapped = _mapped(example_project, path, "generic")
    assert mapped.problems == []
    pd.testing.assert_frame_equal(mapped.codes, reference.codes)
    pd.testing.assert_frame_equal(mapped.not_applicable, reference.not_applicable)
    keys = ["organisation", "unit", "staff_group"]
    pd.testing.assert_frame_equal(mapped.keys[keys], reference.keys[keys])
    # SPSS pads strings; pseudonymisation trims, so the same person gets the same pseudonym
    assert (
        mapped.keys["respondent_id"].str.strip().tolist()
        == reference.keys["respondent_id"].str.strip().tolist()
    )
    assert mapped.keys["submitted_at"].tolist() == reference.keys["submitted_at"].tolist()


def test_extra_sheets_load_when_the_sheet_is_chosen(example_project: Path) -> None:
    path = _two_sheets(example_project)
    report = ingest_survey(
        example_project, path, instrument="nomad", wave="T1", sheet="Svar", dry_run=True
    )
    assert (report.rows_read, report.rows_loaded) == (6, 6)
    mapped = _mapped(example_project, path, "generic", sheet="Svar")
    pd.testing.assert_frame_equal(mapped.codes, _reference(example_project).codes)


def test_long_layout_loads_like_the_wide_export(example_project: Path) -> None:
    reference = _reference(example_project)
    mapped = _mapped(example_project, _long_csv(example_project), "long")
    assert mapped.problems == []
    order = reference.keys["respondent_id"].tolist()
    got = mapped.codes.set_axis(mapped.keys["respondent_id"]).loc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, reference.codes)


def test_code_export_profile_reads_descending_codes_and_not_relevant(example_project: Path):
    frame = t1_rows()
    frame["CO1"] = ["1", "5", "6", "7", "8", "3"]
    path = _write(example_project, "nomad_T1.csv", corpus._csv(frame).encode())
    mapped = _mapped(example_project, path, "codes-descending")
    assert mapped.codes["nomad_co1"].tolist()[:2] == [5.0, 1.0]
    assert mapped.not_applicable["nomad_co1"].tolist()[2:5] == [
        "not_relevant_role",
        "not_relevant_stage",
        "not_relevant_intervention",
    ]


def test_label_export_profile_reads_english_columns_and_labels(example_project: Path):
    reference = _reference(example_project)
    frame = t1_rows().rename(
        columns={"E-post": "Email", "Inskickad": "Submitted at", "Yrkesgrupp": "Staff group"}
    )
    agree = {o.labels.sv: o.labels.en for o in SPEC.response_sets["agree_5"].options}
    agree |= {"Varken instämmer eller tar avstånd": "Neither agree nor disagree"}
    agree |= {"Instämmer delvis": "Agree"}
    for item in SPEC.items:
        if item.response_set == "agree_5":
            frame[item.source_code] = frame[item.source_code].map(lambda v: agree.get(v, v))
    frame["Comments"] = "Good"
    path = _write(example_project, "nomad_T1.csv", corpus._csv(frame, ",").encode())
    mapped = _mapped(example_project, path, "labels-en")
    assert mapped.problems == []
    pd.testing.assert_frame_equal(mapped.codes, reference.codes)
    assert mapped.free_text["Comments"].tolist() == ["Good"] * 6


def test_corpus_has_at_least_thirty_cases() -> None:
    assert len(REFUSED) + len(QUARANTINED) + len(VALID) >= 30
    assert dt.date.today()  # the corpus is rebuilt on every run, never stored
