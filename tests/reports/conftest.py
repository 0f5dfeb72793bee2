"""Shared fixtures: a synthetic project folder and one report built from it (tests/data/reports)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from instruments.spec import InstrumentSpec, load_instrument
from project.config import Project, load_project
from reports.build import ReportOutputs, ReportRequest, build_report

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"
REPORT_DATE = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def spec() -> InstrumentSpec:
    return load_instrument("nomad")


@pytest.fixture(scope="session")
def project() -> Project:
    return load_project(DATA)


@pytest.fixture(scope="session")
def results_dir() -> Path:
    return DATA / "results"


@pytest.fixture(scope="session")
def scale_scores(results_dir: Path) -> pd.DataFrame:
    return pd.read_csv(results_dir / "scale_scores.csv", dtype={"wave": str, "group": str})


@pytest.fixture(scope="session")
def item_distributions(results_dir: Path) -> pd.DataFrame:
    return pd.read_csv(results_dir / "item_distributions.csv", dtype={"wave": str, "response": str})


def make_project_dir(root: Path) -> Path:
    """A project folder laid out as the tool lays it out, with the synthetic inputs copied in."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "project.yaml", root / "project.yaml")
    shutil.copytree(DATA / "narrative", root / "narrative")
    shutil.copytree(DATA / "results", root / "output" / "results")
    return root


@pytest.fixture(scope="session")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project_dir(tmp_path_factory.mktemp("evaluation") / "my-evaluation")


def _build(project_dir: Path, project: Project, spec: InstrumentSpec, lang: str, formats):
    request = ReportRequest(
        project=project,
        project_dir=project_dir,
        specs=[spec],
        results_dir=project_dir / "output" / "results",
        narrative_dir=project_dir / "narrative",
        out_dir=project_dir / "output" / "reports",
        figures_dir=project_dir / "output" / "figures",
        lang=lang,
        formats=formats,
        report_date=REPORT_DATE,
    )
    return build_report(request)


@pytest.fixture(scope="session")
def report_sv(project_dir: Path, project: Project, spec: InstrumentSpec) -> ReportOutputs:
    """The Swedish report in every format (pandoc and typst each take about 0.1 s)."""
    return _build(project_dir, project, spec, "sv", ["html", "docx", "pdf"])


@pytest.fixture(scope="session")
def report_en(project_dir: Path, project: Project, spec: InstrumentSpec) -> ReportOutputs:
    """The English report, Markdown and PDF."""
    return _build(project_dir, project, spec, "en", ["pdf"])
