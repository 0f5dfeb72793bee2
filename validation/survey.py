"""The survey suite, generated from the instrument spec and the wave: never written by hand.

One row per respondent: the identifier present and unique, the submission time inside the wave's
open–close dates, every item's code in its response set. Each :class:`Expectation` carries ``meta``
pointing back to the instrument, the item and the quarantine rule. Generation is plain data (no
great-expectations import), so suites are cheap to test and snapshot (:mod:`validation.snapshots`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from instruments.spec import InstrumentSpec
from project.config import Wave
from validation.expectations import Expectation


def survey_expectations(spec: InstrumentSpec, wave: Wave | None = None) -> list[Expectation]:
    """The expectations a canonical survey frame of ``spec`` must meet (one row per respondent)."""
    exps = [
        Expectation(
            "ExpectColumnValuesToNotBeNull",
            {"column": "respondent_id"},
            {
                "rule": "missing_identifier",
                "field": "respondent_id",
                "hint": "every answer row needs the respondent's identifier",
            },
        ),
        Expectation(
            "ExpectColumnValuesToBeUnique",
            {"column": "respondent_id"},
            {
                "rule": "duplicate_respondent",
                "field": "respondent_id",
                "hint": "the same person answered more than once in this wave; keep one answer in "
                "the export",
            },
        ),
    ]
    if wave is not None:
        opens = pd.Timestamp(wave.opens)
        closes = pd.Timestamp(wave.closes + dt.timedelta(days=1)) - pd.Timedelta(microseconds=1)
        exps.append(
            Expectation(
                "ExpectColumnValuesToBeBetween",
                {
                    "column": "submitted_at",
                    "min_value": opens.isoformat(),
                    "max_value": closes.isoformat(),
                },
                {
                    "rule": "outside_wave_window",
                    "field": "submitted_at",
                    "wave": wave.id,
                    "hint": f"wave {wave.id} is open {wave.opens}–{wave.closes} in project.yaml",
                },
            )
        )
    for item in spec.items:
        rs = spec.response_sets[item.response_set]
        meta = {
            "rule": "out_of_set",
            "instrument": spec.id,
            "item": item.id,
            "source_code": item.source_code,
            "response_set": item.response_set,
        }
        column = spec.column(item.id)
        if rs.type == "ordinal" or rs.integer:
            values = (
                list(rs.codes)
                if rs.type == "ordinal"
                else list(range(int(rs.low), int(rs.high) + 1))
            )
            exps.append(
                Expectation(
                    "ExpectColumnValuesToBeInSet",
                    {"column": column, "value_set": [float(v) for v in values]},
                    meta,
                )
            )
        else:
            exps.append(
                Expectation(
                    "ExpectColumnValuesToBeBetween",
                    {"column": column, "min_value": rs.low, "max_value": rs.high},
                    meta,
                )
            )
    return exps


def suite_snapshot(spec: InstrumentSpec) -> list[dict]:
    """A stable, JSON-ready form of the instrument part of a suite (for committed snapshots)."""
    return [{"type": e.type, "kwargs": e.kwargs, "meta": e.meta} for e in survey_expectations(spec)]
