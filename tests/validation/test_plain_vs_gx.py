"""The pandas evaluator finds exactly the rows great-expectations finds, on every generated suite.

Both evaluators run on the same frames: survey frames generated from every built-in spec (with
out-of-set codes, missing and repeated identifiers, times outside the wave), the canonical frames
of the bad-input corpus, the example's and the bad indicator files, and the example's codings.
great-expectations is imported once for this module (a few seconds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.codings import map_codings
from ingest.indicators import map_indicators
from ingest.qda import load_coding_profile, read_codings
from ingest.read import read_table
from ingest.survey import canonical_frame
from ingest.survey_map import pseudonymise_survey, read_survey_export
from ingest.survey_profile import load_profile
from instruments.spec import InstrumentSpec, load_instrument
from privacy.keys import ProjectKey
from project.codebook import build_codebook
from project.config import load_project
from tests.conftest import EXAMPLE
from tests.ingest.corpus import Case
from tests.ingest.test_bad_input_corpus import QUARANTINED, VALID
from validation import gx, plain
from validation.codings import coding_expectations
from validation.expectations import Expectation
from validation.indicators import indicator_expectations
from validation.survey import survey_expectations

PROJECT = load_project(EXAMPLE)
WAVE = PROJECT.wave("nomad", "T1")
KEY = ProjectKey(b"k" * 32, path=EXAMPLE)
DATA = Path(__file__).resolve().parents[1] / "data" / "indicators"
SPECS = [
    load_instrument("nomad"),
    load_instrument("s-nomad"),
    load_instrument("pcat"),
    load_instrument("pcat", variant="original-3"),
]


def _failures(frame: pd.DataFrame, suite: list[Expectation]) -> tuple[list, list]:
    def key(f: dict) -> tuple:
        return (f["position"], f["rule"], f["column"], f["detail"])

    return (
        sorted(map(key, plain.run_suite(frame, suite))),
        sorted(map(key, gx.run_suite(frame, suite, name="compare"))),
    )


@st.composite
def survey_frames(draw: st.DrawFn) -> tuple[InstrumentSpec, pd.DataFrame]:
    spec = draw(st.sampled_from(SPECS))
    n = draw(st.integers(min_value=1, max_value=12))
    ids = draw(st.lists(st.sampled_from(["p1", "p2", "p3", "p4", None]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(-3, 50), min_size=n, max_size=n))
    data: dict[str, list] = {
        "respondent_id": ids,
        "submitted_at": [
            pd.Timestamp(WAVE.opens) + pd.Timedelta(days=d, hours=13) if d != 7 else pd.NaT
            for d in days
        ],
    }
    for item in spec.items:
        rs = spec.response_set_of(item.id)
        allowed = [float(c) for c in rs.codes] if rs.type == "ordinal" else [float(rs.low)]
        values = [*allowed, float(rs.high), np.nan, -1.0, 2.5, 99.0]
        data[spec.column(item.id)] = draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))
    return spec, pd.DataFrame(data)


@given(survey_frames())
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_survey_suites_fail_the_same_rows(case: tuple[InstrumentSpec, pd.DataFrame]) -> None:
    spec, frame = case
    mine, theirs = _failures(frame, survey_expectations(spec, WAVE))
    assert mine == theirs


def _corpus_frame(project: Path, case: Case) -> pd.DataFrame:
    path = case.build(project)
    profile = load_profile(case.options.get("profile", "generic"), project_dir=project)
    if "sheet" in case.options:
        profile = profile.model_copy(update={"sheet": case.options["sheet"]})
    mapped = read_survey_export(
        path, spec=load_instrument("nomad"), project=PROJECT, profile=profile, file_name=path.name
    )
    return canonical_frame(pseudonymise_survey(mapped, KEY))


CORPUS = {f"quarantined: {k}": case for k, (case, _) in QUARANTINED.items()} | {
    f"valid: {k}": Case(build) for k, build in VALID.items()
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_frames_fail_the_same_rows(name: str, example_project: Path) -> None:
    frame = _corpus_frame(example_project, CORPUS[name])
    wave = load_project(example_project).wave("nomad", CORPUS[name].wave)
    mine, theirs = _failures(frame, survey_expectations(load_instrument("nomad"), wave))
    assert mine == theirs


INDICATOR_FILES = [
    DATA / "bad_rows.csv",
    DATA / "bad_outcomes.csv",
    *sorted((EXAMPLE / "inbox").glob("indicators_*.csv")),
]


@pytest.mark.parametrize("path", INDICATOR_FILES, ids=lambda p: p.name)
def test_indicator_suites_fail_the_same_rows(path: Path) -> None:
    mapped = map_indicators(read_table(path), project=PROJECT, file_name=path.name)
    columns = ["indicator", "category", "unit", "period", "disaggregation", "value", "denominator"]
    frame = mapped.frame[columns]
    mine, theirs = _failures(frame, indicator_expectations(PROJECT.indicators, PROJECT.outcomes))
    assert mine == theirs
    if path.parent == DATA:
        assert mine  # the bad files do fail


@pytest.mark.parametrize(
    "path",
    [EXAMPLE / "inbox" / "codings_interviews.csv", EXAMPLE / "exports" / "codings_interviews.qdpx"],
    ids=lambda p: p.suffix,
)
def test_coding_suites_fail_the_same_rows(path: Path) -> None:
    config = PROJECT.interviews
    assert config is not None
    segments = read_codings(path)
    qdpx = segments.profile == "qdpx"
    unit = "character" if qdpx else load_coding_profile(segments.profile).position_unit
    mapped = map_codings(
        segments,
        config=config,
        codebook=build_codebook(config),
        key=KEY,
        names=[],
        position_unit=unit,
    )
    frame = mapped.frame.copy()
    frame.loc[frame.index[:3], "coder"] = ["someone", None, "coder_b"]
    frame.loc[frame.index[3:5], "start_pos"] = [-1.0, np.nan]
    frame.loc[frame.index[5], "round_id"] = "r9"
    mine, theirs = _failures(frame, coding_expectations(config))
    assert mine == theirs
    assert {rule for _, rule, _, _ in mine} >= {"unknown_coder", "bad_position", "unknown_round"}


def test_ingest_reports_are_the_same_with_either_evaluator(
    example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.survey import ingest_survey

    path = QUARANTINED["out-of-range codes"][0].build(example_project)

    def lines() -> list[str]:
        report = ingest_survey(example_project, path, instrument="nomad", wave="T1", dry_run=True)
        return report.lines()

    default = lines()
    monkeypatch.setenv("IMPLEVAL_VALIDATOR", "gx")
    assert lines() == default
