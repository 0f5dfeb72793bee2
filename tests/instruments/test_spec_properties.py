"""Properties that hold for every instrument spec, with data generated from the spec itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.scoring import reverse_items, score_scales
from instruments.spec import InstrumentSpec, load_instrument
from validation.gx import run_suite
from validation.survey import survey_expectations

SPECS = [
    load_instrument("nomad"),
    load_instrument("s-nomad"),
    load_instrument("pcat"),
    load_instrument("pcat", variant="original-3"),
    load_instrument("pcat", variant="selan-2017").with_reverse(("q8", "q10")),
]
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _allowed(spec: InstrumentSpec, item_id: str) -> list[float]:
    rs = spec.response_set_of(item_id)
    if rs.type == "ordinal":
        return [float(c) for c in rs.codes]
    return [float(v) for v in range(int(rs.low), int(rs.high) + 1)]


@st.composite
def survey(draw: st.DrawFn) -> tuple[InstrumentSpec, pd.DataFrame]:
    spec = draw(st.sampled_from(SPECS))
    n = draw(st.integers(min_value=1, max_value=25))
    data: dict[str, list] = {
        "respondent_id": [f"p{i:03d}" for i in range(n)],
        "wave": ["T0"] * n,
        "organisation": [None] * n,
        "unit": [None] * n,
        "staff_group": [None] * n,
    }
    for item in spec.items:
        values = [*_allowed(spec, item.id), np.nan]
        data[spec.column(item.id)] = draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))
    return spec, pd.DataFrame(data)


@given(survey())
@SETTINGS
def test_scores_stay_in_range_and_inputs_are_not_mutated(case) -> None:
    spec, wide = case
    before = wide.copy()
    scores = score_scales(wide, spec)
    pd.testing.assert_frame_equal(wide, before)
    for scale in spec.scales:
        low, high = spec.score_range(scale.id)
        got = scores.loc[scores["scale"] == scale.id, "score"].dropna()
        assert ((got >= low - 1e-9) & (got <= high + 1e-9)).all()


@given(survey())
@SETTINGS
def test_reversing_twice_is_the_identity(case) -> None:
    spec, wide = case
    twice = reverse_items(reverse_items(wide, spec), spec)
    pd.testing.assert_frame_equal(twice, wide)


@given(survey(), st.randoms(use_true_random=False))
@SETTINGS
def test_row_order_changes_nothing(case, random) -> None:
    spec, wide = case
    order = list(range(len(wide)))
    random.shuffle(order)
    shuffled = wide.iloc[order].reset_index(drop=True)
    key = ["respondent_id", "scale"]
    a = score_scales(wide, spec).sort_values(key).reset_index(drop=True)
    b = score_scales(shuffled, spec).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def _suite_frame(wide: pd.DataFrame) -> pd.DataFrame:
    frame = wide.drop(columns=["wave", "organisation", "unit", "staff_group"])
    frame.insert(1, "submitted_at", pd.Timestamp("2020-01-01 12:00"))
    return frame


@given(survey())
@settings(max_examples=10, deadline=None)
def test_generated_data_passes_its_suite(case) -> None:
    spec, wide = case
    assert run_suite(_suite_frame(wide), survey_expectations(spec), name="prop") == []


@given(survey(), st.data())
@settings(max_examples=10, deadline=None)
def test_any_out_of_set_code_fails_the_suite(case, data) -> None:
    spec, wide = case
    row = data.draw(st.integers(0, len(wide) - 1))
    item = data.draw(st.sampled_from(spec.items))
    allowed = _allowed(spec, item.id)
    bad = data.draw(
        st.sampled_from([min(allowed) - 1, max(allowed) + 1, 2.5 if 2.5 not in allowed else 99.0])
    )
    frame = _suite_frame(wide)
    frame.loc[row, spec.column(item.id)] = bad
    failures = run_suite(frame, survey_expectations(spec), name="prop")
    assert [(f["position"], f["rule"], f["column"]) for f in failures] == [
        (row, "out_of_set", spec.column(item.id))
    ]
