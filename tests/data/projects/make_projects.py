"""Write the small fixture projects that each declare one kind of data (SYNTHETIC, fictional names).

    .venv/bin/python tests/data/projects/make_projects.py

- ``indicators-only/``: key figures of a fictional "Trygg hemgång" project: a monthly count with an
  interrupted time series and a yearly share before/after, one goal; no surveys, no interviews.
- ``outcomes-only/``: the participant flow of a fictional pre-rehabilitation effort, "Gro" (counts
  of persons per exit destination by year and sex, with a target), and nothing else.
- ``interviews-only/``: a learning evaluation of two fictional efforts of a coordination
  association, "Gro" (pre-rehabilitation) and "Nya vägar" (collaboration around people without
  income), modelled on the Spira/På väg evaluation (``shared/seeds/004``): interviews with project
  leaders and steering-group members and a staff workshop, coded against NPT by two coders and
  exported from MAXQDA. No surveys, no indicators.

The files are the same on every run (fixed seed); the tests read the committed copies.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2026

INDICATORS_YAML = """\
# SYNTHETIC fixture: key figures only (no surveys, no interviews). Fictional project.
id: trygg-hemgang-fixture
name: {sv: Trygg hemgång (fiktivt), en: Safe return home (fictional)}
synthetic: true
period: {start: 2018-01-01, end: 2019-12-31}
indicators:
  - id: readmissions
    labels: {sv: Återinskrivningar inom 30 dagar, en: Readmissions within 30 days}
    measure: count
    direction: lower
    frequency: month
    intervention: 2019-01-01
    model: {type: its, family: quasipoisson, effect_times: [6]}
  - id: home_visits_share
    labels: {sv: Hembesök inom 3 dagar, en: Home visit within 3 days}
    measure: proportion
    direction: higher
    frequency: year
    persons: true
    intervention: 2019-01-01
    observed: {start: 2017-01-01, end: 2019-12-31}
    model: {type: before_after}
goals:
  - id: fewer_readmissions
    level: project
    labels: {sv: Färre återinskrivningar, en: Fewer readmissions}
    indicator: readmissions
    target: {relative: -0.2, deadline: 2019-12-31}
"""

OUTCOMES_YAML = """\
# SYNTHETIC fixture: participant outcomes only (no surveys, indicators or interviews).
id: gro-outcomes-fixture
name: {sv: Gro – deltagarflöde (fiktivt), en: Gro – participant flow (fictional)}
synthetic: true
period: {start: 2019-01-01, end: 2020-12-31}
outcomes:
  - id: exit_destination
    labels: {sv: "Gro: vart deltagarna gick vid avslut", en: "Gro: where participants went"}
    population: {sv: deltagare som startat, en: participants who started}
    categories:
      - {id: rehabilitation, labels: {sv: Fortsatt rehabilitering, en: Further rehabilitation}}
      - {id: work_or_studies, labels: {sv: Arbete eller studier, en: Work or studies}}
      - {id: other, labels: {sv: Annat eller okänt, en: Other or not known}}
    target:
      categories: [rehabilitation, work_or_studies]
      share: 0.7
      deadline: 2020-12-31
      labels: {sv: tog ett steg mot arbete, en: took a step towards work}
    subgroups: [sex]
    frequency: year
"""

INTERVIEWS_YAML = """\
# SYNTHETIC fixture: interviews only (no surveys, indicators or outcomes). A learning evaluation of
# two fictional efforts of a fictional coordination association; every name below is made up.
id: gro-nya-vagar-fixture
name: {sv: Lärande utvärdering av Gro och Nya vägar (fiktiv), en: Learning evaluation of Gro and Nya vägar (fictional)}
synthetic: true
period: {start: 2019-01-01, end: 2019-12-31}
interviews:
  stakeholder_groups:
    - {id: project_leaders, labels: {sv: Projektledare, en: Project leaders}, speaker: {sv: Projektledare, en: Project leader}}
    - {id: steering_group, labels: {sv: Styrgrupp, en: Steering group}, speaker: {sv: Styrgruppsledamot, en: Steering group member}}
    - {id: staff, labels: {sv: Medarbetare, en: Staff}, speaker: {sv: Medarbetare, en: Staff member}}
  rounds:
    - {id: r1, labels: {sv: Våren 2019, en: Spring 2019}}
    - {id: r2, labels: {sv: Hösten 2019, en: Autumn 2019}}
  documents:
    - {match: "^Projektledare .* v19$", stakeholder_group: project_leaders, round: r1}
    - {match: "^Projektledare .* h19$", stakeholder_group: project_leaders, round: r2}
    - {match: "^Styrgrupp .* h19$", stakeholder_group: steering_group, round: r2}
    - {match: "^Workshop medarbetare", stakeholder_group: staff, round: r1}
  coders:
    - {id: coder_a, accept: [Anna Berg]}
    - {id: coder_b, accept: [Johan Ek]}
  primary_coder: coder_a
  redact_names: [Lisa Holm]
"""

DOCUMENTS = [
    "Projektledare Gro v19",
    "Projektledare Nya vägar v19",
    "Projektledare Gro h19",
    "Styrgrupp kommun A h19",
    "Styrgrupp försäkringskassan h19",
    "Workshop medarbetare v19",
]
CODES = [
    "NPT\\Begriplighet\\Gemensam förståelse",
    "NPT\\Kognitivt deltagande\\Legitimering",
    "NPT\\Kollektivt handlande\\Relationell integrering",
    "NPT\\Kollektivt handlande\\Kontextuell integrering",
    "NPT\\Reflexiv uppföljning\\Systematisering",
]
SENTENCES = [
    "Vi har lärt oss att träffas regelbundet med handläggarna från alla parter.",
    "Det tog tid innan alla förstod vad samverkan i teamet skulle innebära i praktiken.",
    "Styrgruppen har gett tydligt mandat, men ansvaret efter projekttiden är oklart.",
    "Deltagarna berättar att de möts med mer respekt när alla parter sitter vid samma bord.",
    "Vi följer upp varje deltagares plan varannan vecka och justerar arbetssättet efter det.",
    "Lisa Holm på kommunen har drivit frågan om gemensamma rutiner för ekonomiskt bistånd.",
    "Handläggarna hinner inte alltid prioritera det nya arbetssättet bredvid ordinarie ärenden.",
    "Workshopen gjorde det tydligare vilken roll var och en har i kedjan av insatser.",
]


def _write_csv(path: Path, header: list[str], rows: list[list[object]], sep: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=sep, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def indicators_only(rng: random.Random) -> None:
    root = HERE / "indicators-only"
    (root / "project.yaml").parent.mkdir(parents=True, exist_ok=True)
    (root / "project.yaml").write_text(INDICATORS_YAML, encoding="utf-8")
    rows: list[list[object]] = []
    for year in (2018, 2019):
        for month in range(1, 13):
            level = 60 if year == 2018 else 45
            rows.append(["readmissions", f"{year}-{month:02d}", level + rng.randint(-6, 6), ""])
    for year, (seen, cases) in {2017: (410, 820), 2018: (436, 830), 2019: (612, 845)}.items():
        rows.append(["home_visits_share", str(year), seen, cases])
    _write_csv(
        root / "inbox" / "indicators_hemgang.csv",
        ["indicator", "period", "value", "denominator"],
        rows,
        ",",
    )


def outcomes_only(rng: random.Random) -> None:
    root = HERE / "outcomes-only"
    root.mkdir(parents=True, exist_ok=True)
    (root / "project.yaml").write_text(OUTCOMES_YAML, encoding="utf-8")
    rows: list[list[object]] = []
    for year, totals in {2019: (21, 14, 9), 2020: (25, 17, 8)}.items():
        for category, total in zip(
            ("rehabilitation", "work_or_studies", "other"), totals, strict=True
        ):
            women = rng.randint(total // 3, 2 * total // 3)
            rows += [
                ["exit_destination", category, str(year), total, ""],
                ["exit_destination", category, str(year), women, "kvinna"],
                ["exit_destination", category, str(year), total - women, "man"],
            ]
    _write_csv(
        root / "inbox" / "indicators_deltagare.csv",
        ["indicator", "category", "period", "value", "sex"],
        rows,
        ",",
    )


def interviews_only(rng: random.Random) -> None:
    root = HERE / "interviews-only"
    root.mkdir(parents=True, exist_ok=True)
    (root / "project.yaml").write_text(INTERVIEWS_YAML, encoding="utf-8")
    rows: list[list[object]] = []
    for document in DOCUMENTS:
        for paragraph in range(1, 5):
            text = SENTENCES[rng.randrange(len(SENTENCES))]
            code = CODES[rng.randrange(len(CODES))]
            second = code if rng.random() < 0.75 else CODES[rng.randrange(len(CODES))]
            for coder, applied in (("Anna Berg", code), ("Johan Ek", second)):
                rows.append(["Intervjuer", document, applied, paragraph, paragraph, text, coder])
    _write_csv(
        root / "inbox" / "codings_intervjuer.csv",
        ["Document group", "Document name", "Code", "Beginning", "End", "Segment", "Created by"],
        rows,
        ";",
    )


def main() -> None:
    rng = random.Random(SEED)
    indicators_only(rng)
    outcomes_only(rng)
    interviews_only(rng)


if __name__ == "__main__":
    main()
