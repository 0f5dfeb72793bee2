"""``impleval release verify DIR``: check a release folder, one line per check.

The checks read only the files (and, when the release still sits in its project, the project's
names and store). k-anonymity is recomputed here with its own code from the CSV files — it does
not use :mod:`releases.anonymity` — so a bug there cannot hide itself.
"""

from __future__ import annotations

import csv
import json
import string
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from project.errors import ReleaseError
from project.provenance import file_sha256
from releases.datapackage import validate_package
from releases.ddi import validate_ddi
from releases.manifest import CHECKSUMS, MANIFEST, release_files
from releases.scan import project_names, scan_release


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_checksums(folder: Path) -> Check:
    sums = folder / CHECKSUMS
    if not sums.is_file():
        return Check("checksums", False, f"{CHECKSUMS} is missing")
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    present = set(release_files(folder))
    missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
    wrong = sorted(n for n in set(listed) & present if file_sha256(folder / n) != listed[n])
    if missing or extra or wrong:
        parts = [
            f"{what}: {', '.join(names[:5])}"
            for what, names in (("missing", missing), ("not listed", extra), ("changed", wrong))
            if names
        ]
        return Check("checksums", False, "; ".join(parts))
    return Check("checksums", True, f"{len(listed)} files match {CHECKSUMS}")


def check_package(folder: Path) -> Check:
    problems = validate_package(folder / "datapackage.json")
    if problems:
        return Check("data package", False, "; ".join(problems))
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return Check("data package", True, f"Frictionless: {len(package['resources'])} resources valid")


def check_ddi(folder: Path) -> Check:
    problems = validate_ddi(folder / "codebook.xml")
    if problems:
        return Check("DDI codebook", False, "; ".join(problems))
    return Check("DDI codebook", True, "codebook.xml is valid DDI-Codebook 2.5")


def _fields(folder: Path) -> dict[str, dict[str, dict]]:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in package["resources"]}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _cell_problems(name: str, field: dict, csv_values: list[str], sav, dta) -> list[str]:
    """Where the CSV, the .sav and the .dta disagree on one numeric column's cells: a code is the
    same number everywhere; the i-th declared missing code is SPSS user-missing and Stata's
    ``.a``, ``.b``, …; an empty CSV cell is system-missing in both."""
    if field["type"] not in ("integer", "number"):
        return []
    codes = [c for c in field.get("missingValues", []) if c != ""]
    letters = {c: string.ascii_lowercase[i] for i, c in enumerate(codes)}
    bad = 0
    for value, s, d in zip(csv_values, sav, dta, strict=True):
        if value == "":
            bad += not (_blank(s) and _blank(d))
        elif value in letters:
            bad += not (s == float(value) and d == letters[value])
        else:
            bad += not (s == float(value) and d == float(value))
    return [f"{name}: {bad} cells differ between CSV, .sav and .dta"] if bad else []


def _label_problems(where: str, field: dict, sav_meta, dta_meta) -> list[str]:
    name, problems = field["name"], []
    if not (
        sav_meta.column_names_to_labels.get(name) and dta_meta.column_names_to_labels.get(name)
    ):
        problems.append(f"{where}: variable label missing")
    ranges = sav_meta.missing_ranges.get(name, [])
    codes = [float(c) for c in field.get("missingValues", []) if c != ""]
    if not all(any(r["lo"] <= c <= r["hi"] for r in ranges) for c in codes):
        problems.append(f"{where}: user-missing values not declared in .sav")
    numeric = [c["value"] for c in field.get("categories", []) if isinstance(c["value"], int)]
    if not {float(v) for v in numeric} <= set(sav_meta.variable_value_labels.get(name, {})):
        problems.append(f"{where}: value labels missing in .sav")
    if not set(numeric) <= set(dta_meta.variable_value_labels.get(name, {})):
        problems.append(f"{where}: value labels missing in .dta")
    return problems


def _labelled_problems(folder: Path, table: str, fields: dict[str, dict]) -> list[str]:
    import pyreadstat

    rows = _rows(folder / "data" / f"{table}.csv")
    sav, sav_meta = pyreadstat.read_sav(str(folder / "data" / f"{table}.sav"), user_missing=True)
    dta, dta_meta = pyreadstat.read_dta(str(folder / "data" / f"{table}.dta"), user_missing=True)
    if not (len(rows) == len(sav) == len(dta)):
        return [f"{table}: {len(rows)} CSV rows, {len(sav)} in .sav, {len(dta)} in .dta"]
    problems = []
    for name, field in fields.items():
        where = f"{table}.{name}"
        problems += _label_problems(where, field, sav_meta, dta_meta)
        values = [r[name] for r in rows]
        problems += _cell_problems(where, field, values, sav[name].tolist(), dta[name].tolist())
    return problems


def check_labelled(folder: Path, manifest: dict) -> Check:
    fields = _fields(folder)
    labelled = [
        t["name"] for t in manifest["tables"] if any(f.endswith(".sav") for f in t["files"])
    ]
    problems = [p for t in labelled for p in _labelled_problems(folder, t, fields[t])]
    if problems:
        return Check("SPSS/Stata files", False, "; ".join(problems[:5]))
    return Check(
        "SPSS/Stata files",
        True,
        f"{len(labelled)} tables re-read from .sav and .dta: labels, user-missing values and "
        f"every cell agree with the CSV",
    )


def _people_per_combination(rows: list[dict[str, str]], qis: list[str], person: str) -> dict:
    """Combination of quasi-identifier values → the set of people holding it."""
    people: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows:
        people[tuple(row[q] for q in qis)].add(row[person])
    return people


def check_k(folder: Path, manifest: dict) -> Check:
    settings = manifest["settings"]
    k, deposit = settings["k_anonymity"], manifest["release"]["profile"] == "deposit"
    smallest: dict[str, int] = {}
    for table in manifest["tables"]:
        if not table["person_key"]:
            continue
        rows = _rows(folder / "data" / f"{table['name']}.csv")
        if not rows:
            continue
        qis = [q for q in settings["quasi_identifiers"] if q in rows[0]]
        people = _people_per_combination(rows, qis, table["person_key"])
        smallest[table["name"]] = min(len(v) for v in people.values())
    achieved = min(smallest.values(), default=None)
    detail = ", ".join(f"{t} {n}" for t, n in smallest.items())
    if not deposit:
        return Check(
            "k-anonymity", True, f"not required (internal profile); smallest groups: {detail}"
        )
    if achieved is not None and achieved < k:
        low = ", ".join(t for t, n in smallest.items() if n < k)
        return Check(
            "k-anonymity",
            False,
            f"{low}: a combination of quasi-identifiers holds fewer than k = {k} people ({detail})",
        )
    return Check(
        "k-anonymity",
        True,
        f"k = {achieved} achieved (required {k}), recomputed from the CSV files: {detail}",
    )


def check_l(folder: Path, manifest: dict) -> Check | None:
    settings = manifest["settings"]
    l_div, sensitive = settings.get("l_diversity"), settings.get("sensitive_columns") or []
    if not l_div or manifest["release"]["profile"] != "deposit":
        return None
    worst = None
    for table in manifest["tables"]:
        rows = _rows(folder / "data" / f"{table['name']}.csv") if table["person_key"] else []
        present = [s for s in sensitive if rows and s in rows[0]]
        qis = [q for q in settings["quasi_identifiers"] if rows and q in rows[0]]
        for column in present:
            values: dict[tuple[str, ...], set[str]] = defaultdict(set)
            for row in rows:
                values[tuple(row[q] for q in qis)].add(row[column])
            lowest = min(len(v - {""}) for v in values.values())
            worst = lowest if worst is None else min(worst, lowest)
    if worst is not None and worst < l_div:
        return Check(
            "l-diversity",
            False,
            f"a combination has only {worst} distinct sensitive values (l = {l_div})",
        )
    return Check("l-diversity", True, f"l = {worst} achieved (required {l_div})")


def check_small_cells(folder: Path, manifest: dict) -> Check | None:
    path = folder / "data" / "outcomes.csv"
    if manifest["release"]["profile"] != "deposit" or not path.is_file():
        return None
    threshold = manifest["settings"]["min_cell_size"]
    shown = [r for r in _rows(path) if r["value"] not in ("",) and 0 < int(r["value"]) < threshold]
    if shown:
        return Check(
            "small cells", False, f"outcomes.csv shows {len(shown)} counts below {threshold}"
        )
    return Check("small cells", True, f"no outcome count below {threshold} is shown")


def check_identifiers(folder: Path, project_dir: Path | None) -> Check:
    names: list[str] = []
    if project_dir is not None:
        from project.config import load_project

        names = project_names(load_project(project_dir), project_dir)
    hits = scan_release(folder, names)
    if hits:
        where = "; ".join(f"{f}: {', '.join(sorted(k))}" for f, k in list(hits.items())[:5])
        return Check("identifiers", False, f"found in {where}")
    if project_dir is None:
        text = "no e-mail address or personnummer in any file (names not checked: no project)"
    else:
        text = f"no e-mail address, personnummer or any of {len(names)} project names in any file"
    return Check("identifiers", True, text)


def check_pseudonyms(folder: Path, project_dir: Path | None) -> Check:
    if project_dir is None or not (project_dir / ".impleval" / "warehouse.duckdb").is_file():
        return Check("pseudonyms", True, "not checked: no project store (pass -p DIR)")
    from releases.reads import store_pseudonyms

    stored = store_pseudonyms(project_dir)
    clash = 0
    for path in sorted((folder / "data").glob("*.csv")):
        for row in _rows(path):
            clash += sum(1 for v in row.values() for part in v.split(":") if part in stored)
    if clash:
        return Check("pseudonyms", False, f"{clash} values equal pseudonyms of the project's store")
    return Check("pseudonyms", True, "no value equals a pseudonym of the project's store")


def release_project(folder: Path) -> Path | None:
    """The project a release folder sits in (``<project>/output/releases/<version>``), if any."""
    folder = Path(folder).resolve()
    candidate = folder.parent.parent.parent
    if folder.parent.name == "releases" and (candidate / "project.yaml").is_file():
        return candidate
    return None


def verify_release(folder: Path, *, project_dir: Path | None = None) -> list[Check]:
    """Every check of a release folder, in order (see the module docstring).

    Raises
    ------
    ReleaseError
        When ``folder`` is not a release folder at all.
    """
    folder = Path(folder)
    if not (folder / MANIFEST).is_file() or not (folder / "datapackage.json").is_file():
        raise ReleaseError(
            f"{folder.name}: not a release folder. Expected manifest.json and datapackage.json "
            f"in it. Hint: give the folder under output/releases/, e.g. output/releases/1.0."
        )
    project_dir = project_dir or release_project(folder)
    checks = [check_checksums(folder)]
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except ValueError:
        return [*checks, Check("manifest", False, "manifest.json is not valid JSON")]
    checks += [check_package(folder), check_ddi(folder), check_labelled(folder, manifest)]
    checks.append(check_k(folder, manifest))
    optional = [check_l(folder, manifest), check_small_cells(folder, manifest)]
    checks += [c for c in optional if c is not None]
    return [*checks, check_identifiers(folder, project_dir), check_pseudonyms(folder, project_dir)]
