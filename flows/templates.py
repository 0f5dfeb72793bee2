"""``impleval init``: a new project folder with a commented project.yaml."""

from __future__ import annotations

from pathlib import Path

from project.errors import PipelineError

PROJECT_TEMPLATE = """\
# project.yaml — what this evaluation covers. Every key is explained in docs/project-yaml.md.
# ids are short, lowercase and stable: they end up in the data. Labels are shown in reports.
id: my-evaluation                 # names the pseudonymisation key; never change it once data is in
name: {sv: Mitt projekt, en: My project}
synthetic: false
funder: null
period: {start: 2026-01-01, end: 2027-12-31}
languages: [sv, en]

organisations:                    # as the export's Organisation / Enhet columns name them
  - id: hospital_a
    type: hospital
    labels: {sv: Sjukhus A, en: Hospital A}
    accept: []                    # further spellings seen in exports
    units:
      - {id: ward_1, labels: {sv: Avdelning 1, en: Ward 1}}
  - {id: health_centre_a, type: primary_care, labels: {sv: Hälsocentral A, en: Health centre A}}

staff_groups:                     # as the export's Yrkesgrupp column names them
  - {id: nurse, labels: {sv: Sjuksköterska, en: Registered nurse}}
  - {id: physician, labels: {sv: Läkare, en: Physician}}

instruments: [nomad]

waves:                            # exports dropped in inbox/ as <instrument>_<wave>.xlsx/.csv
  - {id: T0, instrument: nomad, opens: 2026-03-01, closes: 2026-03-31, invited: 100}

privacy:
  min_cell_size: 5                # groups smaller than this are suppressed in every table and figure

report:
  language: sv
  formats: [html, pdf, docx]
  evaluator: null
  kind: interim
"""


def write_new_project(directory: Path) -> None:
    """Create ``directory`` with project.yaml, inbox/ and narrative/; never overwrite."""
    if (directory / "project.yaml").exists():
        raise PipelineError(
            f"{directory}/project.yaml already exists. Hint: edit it, or choose a new folder."
        )
    for sub in ("inbox", "narrative"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    (directory / "project.yaml").write_text(PROJECT_TEMPLATE, encoding="utf-8")
