"""``datapackage.json``: a Frictionless Data Package (v2) describing the CSV files.

Each CSV is a tabular data resource with a Table Schema: types, constraints (required, enum,
minimum/maximum, pattern), field-level ``missingValues`` (the declared "not relevant" codes, so
they read as missing), ``categories`` with labels (Data Package 2.0), primary and foreign keys and
the file's sha256. The Parquet, .sav and .dta files hold the same rows; the manifest lists them.
"""

from __future__ import annotations

import json
from pathlib import Path

from project.config import Project
from project.errors import ReleaseError
from releases.model import Column, Table
from releases.options import ReleaseOptions

LICENCES = {
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC-BY-NC-4.0": (
        "Creative Commons Attribution-NonCommercial 4.0",
        "https://creativecommons.org/licenses/by-nc/4.0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication and License 1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}
_FORMATS = {"datetime": "%Y-%m-%dT%H:%M:%S"}


def _constraints(col: Column) -> dict[str, object]:
    constraints: dict[str, object] = {}
    if col.required:
        constraints["required"] = True
    if col.pattern:
        constraints["pattern"] = col.pattern
    if col.categories:
        constraints["enum"] = [c.value for c in col.categories]
    elif col.type in ("integer", "number"):
        cast = float if col.type == "number" else int
        for bound, value in (("minimum", col.minimum), ("maximum", col.maximum)):
            if value is not None:
                constraints[bound] = cast(value)
    return constraints


def schema_field(col: Column, lang: str) -> dict[str, object]:
    """The Table Schema field of one column."""
    field: dict[str, object] = {"name": col.name, "type": col.type, "title": col.label.get(lang)}
    description = f"{col.label.sv} / {col.label.en}"
    if col.note is not None:
        description += f". {col.note.get(lang)}"
    field["description"] = description
    if col.type in _FORMATS:
        field["format"] = _FORMATS[col.type]
    constraints = _constraints(col)
    if constraints:
        field["constraints"] = constraints
    if col.missing:
        field["missingValues"] = ["", *(str(m.code) for m in col.missing)]
    if col.categories:
        field["categories"] = [
            {"value": c.value, "label": c.label.get(lang)} for c in col.categories
        ]
        if col.ordered:
            field["categoriesOrdered"] = True
    return field


def resource(table: Table, path: str, sha256: str, size: int, lang: str) -> dict[str, object]:
    schema: dict[str, object] = {
        "fields": [schema_field(c, lang) for c in table.columns],
        "missingValues": [""],
    }
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": list(fk.fields),
                "reference": {"resource": fk.table, "fields": list(fk.reference)},
            }
            for fk in table.foreign_keys
        ]
    return {
        "name": table.name,
        "type": "table",
        "path": path,
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": table.title.get(lang),
        "description": (table.description or table.title).get(lang),
        "bytes": size,
        "hash": f"sha256:{sha256}",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
        "schema": schema,
    }


def data_package(
    project: Project,
    options: ReleaseOptions,
    resources: list[dict[str, object]],
    *,
    creators: list[str],
) -> dict[str, object]:
    name, url = LICENCES[options.licence]
    lang = options.language
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": f"{project.id}-{options.version}".lower(),
        "title": project.name.get(lang),
        "description": f"{project.name.sv} / {project.name.en}. Release {options.version} "
        f"({options.profile} profile), made with impleval.",
        "version": options.version,
        "created": f"{options.date.isoformat()}T00:00:00Z",
        "licenses": [{"name": options.licence, "path": url, "title": name}],
        "contributors": [{"title": c, "roles": ["creator"]} for c in creators],
        "resources": resources,
    }


def write_package(package: dict[str, object], path: Path) -> Path:
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def validate_package(path: Path) -> list[str]:
    """Frictionless's verdict on ``datapackage.json``: the first problems, or none."""
    from frictionless import validate

    report = validate(str(path))
    problems = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    problems += [error.message for error in report.errors]
    return problems[:5]


def check_package(path: Path) -> None:
    """Raise when the package does not validate (a bug: our own files must pass)."""
    problems = validate_package(path)
    if problems:
        raise ReleaseError(f"{path.name}: Frictionless found problems: {'; '.join(problems)}")
