"""SPSS-style and survey-tool-style exports load through the built-in profiles and score as the
canonical export does.

Each test takes one of the example's canonical exports, rewrites it as another tool would write it
— a real ``.sav`` (pyreadstat) with ``PCAT1``/``nomad_co1`` names, value labels and 99 for the
blank answers, or a real ``.xlsx`` (openpyxl) with the items' labels as headers and "Vet ej" /
"Ej aktuellt" for the blank answers — ingests the canonical and the rewritten export into two fresh
projects, and compares the accounting, the scale scores and the missing answers.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from analysis.columns import stack_tables
from analysis.scoring import score_scales
from analysis.summaries import summarise_scores
from analysis.survey import GROUPINGS
from ingest.kinds import inbox_files
from ingest.read import read_table
from ingest.survey import ingest_survey
from ingest.survey_map import map_survey
from ingest.survey_profile import load_profile
from instruments.spec import InstrumentSpec, project_instrument
from project.config import load_project
from project.layout import ProjectPaths
from store import reads, warehouse
from tests.conftest import EXAMPLE

_KEYS = {"Svar-ID": "SvarID", "E-post": "Epost"}  # SPSS names have no dashes


@dataclass(frozen=True)
class Export:
    instrument: str
    wave: str
    file: str


PCAT = Export("pcat", "HT2018", "pcat_HT2018.csv")
NOMAD = Export("nomad", "T1", "nomad_T1.csv")


def _project(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".impleval", "output"))
    text = (target / "project.yaml").read_text(encoding="utf-8")
    slug = re.sub(r"[^a-z0-9]+", "-", f"{tmp_path.name}-{name}".lower())[-40:]
    (target / "project.yaml").write_text(
        text.replace("id: discharge-planning-demo", f"id: test-{slug}"), encoding="utf-8"
    )
    return target


def _canonical(export: Export) -> tuple[pd.DataFrame, InstrumentSpec, pd.DataFrame]:
    """The raw canonical export, the spec, and the cells to rewrite: blank item cells of rows
    that answered something (a row with no answer at all stays empty)."""
    project = load_project(EXAMPLE)
    spec = project_instrument(project, export.instrument, EXAMPLE)
    raw = read_table(EXAMPLE / "inbox" / export.file)
    items = [i.source_code for i in spec.items]
    blank = raw[items].isna() | raw[items].astype(str).apply(lambda c: c.str.strip() == "")
    answered = ~blank.all(axis=1)
    return raw, spec, blank & answered.to_numpy()[:, None]


def _spss(export: Export, target: Path, name: str, *, user_missing: bool) -> tuple[Path, int]:
    """The export as SPSS writes it: codes with value labels, blanks as 99 ("Vet ej")."""
    raw, spec, rewrite = _canonical(export)
    mapped = map_survey(
        raw,
        spec=spec,
        project=load_project(EXAMPLE),
        profile=load_profile(),
        file_name=export.file,
    )
    frame = pd.DataFrame({_KEYS.get(c, c): raw[c] for c in raw.columns if c not in rewrite})
    frame = frame.astype(object).where(frame.notna(), "").astype(str)
    labels: dict[str, dict[float, str]] = {}
    ranges: dict[str, list] = {}
    for position, item in enumerate(spec.items):
        column = name.format(code=item.source_code)
        rs = spec.response_sets[item.response_set]
        codes = mapped.codes[spec.column(item.id)].to_numpy().copy()
        value_labels = {float(o.code): o.labels.sv for o in rs.options}
        na = mapped.not_applicable[spec.column(item.id)].to_numpy()
        for code, option in enumerate(rs.not_applicable, start=6):
            codes[na == option.key] = code
            value_labels[float(code)] = option.labels.sv
        codes[rewrite[item.source_code].to_numpy()] = 99.0
        frame[column] = codes
        if user_missing:
            value_labels[99.0] = "Vet ej"
            ranges[column] = [99.0] if position % 2 else [{"lo": 90.0, "hi": 99.0}]
        if rs.type == "ordinal":
            labels[column] = value_labels
    path = target / f"{export.instrument}_{export.wave}.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, missing_ranges=ranges)
    return path, int(rewrite.to_numpy().sum())


def _survey_tool(export: Export, target: Path, lang: str) -> tuple[Path, int]:
    """The export as a survey tool writes it: the items' labels as headers, blanks as "Vet ej"
    or "Ej aktuellt" (alternately)."""
    raw, spec, rewrite = _canonical(export)
    headers = {i.source_code: i.label.get(lang) for i in spec.items}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([headers.get(c, c) for c in raw.columns])
    for n, (row, values) in enumerate(raw.iterrows()):
        fill = "Vet ej" if n % 2 else "Ej aktuellt"
        sheet.append(
            [
                fill if c in rewrite.columns and rewrite.at[row, c] else (None if pd.isna(v) else v)
                for c, v in values.items()
            ]
        )
    path = target / f"{export.instrument}_{export.wave}.xlsx"
    book.save(path)
    return path, int(rewrite.to_numpy().sum())


def _results(project: Path, spec: InstrumentSpec) -> tuple[pd.DataFrame, pd.Series]:
    """The scale scores table and the responses per status of a project's store."""
    with warehouse.open_warehouse(ProjectPaths(project).warehouse, read_only=True) as con:
        wide, long = reads.read_survey_frames(con, spec)
    scores = score_scales(wide, spec)
    table = stack_tables("scale_scores", [summarise_scores(scores, by=by) for by in GROUPINGS])
    return table, long["status"].value_counts()


def _compare(
    tmp_path: Path, export: Export, rewritten: Path, profile: str
) -> tuple[pd.Series, tuple[str, ...]]:
    """Ingest the canonical and the rewritten export; assert equal accounting and scale scores;
    return the rewritten store's responses per status and its ingest notes."""
    canonical_project, other_project = _project(tmp_path, "canonical"), _project(tmp_path, "other")
    spec = project_instrument(load_project(EXAMPLE), export.instrument, EXAMPLE)
    reports = [
        ingest_survey(
            p,
            f,
            instrument=export.instrument,
            wave=export.wave,
            **({"profile": name} if name else {}),
        )
        for p, f, name in (
            (canonical_project, canonical_project / "inbox" / export.file, None),
            (other_project, rewritten, profile),
        )
    ]
    accounting = [(r.rows_read, r.rows_loaded, r.rows_quarantined, r.reasons) for r in reports]
    assert accounting[0] == accounting[1]
    (scores, canonical_status), (other_scores, other_status) = (
        _results(canonical_project, spec),
        _results(other_project, spec),
    )
    assert len(scores) and scores["n"].gt(0).all()
    pd.testing.assert_frame_equal(other_scores, scores)
    assert other_status.get("answered") == canonical_status.get("answered")
    assert other_status.get("not_applicable") == canonical_status.get("not_applicable")
    assert "declared_missing" not in canonical_status
    missing = canonical_status.get("missing", 0)
    assert missing > 0  # the comparison below would be empty otherwise
    assert other_status.get("declared_missing", 0) + other_status.get("missing", 0) == missing
    return other_status, reports[1].notes


def test_spss_pcat_with_pcat_names_and_user_missing_scores_as_canonical(tmp_path: Path) -> None:
    path, rewritten = _spss(PCAT, tmp_path, "PCAT{code}", user_missing=True)
    status, notes = _compare(tmp_path, PCAT, path, "spss")
    assert status["declared_missing"] == rewritten  # every rewritten blank, none lost
    note = f"{rewritten} answer(s) declared missing (dont_know {rewritten}), kept apart from"
    assert any(n.startswith(note) for n in notes), notes


def test_spss_nomad_with_undeclared_99_scores_as_canonical(tmp_path: Path) -> None:
    # 99 is not declared user-missing here: the spss profile's codes make it declared missing,
    # and on the 0-10 general items 99 is no valid answer either.
    path, rewritten = _spss(NOMAD, tmp_path, "nomad_{code}", user_missing=False)
    status, notes = _compare(tmp_path, NOMAD, path, "spss")
    assert status["declared_missing"] == rewritten
    assert any(f"declared missing (no_answer {rewritten})" in n for n in notes), notes


def test_spss_pcat_with_q_names_scores_as_canonical(tmp_path: Path) -> None:
    path, rewritten = _spss(PCAT, tmp_path, "q{code}", user_missing=False)
    assert _compare(tmp_path, PCAT, path, "spss")[0]["declared_missing"] == rewritten


@pytest.mark.parametrize(("export", "lang"), [(PCAT, "en"), (NOMAD, "sv")])
def test_survey_tool_with_label_headers_scores_as_canonical(
    tmp_path: Path, export: Export, lang: str
) -> None:
    path, rewritten = _survey_tool(export, tmp_path, lang)
    status, notes = _compare(tmp_path, export, path, "survey-tool")
    assert status["declared_missing"] == rewritten
    assert any("does_not_apply" in n and "dont_know" in n for n in notes), notes


def test_a_sav_in_the_inbox_is_picked_up_by_its_name(tmp_path: Path) -> None:
    project = _project(tmp_path, "inbox")
    _spss(PCAT, project / "inbox", "PCAT{code}", user_missing=True)
    found = {f.path.name: f for f in inbox_files(ProjectPaths(project), load_project(project))}
    sav = found["pcat_HT2018.sav"]
    assert (sav.kind, sav.options.instrument, sav.options.wave) == ("survey", "pcat", "HT2018")
