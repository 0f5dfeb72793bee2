"""Property: for any export made from the spec with random corruptions, every row read is either
loaded or quarantined, and every corrupted row is quarantined."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.survey import ingest_survey
from instruments.spec import load_instrument
from tests.conftest import EXAMPLE

SPEC = load_instrument("nomad")
CORRUPTIONS = (
    "blank_id",
    "duplicate",
    "out_of_set",
    "unknown_label",
    "bad_time",
    "outside",
    "empty",
)


def _row(i: int, answers: list[int]) -> dict:
    row = {"E-post": f"person{i}@x.example", "Inskickad": "2019-02-10 10:00"}
    for item, code in zip(SPEC.items, answers, strict=True):
        rs = SPEC.response_sets[item.response_set]
        row[item.source_code] = str(code if rs.type != "ordinal" else min(code, 5) or 1)
    return row


def _corrupt(row: dict, kind: str, previous: dict) -> dict:
    row = dict(row)
    if kind == "blank_id":
        row["E-post"] = ""
    elif kind == "duplicate":
        row["E-post"] = previous["E-post"].upper()
    elif kind == "out_of_set":
        row["CO1"] = "9"
    elif kind == "unknown_label":
        row["CA3"] = "Kanske"
    elif kind == "bad_time":
        row["Inskickad"] = "igår"
    elif kind == "outside":
        row["Inskickad"] = "2018-01-01 10:00"
    elif kind == "empty":
        row |= {i.source_code: "" for i in SPEC.items}
    return row


exports = st.lists(
    st.tuples(
        st.lists(st.integers(0, 10), min_size=len(SPEC.items), max_size=len(SPEC.items)),
        st.one_of(st.none(), st.sampled_from(CORRUPTIONS)),
    ),
    min_size=2,
    max_size=25,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports)
def test_rows_read_equal_loaded_plus_quarantined(tmp_path_factory, rows) -> None:
    project = tmp_path_factory.mktemp("p")
    shutil.copytree(EXAMPLE, project, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".impleval", "output"))  # fmt: skip
    records, corrupted = [], set()
    for i, (answers, kind) in enumerate(rows):
        row = _row(i, answers)
        if kind is not None and i > 0:
            row = _corrupt(row, kind, records[0])
            corrupted.add(i + 2)
            if kind == "duplicate":
                corrupted.add(2)
        records.append(row)
    path = Path(project) / "nomad_T1.csv"
    pd.DataFrame(records).to_csv(path, sep=";", index=False)
    report = ingest_survey(project, path, instrument="nomad", wave="T1", dry_run=True)
    assert report.rows_read == len(rows)
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert corrupted <= {d["source_row"] for d in report.diagnosis}
    assert report.rows_quarantined == len({d["source_row"] for d in report.diagnosis})
