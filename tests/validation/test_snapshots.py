"""The committed suite snapshots are what the specs generate now."""

from __future__ import annotations

import pytest

from validation.snapshots import builtin_instruments, render_snapshot, snapshot_path


def test_every_builtin_has_a_snapshot() -> None:
    assert builtin_instruments() == ["nomad", "pcat", "s-nomad"]


@pytest.mark.parametrize("instrument_id", builtin_instruments())
def test_snapshot_is_current(instrument_id: str) -> None:
    path = snapshot_path(instrument_id)
    assert path.is_file(), f"no snapshot for {instrument_id}: run python -m validation.snapshots"
    assert path.read_text(encoding="utf-8") == render_snapshot(instrument_id), (
        f"{path.name} is stale: the suite generated from instruments/{instrument_id} changed. "
        f"Review the change, then run `.venv/bin/python -m validation.snapshots`."
    )


def test_every_expectation_points_back_to_instrument_and_item() -> None:
    import json

    for instrument_id in builtin_instruments():
        document = json.loads(snapshot_path(instrument_id).read_text(encoding="utf-8"))
        for exp in document["expectations"]:
            if exp["meta"]["rule"] == "out_of_set":
                assert exp["meta"]["instrument"] == instrument_id
                assert exp["meta"]["item"] and exp["meta"]["source_code"]
