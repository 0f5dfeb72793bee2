"""Builders for the bad-input corpus: each writes one export into a project and says how to ingest it.

Every file is made from the bundled synthetic example (no real responses). Kept apart from the test
module so the benchmark and a person debugging a message can build the same files.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingest.read import read_table
from tests.conftest import EXAMPLE

T1 = EXAMPLE / "inbox" / "nomad_T1.csv"
T0 = EXAMPLE / "inbox" / "nomad_T0.xlsx"


@dataclass(frozen=True)
class Case:
    """One corpus file: ``build(project)`` writes it and returns its path."""

    build: Callable[[Path], Path]
    wave: str = "T1"
    options: dict = field(default_factory=dict)
    instrument: str = "nomad"


def t1_rows(n: int = 6) -> pd.DataFrame:
    """The first ``n`` answer rows of the example's T1 export (all valid, distinct respondents)."""
    return read_table(T1).head(n).copy()


def _write(project: Path, name: str, data: bytes) -> Path:
    path = project / name
    path.write_bytes(data)
    return path


def _csv(frame: pd.DataFrame, sep: str = ";") -> str:
    return frame.to_csv(sep=sep, index=False, lineterminator="\n")


def _edited(edit: Callable[[pd.DataFrame], None], n: int = 6) -> Callable[[Path], Path]:
    def build(project: Path) -> Path:
        frame = t1_rows(n)
        edit(frame)
        return _write(project, "nomad_T1.csv", _csv(frame).encode("utf-8"))

    return build


def _profile(project: Path, name: str, text: str) -> None:
    (project / "profiles").mkdir(exist_ok=True)
    (project / "profiles" / f"{name}.yaml").write_text(text, encoding="utf-8")


def xlsx_bytes(sheets: dict[str, pd.DataFrame], *, header: bool = True) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            frame.to_excel(writer, sheet_name=sheet, index=False, header=header)
    return buffer.getvalue()


def truncated_xlsx(project: Path) -> Path:
    data = xlsx_bytes({"Svar": t1_rows()})
    return _write(project, "nomad_T1.xlsx", data[: len(data) // 2])


def zip_not_workbook(project: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "hi")
    return _write(project, "nomad_T1.xlsx", buffer.getvalue())


def _set(row: int, column: str, value: object) -> Callable[[pd.DataFrame], None]:
    def edit(frame: pd.DataFrame) -> None:
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value

    return edit


def _duplicate(frame: pd.DataFrame) -> None:
    frame.loc[4, "E-post"] = frame.loc[2, "E-post"].upper()


def _empty_answers(frame: pd.DataFrame) -> None:
    items = [c for c in frame.columns if c[:1] in "GCR" and c[1:2] in "0123456789OPAM"]
    frame.loc[3, items] = None


def _long(project: Path) -> Path:
    frame = t1_rows()
    items = [c for c in frame.columns if c not in ("Svar-ID", "Inskickad", "E-post",
                                                    "Organisation", "Enhet", "Yrkesgrupp")]  # fmt: skip
    long = frame.melt(
        id_vars=["E-post", "Inskickad"], value_vars=items, var_name="Fråga", value_name="Svar"
    )
    return long


def long_profile(project: Path) -> None:
    _profile(
        project,
        "long",
        "id: long\nidentifier: [E-post]\ntimestamp: [Inskickad]\nlayout: long\n"
        "item_column: [Fråga]\nvalue_column: [Svar]\n",
    )


def long_file(edit: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> Callable[[Path], Path]:
    def build(project: Path) -> Path:
        long_profile(project)
        frame = _long(project).sort_values(["E-post"], kind="stable")
        if edit is not None:
            frame = edit(frame)
        return _write(project, "nomad_T1.csv", _csv(frame).encode("utf-8"))

    return build


def free_text_profile(project: Path, mode: str) -> None:
    _profile(
        project,
        "comments",
        "id: comments\nidentifier: [E-post]\ntimestamp: [Inskickad]\n"
        "organisation: [Organisation]\nunit: [Enhet]\nstaff_group: [Yrkesgrupp]\n"
        "free_text: [Kommentar]\n",
    )
    text = (project / "project.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "privacy:\n  min_cell_size: 5\n", f"privacy:\n  min_cell_size: 5\n  free_text: {mode}\n"
    )
    (project / "project.yaml").write_text(text, encoding="utf-8")


COMMENTS = [
    "Bra utbildning",
    "Ring mig på 070-123 45 67",
    None,
    "Mitt personnummer är 19811218-9876",  # a valid (Luhn) test number, not a person
    "Skriv till anna.lind@example.org",
    "Inget att tillägga",
]


def with_comments(mode: str) -> Callable[[Path], Path]:
    def build(project: Path) -> Path:
        free_text_profile(project, mode)
        frame = t1_rows()
        frame["Kommentar"] = COMMENTS
        return _write(project, "nomad_T1.csv", _csv(frame).encode("utf-8"))

    return build
