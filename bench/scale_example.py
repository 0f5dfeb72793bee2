"""A seeded, scaled copy of the example project: ``scale`` times its survey answers, indicator units
and coded segments.

Used by the benchmarks (``bench/ingest_scale.py``); run on its own to look at the files::

    .venv/bin/python bench/scale_example.py /tmp/example-10x --scale 10

Copy ``k`` of a survey respondent gets the e-mail ``name+k@domain`` (a new person), a few answers
redrawn from the same column (so the copies are not identical), and keeps the example's quarantined
rows (each copy quarantines like the original). Indicator rows are repeated for ``scale`` units
(``all`` and ``u1`` …), declared in the copy's project.yaml; outcome rows likewise. Coded documents
are repeated as ``<name> k`` (a new document each, matched by the same document rules).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "discharge-planning"
SURVEYS = ("nomad_T0.xlsx", "nomad_T1.csv", "pcat_VT2018.xlsx", "pcat_HT2018.csv")
#: Share of a copy's item answers redrawn from the same column.
REDRAW = 0.1


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=object)
    sep = ";" if path.name.startswith(("nomad", "pcat", "codings")) else ","
    return pd.read_csv(path, sep=sep, dtype=object, keep_default_na=False, encoding="utf-8-sig")


def _write(frame: pd.DataFrame, path: Path, sep: str) -> None:
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, sep=sep, index=False, encoding="utf-8")


def _survey(frame: pd.DataFrame, scale: int, rng: random.Random) -> pd.DataFrame:
    keys = {"Svar-ID", "Inskickad", "E-post", "Organisation", "Enhet", "Yrkesgrupp"}
    items = [c for c in frame.columns if c not in keys]
    copies = []
    for k in range(scale):
        part = frame.copy()
        if k:
            part["E-post"] = part["E-post"].map(
                lambda e, k=k: re.sub(r"@", f"+{k}@", str(e)) if isinstance(e, str) else e
            )
            for column in items:
                values = part[column].tolist()
                for i in range(len(values)):
                    if rng.random() < REDRAW:
                        values[i] = values[rng.randrange(len(values))]
                part[column] = values
        copies.append(part)
    out = pd.concat(copies, ignore_index=True)
    if "Svar-ID" in out.columns:
        out["Svar-ID"] = range(1, len(out) + 1)
    return out


def _units(scale: int) -> list[str]:
    return ["all", *(f"u{k}" for k in range(1, scale))]


def _indicators(frame: pd.DataFrame, scale: int) -> pd.DataFrame:
    if "unit" not in frame.columns:
        frame = frame.assign(unit="all")
    copies = []
    for unit in _units(scale):
        part = frame.copy()
        part.loc[part["unit"] == "all", "unit"] = unit
        if unit != "all":
            part = part[~part["unit"].str.startswith("hosp_")]
        copies.append(part)
    return pd.concat(copies, ignore_index=True)


def _codings(frame: pd.DataFrame, scale: int) -> pd.DataFrame:
    copies = [frame] + [
        frame.assign(**{"Document name": frame["Document name"] + f" {k}"}) for k in range(1, scale)
    ]
    return pd.concat(copies, ignore_index=True)


def _project_yaml(source: Path, target: Path, scale: int) -> None:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for entry in [*data.get("indicators", []), *data.get("outcomes", [])]:
        if "units" not in entry:
            entry["units"] = _units(scale)
    for wave in data.get("waves", []):
        if wave.get("invited"):
            wave["invited"] = wave["invited"] * scale
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def write_scaled_project(target: Path, *, scale: int = 10, seed: int = 20261202) -> Path:
    """Write the example project, ``scale`` times larger, to ``target`` (replaced if it exists)."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(
        EXAMPLE, target, ignore=shutil.ignore_patterns("generate*.py", ".impleval", "output")
    )
    _project_yaml(EXAMPLE / "project.yaml", target / "project.yaml", scale)
    inbox = target / "inbox"
    for name in SURVEYS:
        _write(_survey(_read(inbox / name), scale, rng), inbox / name, ";")
    for path in sorted(inbox.glob("indicators_*.csv")):
        _write(_indicators(_read(path), scale), path, ",")
    codings = inbox / "codings_interviews.csv"
    _write(_codings(_read(codings), scale), codings, ";")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    project = write_scaled_project(args.target, scale=args.scale, seed=args.seed)
    for path in sorted((project / "inbox").iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
