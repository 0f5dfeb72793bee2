"""The benchmark's own parts (bench/): the generator is reproducible and the example's size at 1×,
the floor's statistics are the pipeline's, and the measurement counts orphaned processes.

Speed itself is never asserted here: it is what ``make bench`` measures.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.its import ITSModel, fit_its
from analysis.kappa import cohen_kappa_from_table
from analysis.reliability import cronbach_alpha

BENCH = Path(__file__).resolve().parents[2] / "bench"
EXAMPLE = BENCH.parent / "examples" / "discharge-planning"


def _bench_module(name: str) -> ModuleType:
    """A bench/ module under a name of its own (bench/generate.py must not shadow the example's
    ``generate``, which the example's P-CAT generator imports)."""
    key = f"bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    sys.path.insert(0, str(BENCH))  # for its sibling imports, while it loads
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def one_x(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("bench") / "1x"
    return out, _bench_module("generate").generate_project(out, scale=1)


def test_same_seed_same_bytes_and_another_seed_other_answers(tmp_path: Path) -> None:
    generate = _bench_module("generate").generate_project
    generate(tmp_path / "a", scale=2, seed=7)
    generate(tmp_path / "b", scale=2, seed=7)
    generate(tmp_path / "c", scale=2, seed=8)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    changed = {k for k, v in _digests(tmp_path / "c").items() if _digests(tmp_path / "a")[k] != v}
    assert {"inbox/nomad_T0.xlsx", "inbox/nomad_T1.csv", "inbox/pcat_HT2018.csv"} <= changed


def test_one_x_is_the_example_size(one_x: tuple[Path, dict[str, int]]) -> None:
    out, counts = one_x
    assert counts["nomad_T0.xlsx"] == 203
    assert counts["nomad_T1.csv"] == 152
    assert counts["pcat_VT2018.xlsx"] + counts["pcat_HT2018.csv"] == 135
    assert counts["codings_interviews.csv"] == 363
    assert counts["interview documents"] == 29
    assert sorted(p.name for p in (out / "inbox").glob("indicators_*.csv")) == [
        "indicators_admission_messages.csv",
        "indicators_discharge.csv",
        "indicators_outcomes.csv",
        "indicators_planning.csv",
    ]
    # Region 1's indicator series and interviews are the example's own files.
    for name in ("indicators_discharge.csv", "codings_interviews.csv"):
        assert (out / "inbox" / name).read_bytes() == (EXAMPLE / "inbox" / name).read_bytes()
    rows = list(load_workbook(out / "inbox" / "nomad_T0.xlsx", read_only=True).active.values)
    assert len(rows) == 204
    assert sum("Instämer helt" in row for row in rows) == 1  # the one label typo per region


def test_regions_scale_the_project(tmp_path: Path) -> None:
    import yaml

    counts = _bench_module("generate").generate_project(tmp_path / "p", scale=3)
    assert counts["nomad_T1.csv"] == 3 * 152
    project = yaml.safe_load((tmp_path / "p" / "project.yaml").read_text(encoding="utf-8"))
    example = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    ids = [o["id"] for o in project["organisations"]]
    assert len(ids) == len(set(ids)) == 3 * len(example["organisations"])
    days = next(i for i in project["indicators"] if i["id"] == "days_ready_for_discharge")
    assert days["units"] == ["all", "region_2", "region_3"]
    with open(tmp_path / "p" / "inbox" / "indicators_discharge.csv", encoding="utf-8") as fh:
        units = {row["unit"] for row in csv.DictReader(fh)}
    assert units == {"all", "region_2", "region_3"}


def test_floor_alpha_is_the_pipelines() -> None:
    stats = _bench_module("floor_stats")
    rng = np.random.default_rng(3)
    items = np.clip(np.rint(3 + rng.normal(size=(60, 1)) + rng.normal(size=(60, 5))), 1, 5)
    ours = stats.cronbach_alpha(items)
    theirs = cronbach_alpha(pd.DataFrame(items))
    assert ours == pytest.approx((theirs.estimate, theirs.ci_low, theirs.ci_high), abs=1e-12)


def test_floor_kappa_is_the_pipelines() -> None:
    table = np.array([[40.0, 6.0], [9.0, 25.0]])
    kappa, _, low, high = _bench_module("floor_stats").cohen_kappa(table)
    theirs = cohen_kappa_from_table(table)
    assert (kappa, low, high) == pytest.approx((theirs.estimate, theirs.ci_low, theirs.ci_high))


def test_floor_its_is_the_pipelines() -> None:
    data = pd.read_csv(EXAMPLE / "inbox" / "indicators_discharge.csv", keep_default_na=False)
    data = data[data["indicator"] == "stay_ready_for_discharge"]
    data = data.assign(period_start=pd.to_datetime(data["period"] + "-01"))
    model = {
        "type": "its",
        "family": "quasipoisson",
        "offset": True,
        "seasonality": "fourier",
        "fourier_order": 1,
        "effect_times": [12],
    }
    indicator = {"intervention": "2018-02-01", "frequency": "month"}
    rows, _ = _bench_module("floor_stats").fit_its(data, indicator, model)
    ours = {r["term"]: r for r in rows}
    theirs = fit_its(
        data,
        period="period_start",
        intervention="2018-02-01",
        model=ITSModel(
            family="quasipoisson", seasonality="fourier", fourier_order=1, effect_times=(12,)
        ),
        denominator="denominator",
    ).estimates.set_index("term")
    for term in ("pre_trend", "level_change", "slope_change"):
        got = ours[term]
        want = theirs.loc[term]
        assert (got["estimate"], got["ci_low"], got["ci_high"], got["p_value"]) == pytest.approx(
            (want["estimate"], want["ci_low"], want["ci_high"], want["p_value"]), rel=1e-9
        )
    assert ours["effect_12m_relative"]["estimate"] == pytest.approx(
        theirs.loc["effect_12_relative", "estimate"], rel=1e-9
    )


def test_measure_reaps_an_orphan_and_reports_the_exit_code(tmp_path: Path) -> None:
    """In a child process (a subreaper must not be the test session itself)."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from measure import become_subreaper, measure;"
        "assert become_subreaper();"
        "s = measure(['sh', '-c', 'sleep 1 & exit 3'], env={'PATH': '/usr/bin:/bin'},"
        " log=Path(sys.argv[2]));"
        "print(s.exit_code, '|'.join(s.notes))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(BENCH), str(tmp_path / "log")],
        capture_output=True,
        text=True,
        check=True,
    )
    code, notes = done.stdout.strip().split(" ", 1)
    assert code == "3"
    assert notes == "1 process(es) outlived the command; their CPU is included"


def test_table_medians_ratios_and_a_failed_stage(tmp_path: Path) -> None:
    table = _bench_module("report_table")
    sample = _bench_module("measure").Sample

    def repeat(cpu: float, analyse_exit: int = 0) -> dict:
        names = [
            "ingest",
            "analyse",
            "report",
            "up to date",
            "floor ingest",
            "floor analyse",
            "floor report",
        ]
        samples = {n: sample(2 * cpu, cpu, 100.0, 0, tmp_path) for n in names}
        samples["analyse"] = sample(9.0, 3 * cpu, 300.0, analyse_exit, tmp_path, ["stopped"])
        samples["up to date"] = sample(0.5, 0.1, 50.0, 0, tmp_path)
        return {"samples": samples, "error": None, "counts": {}}

    rows = {
        r["stage"]: r
        for r in table.rows_for_scale(
            {"scale": 1, "repeats": [repeat(1.0), repeat(2.0), repeat(4.0)]}
        )
    }
    assert rows["ingest"]["cpu_s"] == 2.0  # the median of 1, 2, 4
    assert rows["analyse"]["cpu_ratio"] == pytest.approx(3.0)
    assert rows["pipeline: 3 stages"]["cpu_s"] == 2.0 + 6.0 + 2.0
    assert rows["up to date"]["wall_fraction_of_full_run"] == pytest.approx(0.5 / (4 + 9 + 4))
    failed = {
        r["stage"]: r
        for r in table.rows_for_scale({"scale": 100, "repeats": [repeat(1.0, analyse_exit=-15)]})
    }
    assert failed["analyse"]["note"] == "failed (exit -15); stopped"
    assert "cpu_ratio" not in failed["analyse"]
    assert "pipeline: 3 stages" not in failed


def test_measure_stops_a_command_past_the_memory_guard(tmp_path: Path) -> None:
    """The guard for the shared machine: the group's summed memory passes the limit → stopped."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from measure import measure;"
        "hog = [sys.executable, '-c', 'import time; x = b\"1\" * (400 * 2**20); time.sleep(600)'];"
        "s = measure(hog, env={}, log=Path(sys.argv[2]), max_rss_mib=200);"
        "print(s.exit_code, '|'.join(s.notes))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(BENCH), str(tmp_path / "log")],
        capture_output=True,
        text=True,
        check=True,
    )
    code, notes = done.stdout.strip().split(" ", 1)
    assert code == "-15"
    assert notes == "ended by SIGTERM|stopped: its processes held more than 200 MiB"


def test_a_dask_row_says_whether_the_results_are_identical(tmp_path: Path) -> None:
    table = _bench_module("report_table")
    sample = _bench_module("measure").Sample
    samples = {
        "analyse": sample(10.0, 8.0, 300.0, 0, tmp_path),
        "analyse (dask local:2)": sample(5.0, 9.0, 250.0, 0, tmp_path),
    }
    same = {"samples": samples, "error": None, "counts": {}, "identity": {}}
    same["identity"]["analyse (dask local:2)"] = []
    rows = {r["stage"]: r for r in table.rows_for_scale({"scale": 10, "repeats": [same]})}
    assert list(rows) == ["analyse", "analyse (dask local:2)"]
    note = rows["analyse (dask local:2)"]["note"]
    assert (
        note
        == "results files byte-identical to the embedded run; wall 2.00× the embedded run's speed"
    )
    differ = same | {"identity": {"analyse (dask local:2)": ["its.csv"]}}
    rows = {r["stage"]: r for r in table.rows_for_scale({"scale": 10, "repeats": [differ]})}
    assert rows["analyse (dask local:2)"]["note"].startswith(
        "results files differ from embedded: its.csv"
    )


def test_an_always_executor_adds_dask_always_to_the_command(tmp_path: Path) -> None:
    run = _bench_module("run")
    command = run.pipeline_command(tmp_path, stage="analyse", force=True, dask="local:2+always")
    assert command[-4:] == ["--force", "--dask", "local:2", "--dask-always"]
    plain = run.pipeline_command(tmp_path, stage="analyse", dask="tcp://127.0.0.1:8786")
    assert plain[-2:] == ["--dask", "tcp://127.0.0.1:8786"]
    assert "--dask-always" not in plain and "--force" not in plain


def test_unit_costs_times_each_kind_and_keeps_the_results_in_order() -> None:
    costs = _bench_module("unit_costs")
    from flows.executors import Call

    def spin(n: int) -> int:  # CPU the process clock sees
        return sum(i * i for i in range(n))

    calls = [
        Call("reliability: nomad T0 all", spin, (200_000,)),
        Call("its discharge all", spin, (10,)),
        Call("reliability: nomad T1 all", spin, (200_000,)),
    ]
    timed = costs.TimedInProcess()
    assert timed.run(calls) == [spin(200_000), spin(10), spin(200_000)]
    assert dict(timed.counts) == {"reliability": 2, "its": 1}
    assert timed.seconds["reliability"] > timed.seconds["its"] >= 0
    assert costs.unit_kind("wave: nomad T0→T1") == "wave"
