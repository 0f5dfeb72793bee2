"""Units that read their own partition of the store (:mod:`flows.units`): the frames a unit reads
are the ones the client would have sent, the survey's tables are the same either way, a worker
without the store (or with another store) gets one line saying what it needs, a worker reads a
partition once for the units that share it (and again after an ingest), and a cluster is handed
the costliest units first, a partition's units together, while the results keep the plan's
order."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flows import analyse, units
from flows.executors import (
    LOCAL_WORKER_CONFIG,
    Call,
    DaskExecutor,
    DaskTarget,
    InProcess,
    submission_order,
)
from flows.units import SurveyPart, cached_frames, with_frames
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

    def expect(self, work: float) -> bool:
        return True  # as on a cluster worth starting


def test_the_survey_tables_are_the_same_when_the_units_read(surveyed: Path) -> None:
    paths, project = ProjectPaths(surveyed), load_project(surveyed)
    calls: list[Call] = []

    class Recording(ReadingInProcess):
        def run(self, given: Any, *, progress: Any = None, work: Any = None) -> list[Any]:
            calls.extend(given)
            assert work == sum(c.cost for c in given) > 0  # the planned work, told
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
    groups = {c.name: c.group for c in calls}
    t0 = {groups[f"reliability nomad T0 {b}"] for b in ("all", "staff_group", "organisation")}
    assert len(t0) == 1 and groups["reliability nomad T1 all"] not in t0 | {""}
    whole = groups["survey nomad"]  # the units that read the whole instrument share its part
    assert whole not in t0 and {c.group for c in calls if "comparison nomad" in c.name} == {whole}


def test_below_a_clusters_break_even_the_units_are_planned_and_run_as_embedded(
    surveyed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--dask local:2`` on the example: no cluster, the embedded plan (frames read here, no
    unit reads the store), the embedded tables, one line said."""
    paths, project = ProjectPaths(surveyed), load_project(surveyed)
    ran: list[Call] = []
    run = InProcess.run

    def recorded(self: InProcess, calls: list[Call], **options: Any) -> list[Any]:
        ran.extend(calls)
        return run(self, calls, **options)

    monkeypatch.setattr(InProcess, "run", recorded)
    said: list[str] = []
    executor = DaskExecutor(DaskTarget(workers=2), say=said.append)
    here = analyse._analyse(paths, project, ["survey"], executor, analyse.WHOLE)
    assert not executor.started and len(said) == 1 and "break-even" in said[0]
    assert ran and not any(isinstance(a, SurveyPart) for c in ran for a in c.args)
    embedded = analyse._analyse(paths, project, ["survey"], InProcess(), analyse.WHOLE)
    assert sorted(here) == sorted(embedded)
    for name, table in embedded.items():
        pd.testing.assert_frame_equal(table, here[name], obj=name)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[SurveyPart]:
    """The reads of the store (an empty cache first); each part read is appended."""
    done: list[SurveyPart] = []
    read = SurveyPart.read

    def counting(part: SurveyPart) -> Any:
        done.append(part)
        return read(part)

    monkeypatch.setattr(SurveyPart, "read", counting)
    units.clear_cache()
    yield done
    units.clear_cache()


def test_a_worker_reads_a_part_once_for_the_units_that_share_it(
    surveyed: Path, counted: list[SurveyPart]
) -> None:
    t0, t1 = _part(surveyed, wave="T0"), _part(surveyed, wave="T1")
    first = with_frames(t0, lambda wide: wide, (0,))
    again = cached_frames(dataclasses.replace(t0))  # an equal part, as unpickled on a worker
    assert again[0] is first and len(counted) == 1
    pd.testing.assert_frame_equal(first, t0.read()[0])
    cached_frames(t1)
    assert len(counted) == 3  # another wave is another part
    units.clear_cache()
    cached_frames(t0)
    assert len(counted) == 4


def test_the_cache_keeps_what_fits_the_least_recently_used_going_first(
    surveyed: Path, counted: list[SurveyPart]
) -> None:
    t0, t1 = _part(surveyed, wave="T0"), _part(surveyed, wave="T1")
    one = units._size(t0.read()) + 1
    cached_frames(t0, limit=one), cached_frames(t1, limit=one), cached_frames(t0, limit=one)
    assert counted.count(t0) == 3  # T1 pushed T0 out (and the test's own read)
    units.clear_cache()
    cached_frames(t0, limit=0), cached_frames(t0, limit=0)
    assert counted.count(t0) == 5 and not units._cache  # larger than the limit: not kept


def test_a_new_ingest_is_read_anew(example_project: Path, counted: list[SurveyPart]) -> None:
    inbox = example_project / "inbox"
    ingest_survey(example_project, inbox / "nomad_T0.xlsx", instrument="nomad", wave="T0")
    before = _part(example_project)
    old = cached_frames(before)[0]
    ingest_survey(example_project, inbox / "nomad_T1.csv", instrument="nomad", wave="T1")
    after = _part(example_project)
    assert after.version != before.version
    new = cached_frames(after)[0]
    assert len(counted) == 2 and set(old["wave"]) == {"T0"} and set(new["wave"]) == {"T0", "T1"}
    with pytest.raises(StoreError, match="other data than the run planned on"):
        cached_frames(dataclasses.replace(before, wave="T0"))  # the old data are not there


def test_the_submission_order_keeps_a_group_together_and_covers_every_unit() -> None:
    costs = {"a": [1.0, 30.0, 2.0], "b": [40.0, 1.0], "": [5.0, 0.0, 31.0]}
    calls = [
        Call(f"{group}{i}", str, cost=cost, group=group)
        for group, costs_ in costs.items()
        for i, cost in enumerate(costs_)
    ]
    order = submission_order(calls)
    assert sorted(order) == list(range(len(calls))) and order == submission_order(calls)
    assert [calls[i].name for i in order] == ["b0", "b1", "2", "a1", "a2", "a0", "0", "1"]


def test_a_local_cluster_leaves_the_allocator_to_adapt() -> None:
    """Dask's nanny fixes glibc's trim threshold (and so its mmap threshold) for each worker; a
    local cluster's workers are started without it, as the embedded run's process is."""
    import dask
    from distributed.nanny import _get_env_variables

    assert "MALLOC_TRIM_THRESHOLD_" in _get_env_variables("distributed.nanny.pre-spawn-environ")
    with dask.config.set(LOCAL_WORKER_CONFIG):
        environ = _get_env_variables("distributed.nanny.pre-spawn-environ")
    assert "MALLOC_TRIM_THRESHOLD_" not in environ and environ["OPENBLAS_NUM_THREADS"] == "1"


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

    def close(self) -> None:
        self.closed = True

    def run(self, function: Any) -> dict[str, Any]:
        self.ran = [*getattr(self, "ran", []), function]
        return {"tcp://worker": function()}


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


def test_a_remote_cluster_forgets_the_frames_when_the_run_ends(surveyed: Path) -> None:
    executor = DaskExecutor(DaskTarget(address="tcp://127.0.0.1:8786"))
    client = FakeClient()
    executor._client = client
    cached_frames(_part(surveyed, wave="T0"))
    assert units._cache
    executor.close()
    assert client.ran == [units.clear_cache] and not units._cache and client.closed
