"""Hostile indicator files (the example project's registry), each with its declared outcome."""

from __future__ import annotations

import pandas as pd

from tests.hostile.cases import Case
from tests.hostile.files import claims_3gb, many_members, ratio_bomb, raw, text
from tests.ingest.corpus import xlsx_bytes

ARGS = ("--kind", "indicators", "--dry-run")
CSV, XLSX = "indicators_hostile.csv", "indicators_hostile.xlsx"
HEADER = "indicator,unit,period,value,denominator,age_group"
ROWS = [
    "admission_message_delay,hosp_alvstad,2019-04,1.45,120,",
    "admission_message_delay,hosp_fjallby,2019-04,0.825,80,",
    "admission_messages_on_time,hosp_alvstad,2019-04,96,120,",
    "admission_messages_on_time,hosp_fjallby,2019-04,72,80,",
    "admission_message_delay,hosp_alvstad,2019-05,1.2,110,",
    "admission_messages_on_time,hosp_alvstad,2019-05,90,110,",
]


def _csv(*edits: tuple[int, int, str], header: str = HEADER, sep: str = ",") -> str:
    """The six base rows with cell (row, field) := value edits."""
    rows = [r.split(",") for r in ROWS]
    for row, field, value in edits:
        rows[row][field] = value
    return "\n".join([sep.join(header.split(",")), *(sep.join(r) for r in rows)]) + "\n"


def _file(*edits: tuple[int, int, str]):
    return text(CSV, _csv(*edits))


def _frame() -> pd.DataFrame:
    rows = [r.split(",") for r in ROWS]
    frame = pd.DataFrame(rows, columns=HEADER.split(","))
    frame["value"] = pd.to_numeric(frame["value"])
    frame["denominator"] = pd.to_numeric(frame["denominator"])
    frame["age_group"] = None
    return frame


def _xlsx(edit=None):
    def build(folder):
        frame = _frame().astype(object)
        if edit is not None:
            edit(frame)
        return raw(XLSX, xlsx_bytes({"Data": frame}))(folder)

    return build


def _set(row: int, column: str, value: object):
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value

    return edit


WORKBOOK = xlsx_bytes({"Data": _frame()})
V, D, IND, P, U = 3, 4, 0, 2, 1  # field positions: value, denominator, indicator, period, unit
CASES: list[Case] = [
    # -- refused ---------------------------------------------------------------------------------
    Case(
        "empty file",
        raw(CSV, b""),
        ARGS,
        refused=(
            "indicators_hostile.csv: the file is empty. Hint: export the indicator data again."
        ),
    ),
    Case(
        "header only",
        text(CSV, HEADER + "\n"),
        ARGS,
        refused=(
            "indicators_hostile.csv: the file has a header row but no rows. Hint: check that "
            "the export includes its indicator data."
        ),
    ),
    Case(
        "value column missing",
        text(CSV, _csv(header=HEADER.replace("value", "amount"))),
        ARGS,
        refused=(
            "indicators_hostile.csv: missing column(s) value. Expected a long table with "
            "indicator, unit, period, value (and optional denominator); found indicator, "
            "unit, period, amount, denominator, age_group. Hint: one row per indicator and "
            "period."
        ),
    ),
    Case(
        "look-alike Cyrillic а in value",
        text(CSV, _csv(header=HEADER.replace("value", "v\u0430lue"))),
        ARGS,
        refused=(
            "indicators_hostile.csv: missing column(s) value. Expected a long table with "
            "indicator, unit, period, value (and optional denominator); found indicator, "
            "unit, period, vаlue, denominator, age_group. Hint: one row per indicator and "
            "period."
        ),
    ),
    Case(
        "byte that is neither UTF-8 nor cp1252",
        raw(CSV, _csv().encode() + b"\x8d\n"),
        ARGS,
        refused=(
            "indicators_hostile.csv: the text encoding is neither UTF-8 nor Windows-1252 "
            "(byte 0x8d at byte position 381, line 8). Hint: save the CSV as UTF-8."
        ),
    ),
    Case(
        "binary named .csv",
        raw(CSV, bytes(range(256)) * 8),
        ARGS,
        refused=(
            "indicators_hostile.csv: the file is named .csv but is a binary file. Hint: "
            "export the indicator data as CSV or .xlsx."
        ),
    ),
    Case(
        "PDF named .xlsx",
        raw(XLSX, b"%PDF-1.4\n"),
        ARGS,
        refused=(
            "indicators_hostile.xlsx: the file is named .xlsx but is a PDF document. Hint: "
            "export again as Excel workbook (.xlsx) or CSV."
        ),
    ),
    Case(
        "zip bomb .xlsx declaring 3 GB",
        raw(XLSX, claims_3gb(WORKBOOK)),
        ARGS,
        refused=(
            "indicators_hostile.xlsx: unpacks to 3073 MB, more than the limit of 1024 MB. "
            "Hint: check that indicators_hostile.xlsx is the Excel workbook you exported; to "
            "take it anyway, raise the limit with IMPLEVAL_MAX_UNPACKED_MB=3073."
        ),
    ),
    Case(
        "zip bomb .xlsx packed 1000:1",
        raw(XLSX, ratio_bomb(WORKBOOK)),
        ARGS,
        refused=(
            "indicators_hostile.xlsx: member xl/media/image1.bin unpacks to 1028 times its "
            "packed size, more than the limit of 200 (a zip bomb looks like this). Hint: "
            "check that indicators_hostile.xlsx is the Excel workbook you exported; to take "
            "it anyway, raise the limit with IMPLEVAL_MAX_ZIP_RATIO=1029."
        ),
    ),
    Case(
        "xlsx of 10 010 members",
        raw(XLSX, many_members(WORKBOOK, 10_001)),
        ARGS,
        refused=(
            "indicators_hostile.xlsx: the archive holds 10010 members, more than the limit "
            "of 10000. Hint: check that indicators_hostile.xlsx is the Excel workbook you "
            "exported; to take it anyway, raise the limit with "
            "IMPLEVAL_MAX_ZIP_MEMBERS=10010."
        ),
    ),
    Case(
        "size limit raised, ratio still too high",
        raw(XLSX, ratio_bomb(WORKBOOK)),
        ARGS,
        refused=(
            "indicators_hostile.xlsx: member xl/media/image1.bin unpacks to 1028 times its "
            "packed size, more than the limit of 200 (a zip bomb looks like this). Hint: "
            "check that indicators_hostile.xlsx is the Excel workbook you exported; to take "
            "it anyway, raise the limit with IMPLEVAL_MAX_ZIP_RATIO=1029."
        ),
        env={"IMPLEVAL_MAX_UNPACKED_MB": "4096"},
    ),
    Case(
        "a limit set to nonsense",
        raw(XLSX, WORKBOOK),
        ARGS,
        refused=(
            "IMPLEVAL_MAX_UNPACKED_MB: expected a whole number of at least 1; found 'lots'. "
            "Hint: set it like IMPLEVAL_MAX_UNPACKED_MB=2048, or unset it for the default."
        ),
        env={"IMPLEVAL_MAX_UNPACKED_MB": "lots"},
    ),
    Case(
        "only one column",
        text(CSV, "indicator\nadmission_message_delay\n"),
        ARGS,
        refused=(
            "indicators_hostile.csv: only one column was found. Expected a table separated "
            "by ';', ',' or tab. Hint: check the separator the export uses."
        ),
    ),
    # -- quarantined -----------------------------------------------------------------------------
    Case(
        "NaN value",
        _file((0, V, "NaN")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"non_finite_number": 1},
    ),
    Case(
        "nan value, lower case",
        _file((1, V, "nan")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"non_finite_number": 1},
    ),
    Case(
        "inf value",
        _file((2, V, "inf")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"non_finite_number": 1},
    ),
    Case(
        "-Infinity value",
        _file((3, V, "-Infinity")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"non_finite_number": 1},
    ),
    Case(
        "1e999 overflows to infinity",
        _file((4, V, "1e999")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"non_finite_number": 1},
    ),
    Case(
        "NaN denominator",
        _file((2, D, "NaN")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"non_finite_number": 1, "missing_denominator": 1},
    ),
    Case(
        "empty value", _file((0, V, "")), ARGS, read=6, quarantined=1, reasons={"not_a_number": 1}
    ),
    Case(
        "formula as value",
        _file((1, V, "=1+1")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"not_a_number": 1},
    ),
    Case(
        "@SUM as indicator id",
        _file((0, IND, "@SUM(A1:A9)")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"unknown_indicator": 1},
    ),
    Case(
        "look-alike Cyrillic о in an indicator id",
        _file((5, IND, "admissi\u043en_messages_on_time")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"unknown_indicator": 1},
    ),
    Case(
        "negative count",
        _file((3, V, "-72")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"negative_value": 1},
    ),
    Case(
        "zero denominator",
        _file((3, D, "0")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"nonpositive_denominator": 1, "numerator_exceeds_denominator": 1},
    ),
    Case(
        "month 13",
        _file((4, P, "2019-13")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"irregular_period": 1},
    ),
    Case(
        "unknown unit",
        _file((0, U, "hosp_alvstadd")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"unknown_unit": 1},
    ),
    Case(
        "#DIV/0! from a workbook",
        _xlsx(_set(1, "value", "#DIV/0!")),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"not_a_number": 1},
    ),
    Case(
        "empty value cell in a workbook",
        _xlsx(_set(2, "value", None)),
        ARGS,
        read=6,
        quarantined=1,
        reasons={"not_a_number": 1},
    ),
    # -- loaded ----------------------------------------------------------------------------------
    Case("plain file", _file(), ARGS, read=6),
    Case("decimal commas, semicolons", text(CSV, _csv((0, V, "1,45"), sep=";")), ARGS, read=6),
    Case(
        "UTF-8 BOM and CRLF",
        raw(CSV, ("\ufeff" + _csv()).replace("\n", "\r\n").encode()),
        ARGS,
        read=6,
    ),
    Case("real workbook", _xlsx(), ARGS, read=6),
    Case("no-break space as thousands separator", _file((2, V, "9\u00a06")), ARGS, read=6),
]
