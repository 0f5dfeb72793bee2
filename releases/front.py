"""The release's front matter: ``README.md``, ``CITATION.cff`` and ``LICENSE``.

Written from project.yaml and the release's settings; names of persons appear only as the
creators to cite (``release.creators``), never from the data.
"""

from __future__ import annotations

import json
from pathlib import Path

from project.config import Project
from project.labels import in_language
from releases.anonymity import Outcome
from releases.datapackage import LICENCES
from releases.model import Table
from releases.options import ReleaseOptions

READING = """## Reading the files

- **SPSS**: open `data/<table>.sav`. Variable and value labels are set; "not relevant" answers
  (−1, −2, −3, …) are declared user-missing.
- **Stata**: `use data/<table>.dta` (format 118, Stata 14+). "Not relevant" answers are the
  extended missing values `.a`, `.b`, `.c`, … with value labels.
- **R**: `haven::read_sav("data/<table>.sav", user_na = TRUE)` keeps the "not relevant" codes as
  `labelled_spss` with `na_values`; without `user_na` they read as `NA`.
  `frictionless::read_resource(read_package("datapackage.json"), "<table>")` reads the CSV with
  its Table Schema.
- **Python**: `pandas.read_parquet("data/<table>.parquet")`, or `pyreadstat.read_sav(...)`.
  In CSV and Parquet the "not relevant" codes are numbers: declare them missing
  (`na_values=["-1", "-2", "-3"]`) before computing anything.
- CSV cells of text that begin with `=`, `+`, `-`, `@`, a tab or a carriage return carry a
  leading `'` so that a spreadsheet does not run them as formulas.
"""


def creators(project: Project) -> list[str]:
    """Who to cite: ``release.creators``, else the evaluator, else the project's name."""
    if project.release.creators:
        return list(project.release.creators)
    return [in_language(project.report.evaluator, "en") or project.name.en]


def readme(
    project: Project,
    options: ReleaseOptions,
    tables: list[Table],
    outcomes: list[Outcome],
    sizes: dict[str, int],
) -> str:
    """``README.md``: what, who, how collected, licence, how to cite, the files."""
    name, url = LICENCES[options.licence]
    waves = "\n".join(
        f"- {w.instrument} {w.id}: {w.opens.isoformat()} – {w.closes.isoformat()}"
        for w in project.waves
    )
    lines = [
        f"# {project.name.en} — dataset release {options.version}",
        "",
        f"*{project.name.sv}.* Released {options.date.isoformat()} by {', '.join(creators(project))}"
        + (f"; funded by {in_language(project.funder, 'en')}" if project.funder else "")
        + ". Made with impleval.",
        "",
        "## What",
        "Data of an implementation evaluation in Swedish health and social care: staff surveys per "
        "wave (one row per respondent and wave, items as canonical codes), the scale scores "
        "computed from them, indicator series, participant outcomes and interview codings.",
        "",
        "## How the data were collected",
        waves,
        "",
        "Every export was validated against the instrument specifications before it was stored; "
        "rows that failed were quarantined and are not part of this release. Identifiers were "
        "replaced by keyed pseudonyms at ingest and re-keyed for this release.",
        "",
        "## Privacy",
        _privacy(options, outcomes),
        "",
        "## Licence and citation",
        f"{name} ({options.licence}), <{url}>. Cite the release as `CITATION.cff` says.",
        "",
        "## Files",
        "| file | bytes |",
        "|---|---|",
        *(f"| `{path}` | {size} |" for path, size in sorted(sizes.items())),
        "",
        "The codebook is `codebook_sv.html`/`codebook_en.html` (and PDF), `datapackage.json` "
        "(Frictionless Data Package) and `codebook.xml` (DDI-Codebook 2.5). `manifest.json` "
        "records the inputs, the code version and the settings; `SHA256SUMS` the checksums. "
        "Check a copy with `impleval release verify DIR`.",
        "",
        READING,
    ]
    return "\n".join(lines) + (
        f"\nTables: {', '.join(t.name for t in tables)}.\n" if tables else "\n"
    )


def _privacy(options: ReleaseOptions, outcomes: list[Outcome]) -> str:
    if not options.anonymised:
        return (
            "Profile **internal**: pseudonymised, not anonymised. For the project team only; "
            "do not deposit or share."
        )
    rows = "\n".join(
        f"- `{o.table}`: {'; '.join(o.steps) or 'nothing generalised'}; {o.rows_dropped} of "
        f"{o.rows_in} rows suppressed; k achieved = {o.k_achieved}"
        for o in outcomes
    )
    return (
        f"Profile **deposit**: every combination of the quasi-identifiers "
        f"({', '.join(options.quasi_identifiers)}) holds at least k = {options.k_anonymity} "
        f"people; interview text is left out; outcome counts below {options.min_cell_size} are "
        f"withheld.\n\n{rows}"
    )


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def citation_cff(project: Project, options: ReleaseOptions) -> str:
    """``CITATION.cff`` (Citation File Format 1.2.0) for the dataset."""
    authors = []
    for creator in creators(project):
        given, _, family = creator.rpartition(" ")
        if project.release.creators and given:
            authors += [f"  - family-names: {_yaml(family)}", f"    given-names: {_yaml(given)}"]
        else:
            authors.append(f"  - name: {_yaml(creator)}")
    return "\n".join(
        [
            "cff-version: 1.2.0",
            'message: "If you use this dataset, please cite it as below."',
            "type: dataset",
            f"title: {_yaml(project.name.en + ' — dataset release')}",
            f"version: {_yaml(options.version)}",
            f"date-released: {_yaml(options.date.isoformat())}",
            f"license: {_yaml(options.licence)}",
            "authors:",
            *authors,
            "keywords:",
            '  - "implementation evaluation"',
            '  - "normalization process theory"',
            "",
        ]
    )


def licence_text(project: Project, options: ReleaseOptions) -> str:
    """``LICENSE``: the licence the project chose, with where its legal code is."""
    name, url = LICENCES[options.licence]
    return (
        f"{project.name.en} — dataset release {options.version}\n"
        f"Copyright {options.date.year} {', '.join(creators(project))}\n\n"
        f"This dataset is made available under the {name} licence ({options.licence}).\n"
        f"The full legal code is at {url}legalcode (for the Open Data Commons licences: {url}).\n"
        "The instruments' item texts are not part of this dataset; their own licences apply to "
        "them.\n"
    )


def write_front(folder: Path, texts: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths
