"""Units that read their own partition of the store (:mod:`flows.units`): the frames a unit reads
are the ones the client would have sent, the survey's tables are the same either way, a worker
without the store (or with another store) gets one line saying what it needs, and a cluster is
handed the costliest units first while the results keep the plan's order."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flows import analyse
from flows.executors import Call, DaskExecutor, DaskTarget, InProcess
from flows.units import SurveyPart, with_frames
from ingest.survey import ingest_survey
from instruments.spec import project_instrument
from project.config import load_project
from project.errors import StoreError
from project.layout import ProjectPaths
from store import reads, warehouse


@pytest.fixture
def surveyed(example_project: Path) -> Path:
    """The example with its two nomad waves ingested."""
    for wave, name in (("T0", "nomad_T0.xlsx"), ("T1", "nomad_T1.csv")):
        ingest_survey(
            example_project, example_project / "inbox" / name, instrument="nomad", wave=wave
        )
    return example_project


def _part(project: Path, **changes: Any) -> SurveyPart:
    paths = ProjectPaths(project)
    spec = project_instrument(load_project(project), "nomad", project)
    with warehouse.open_reader(paths.warehouse) as con:
        version = warehouse.data_version(con)
    return dataclasses.replace(SurveyPart(str(paths.warehouse), spec, version), **changes)


def test_a_unit_reads_the_frames_the_client_would_send(surveyed: Path) -> None:
    part = _part(surveyed)
    with warehouse.open_reader(ProjectPaths(surveyed).warehouse) as con:
        whole = reads.read_survey_frames(con, part.spec)
        t1 = reads.read_survey_frames(con, part.spec, wave="T1")
    for ours, theirs in zip(part.read(), whole, strict=True):
        pd.testing.assert_frame_equal(ours, theirs)
    read_t1 = dataclasses.replace(part, wave="T1").read()
    pd.testing.assert_frame_equal(read_t1[0], t1[0])
    assert set(read_t1[0]["wave"]) == {"T1"} and len(t1[0]) < len(whole[0])
    picked = with_frames(dataclasses.replace(part, wave="T1"), len, (0,))
    assert picked == len(t1[0])


def test_a_worker_without_the_store_is_told_what_it_needs(surveyed: Path, tmp_path: Path) -> None:
    part = _part(surveyed, store=str(tmp_path / "elsewhere" / "warehouse.duckdb"))
    with pytest.raises(StoreError, match=r"no store at .*Hint: .*same path") as caught:
        part.read()
    assert "\n" not in str(caught.value)


def test_a_worker_with_other_data_is_refused(surveyed: Path) -> None:
    with pytest.raises(StoreError, match="other data than the run planned on"):
        _part(surveyed, version="0" * 64).read()


class ReadingInProcess(InProcess):
    """This process, planned as for workers that read the store themselves."""

    def reads_store(self, store: Path) -> bool:
        return True


def test_the_survey_tables_are_the_same_when_the_units_read(surveyed: Path) -> None:
    paths, project = ProjectPaths(surveyed), load_project(surveyed)
    calls: list[Call] = []

    class Recording(ReadingInProcess):
        def run(self, given: Any, *, progress: Any = None) -> list[Any]:
            calls.extend(given)
            return super().run(given, progress=progress)

    given = analyse._analyse(paths, project, ["survey"], InProcess(), analyse.WHOLE)
    read = analyse._analyse(paths, project, ["survey"], Recording(), analyse.WHOLE)
    assert sorted(given) == sorted(read) and "reliability" in read
    for name, table in given.items():
        pd.testing.assert_frame_equal(table, read[name], obj=name)
    survey = [c for c in calls if c.args and isinstance(c.args[0], SurveyPart)]
    assert len(survey) == len(calls) > 1  # no frame was sent: every unit read its own
    assert not any(isinstance(a, pd.DataFrame) for c in calls for a in c.args)
    costs = {c.name: c.cost for c in calls}
    assert costs["reliability nomad T0 organisation"] > costs["reliability nomad T0 all"] > 0


class FakeFuture:
    def __init__(self, value: Any) -> None:
        self.value = value


class FakeClient:
    """What :class:`DaskExecutor` asks of ``distributed.Client``, run in this process."""

    def __init__(self) -> None:
        self.priorities: dict[str, int] = {}

    def submit(self, function: Any, *args: Any, key: str, priority: int) -> FakeFuture:
        self.priorities[key] = priority
        return FakeFuture(function(*args))

    def gather(self, futures: list[FakeFuture]) -> list[Any]:
        return [f.value for f in futures]


def test_the_costliest_units_go_first_and_the_results_keep_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import distributed

    monkeypatch.setattr(distributed, "as_completed", lambda futures: iter(futures))
    executor = DaskExecutor(DaskTarget(workers=2))
    client = FakeClient()
    executor._client = client
    costs = [1.0, 30.0, 0.0, 7.0]
    calls = [Call(f"u{i}", str, (i,), cost=c) for i, c in enumerate(costs)]
    assert executor.run(calls) == ["0", "1", "2", "3"]
    by_priority = sorted(client.priorities, key=lambda k: -client.priorities[k])
    assert [k.split("-")[-1] for k in by_priority] == ["u1", "u3", "u0", "u2"]
    assert executor.reads_store(Path("anything")) is True  # a local cluster sees the store
    assert InProcess().reads_store(Path("anything")) is False
