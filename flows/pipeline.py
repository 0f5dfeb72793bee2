"""Flow ``impleval-run``: the stale stages of ingest → analyse → report, in order.

Staleness is decided by :mod:`flows.stages` (content hashes of inputs and settings), not by
Prefect's cache. ``force`` redoes every stage.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.analyse import analyse_project
from flows.ingest import ingest_inbox
from flows.report import render_report
from flows.stages import (
    STAGES,
    current_data_version,
    fingerprint,
    is_current,
    record_stage,
    stage_inputs,
)
from project.config import load_project
from project.layout import ProjectPaths


@flow(name="impleval-run", validate_parameters=False)
def run_pipeline(
    project_dir: Path,
    *,
    force: bool = False,
    only: str | None = None,
    settings: dict,
) -> dict[str, list[Path]]:
    """Run the stale stages (or, with ``only``, one stage) and record what each produced."""
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    done: dict[str, list[Path]] = {}
    for stage in STAGES:
        if only and stage != only:
            continue
        fp = fingerprint(
            stage_inputs(
                stage, paths, project, settings=settings, data_version=current_data_version(paths)
            )
        )
        if not force and is_current(paths, stage, fp):
            print(f"{stage}: up to date")
            continue
        if stage == "ingest":
            reports = ingest_inbox(paths.root)
            for report in reports:
                for line in report.lines():
                    print(f"  {line}")
            outputs = [paths.warehouse] if paths.warehouse.exists() else []
            # The data the next stages see is what the store holds now.
        elif stage == "analyse":
            outputs = analyse_project(paths.root)
        else:
            outputs = render_report(paths.root, settings=settings)
        # Re-hash after the stage: a stage's own outputs must not make it look stale next time.
        fp = fingerprint(
            stage_inputs(
                stage, paths, project, settings=settings, data_version=current_data_version(paths)
            )
        )
        record_stage(paths, stage, fp, outputs)
        done[stage] = outputs
        print(f"{stage}: done")
    return done
