"""Flow ``analyse``: survey statistics per instrument and wave, indicator series and goals, and
interview codings.

Reads the active data from the store and writes tidy, unrounded CSV to ``output/results/``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from analysis.group_comparison import compare_groups
from analysis.normalisation_profile import normalisation_profile
from analysis.reliability import item_rest_statistics, reliability_by_scale
from analysis.response_rates import ALL, response_rates
from analysis.scoring import score_scales
from analysis.summaries import item_distributions, summarise_items, summarise_scores
from analysis.wave_comparison import compare_waves
from instruments.spec import InstrumentSpec, project_instrument
from project.config import Project, load_project
from project.layout import ProjectPaths
from store import warehouse

GROUPINGS: tuple[tuple[str, ...], ...] = ((), ("staff_group",), ("organisation",))


@task(name="read-survey", cache_policy=NO_CACHE)
def read_survey(paths: ProjectPaths, spec: InstrumentSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        return warehouse.read_survey_frames(con, spec)


@task(name="score-scales", cache_policy=NO_CACHE)
def score(wide: pd.DataFrame, spec: InstrumentSpec) -> pd.DataFrame:
    return score_scales(wide, spec)


@task(name="describe-scale-scores", cache_policy=NO_CACHE)
def describe_scores(scores: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([summarise_scores(scores, by=by) for by in GROUPINGS], ignore_index=True)


@task(name="reliability", cache_policy=NO_CACHE)
def reliability(
    wide: pd.DataFrame, spec: InstrumentSpec, *, min_n: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Alpha and omega per wave (``group_by = group = "all"``), then per wave × staff group and
    wave × organisation for the groups with at least ``min_n`` complete cases on the scale."""
    overall = reliability_by_scale(wide, spec, by=("wave",), omega=True)
    columns = [*overall.columns, "group_by", "group"]
    parts = [overall.assign(group_by=ALL, group=ALL)]
    for column in ("staff_group", "organisation"):
        if column not in wide.columns:
            continue
        by_group = reliability_by_scale(wide, spec, by=("wave", column), omega=True)
        keep = by_group["group"].notna() & (by_group["n"] >= min_n)
        parts.append(by_group.loc[keep, columns])
    alpha_and_omega = pd.concat(parts, ignore_index=True).loc[:, columns]
    return alpha_and_omega, item_rest_statistics(wide, spec)


@task(name="compare-waves-and-groups", cache_policy=NO_CACHE)
def compare(
    scores: pd.DataFrame, project: Project, spec: InstrumentSpec
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Change between consecutive waves; staff groups and organisations within each wave."""
    waves = [w.id for w in project.waves if w.instrument == spec.id]
    return (
        compare_waves(
            scores,
            waves=waves,
            group_column="staff_group",
            unit_column="organisation",
            min_cell_size=project.privacy.min_cell_size,
        ),
        compare_groups(
            scores,
            by=("staff_group", "organisation"),
            min_cell_size=project.privacy.min_cell_size,
        ),
    )


@task(name="response-rates", cache_policy=NO_CACHE)
def rates(wide: pd.DataFrame, project: Project, spec: InstrumentSpec) -> pd.DataFrame:
    """Responded against invited as declared in project.yaml (overall and per org × group)."""
    invited = [
        {"wave": w.id, "organisation": ALL, "group": ALL, "invited": w.invited}
        for w in project.waves
        if w.instrument == spec.id and w.invited is not None
    ] + [
        {
            "wave": w.id,
            "organisation": c.organisation or ALL,
            "group": c.staff_group or ALL,
            "invited": c.invited,
        }
        for w in project.waves
        if w.instrument == spec.id
        for c in w.invited_by
    ]
    frame = pd.DataFrame(invited, columns=["wave", "organisation", "group", "invited"])
    return response_rates(
        wide,
        frame,
        instrument=spec.id,
        threshold=project.survey.response_rate_threshold,
    )


@task(name="describe-items", cache_policy=NO_CACHE)
def describe_items(
    wide: pd.DataFrame, long: pd.DataFrame, spec: InstrumentSpec
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return summarise_items(wide, spec, response_type="numeric"), item_distributions(long, spec)


@task(name="ingest-accounting", cache_policy=NO_CACHE)
def ingest_accounting(paths: ProjectPaths) -> tuple[pd.DataFrame, pd.DataFrame]:
    with warehouse.open_warehouse(paths.warehouse, read_only=True) as con:
        summary = warehouse.ingest_summary(con)
        reasons = con.execute(
            "SELECT instrument, wave, rule, count(DISTINCT source_row) AS n FROM quarantine "
            "WHERE ingest_id IN (SELECT ingest_id FROM ingests WHERE superseded_by IS NULL) "
            "GROUP BY ALL ORDER BY ALL"
        ).df()
    return summary.drop(columns=["loaded_at"]), reasons


@task(name="analyse-indicators", cache_policy=NO_CACHE)
def indicator_tables(project_dir: Path) -> dict[str, pd.DataFrame]:
    """ITS, before/after, participant outcomes, goals and the project logic."""
    from analysis.indicators import analyse_indicators

    return analyse_indicators(project_dir)


@task(name="analyse-codings", cache_policy=NO_CACHE)
def coding_tables(project_dir: Path) -> dict[str, pd.DataFrame]:
    """Code frequencies, co-occurrence, inter-coder agreement and quotes."""
    from analysis.codings import analyse_codings

    return analyse_codings(project_dir)


@task(name="write-results", cache_policy=NO_CACHE)
def write_results(results_dir: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Tidy CSV, unrounded (full float precision), one file per table."""
    results_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        target = results_dir / f"{name}.csv"
        tmp = target.with_suffix(".csv.tmp")
        frame.to_csv(tmp, index=False)
        tmp.replace(target)
        written.append(target)
    return written


@flow(name="analyse", validate_parameters=False)
def analyse_project(project_dir: Path) -> list[Path]:
    """Surveys (scores, reliability, item summaries, change between waves, groups, response rates,
    the normalisation profile), indicators and interview codings."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    parts: dict[str, list[pd.DataFrame]] = {
        "scale_scores": [],
        "reliability": [],
        "item_statistics": [],
        "item_summaries": [],
        "item_distributions": [],
        "wave_comparison": [],
        "group_comparison": [],
        "response_rates": [],
        "normalisation_profile": [],
    }
    for instrument in project.instrument_ids:
        spec = project_instrument(project, instrument, paths.root)
        wide, long = read_survey(paths, spec)
        scores = score(wide, spec)
        described = describe_scores(scores)
        parts["scale_scores"].append(described)
        alpha, item_stats = reliability(wide, spec, min_n=project.survey.reliability_min_n)
        parts["reliability"].append(alpha)
        parts["item_statistics"].append(item_stats)
        numeric, distributions = describe_items(wide, long, spec)
        parts["item_summaries"].append(numeric)
        parts["item_distributions"].append(distributions)
        waves, groups = compare(scores, project, spec)
        parts["wave_comparison"].append(waves)
        parts["group_comparison"].append(groups)
        parts["response_rates"].append(rates(wide, project, spec))
        lights = project.survey.traffic_lights
        parts["normalisation_profile"].append(
            normalisation_profile(
                described, numeric, spec, green=lights.green, yellow=lights.yellow
            )
        )
    tables = {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
    tables["ingest_summary"], tables["quarantine_reasons"] = ingest_accounting(paths)
    if project.indicators:
        tables |= indicator_tables(paths.root)
    if project.interviews is not None:
        tables |= coding_tables(paths.root)
    return write_results(paths.results, tables)
