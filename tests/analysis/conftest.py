"""Shared fixtures for the analysis tests: the NoMAD spec, a toy spec, wide-table builders."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import pytest

from analysis.scoring import KEY_COLUMNS
from instruments.spec import InstrumentSpec, load_instrument

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "analysis"
R_DIR = Path(__file__).resolve().parent / "r"
NAN = math.nan


@pytest.fixture(scope="session")
def nomad() -> InstrumentSpec:
    return load_instrument("nomad")


def _toy_spec() -> InstrumentSpec:
    """A small instrument with a sum scale, a reverse-keyed item on a 0–3 set and a numeric item."""
    labels = {"sv": "x", "en": "x"}
    return InstrumentSpec.model_validate(
        {
            "id": "toy",
            "version": "1",
            "name": labels,
            "citation": "synthetic",
            "response_sets": {
                "freq_4": {
                    "type": "ordinal",
                    "options": [{"code": c, "labels": labels} for c in (0, 1, 2, 3)],
                    "not_applicable": [{"key": "dont_know", "labels": labels}],
                },
                "score_0_100": {"type": "numeric", "min": 0, "max": 100},
            },
            "items": [
                {"id": "a1", "source_code": "A1", "response_set": "freq_4", "label": labels},
                {
                    "id": "a2",
                    "source_code": "A2",
                    "response_set": "freq_4",
                    "label": labels,
                    "reverse": True,
                },
                {"id": "a3", "source_code": "A3", "response_set": "freq_4", "label": labels},
                {"id": "v1", "source_code": "V1", "response_set": "score_0_100", "label": labels},
            ],
            "scales": [
                {"id": "total", "label": labels, "items": ["a1", "a2", "a3"], "method": "sum"},
                {"id": "mean_two", "label": labels, "items": ["a1", "a2", "a3"], "min_answered": 2},
            ],
        }
    )


@pytest.fixture(scope="session")
def toy() -> InstrumentSpec:
    return _toy_spec()


def _make_wide(
    spec: InstrumentSpec,
    answers: Sequence[Mapping[str, float]],
    *,
    waves: Sequence[str] | None = None,
    staff_groups: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """A wide table in the store's layout; ``answers[i]`` maps item id → code (absent = NaN)."""
    n = len(answers)
    frame = pd.DataFrame(
        {
            "respondent_id": [f"r{i:03d}" for i in range(n)],
            "wave": list(waves) if waves is not None else ["w1"] * n,
            "organisation": ["org_a" if i % 2 else "org_b" for i in range(n)],
            "unit": ["u1"] * n,
            "staff_group": list(staff_groups) if staff_groups is not None else ["nurse"] * n,
        }
    )
    for item in spec.items:
        frame[spec.column(item.id)] = pd.Series(
            [float(a.get(item.id, NAN)) for a in answers], dtype="float64"
        )
    assert tuple(frame.columns[: len(KEY_COLUMNS)]) == KEY_COLUMNS
    return frame


@pytest.fixture(scope="session")
def make_wide() -> Callable[..., pd.DataFrame]:
    """``make_wide(spec, answers, *, waves=None, staff_groups=None)`` → a wide table."""
    return _make_wide


def _read_golden(name: str) -> pd.DataFrame:
    return pd.read_csv(R_DIR / name, comment="#")


@pytest.fixture(scope="session")
def read_golden() -> Callable[[str], pd.DataFrame]:
    """``read_golden(name)`` → an expected-values CSV written by a script in ``r/``."""
    return _read_golden


@pytest.fixture(scope="session")
def golden_wide(nomad: InstrumentSpec) -> pd.DataFrame:
    """The synthetic fixture the R golden numbers were computed from."""
    dtypes = {c: "float64" for c in nomad.columns} | {
        c: "str" for c in ("respondent_id", "wave", "organisation", "unit", "staff_group")
    }
    return pd.read_csv(DATA_DIR / "nomad_wide.csv", dtype=dtypes)
