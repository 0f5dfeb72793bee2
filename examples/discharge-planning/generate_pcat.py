"""Seeded generator of the example project's P-CAT exports (synthetic: no real persons).

Modelled on the Nära vård evaluation in the seeds: P-CAT measured in home care and two care homes
in the spring, and followed up in the autumn in one care home only.

- ``inbox/pcat_VT2018.xlsx`` — spring 2018, Swedish answer labels: home care (about 50), Björkgården
  (about 30) and Solgläntan (about 25).
- ``inbox/pcat_HT2018.csv`` — autumn 2018, Björkgården only (about 25, most of them the same staff),
  answers exported as numeric codes 1–5 (1 = instämmer inte alls), semicolon-separated UTF-8.

Model: each unit has a level of person-centred care (home care lowest); a person's latent level is
the unit's plus noise; each answer is the latent plus an item offset plus noise, rounded to 1–5.
Björkgården improves by about 0.3 points per item between spring and autumn. About 2 % of cells are
left empty. No item is reverse-keyed here (the built-in P-CAT spec reverses none; see its README).

Run from the repository root: ``.venv/bin/python examples/discharge-planning/generate_pcat.py``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

from generate import FIRST_NAMES, SURNAMES, ascii_fold, write_table_xlsx  # noqa: E402

from instruments.spec import load_instrument  # noqa: E402
from project.config import load_project  # noqa: E402

SEED = 2018
UNITS = {  # organisation id → (spring staff, level of person-centred care on the 1–5 item scale)
    "hc_home_alvstad": (52, 3.35),
    "ch_bjorkgarden": (31, 3.55),
    "ch_solglantan": (26, 3.8),
}
GROUP_MIX = {  # staff group → share (unit managers are few: the small-cell rule has work to do)
    "assistant_nurse": 0.55,
    "care_aide": 0.3,
    "nurse": 0.1,
    "unit_manager": 0.05,
}
AUTUMN_UNIT = "ch_bjorkgarden"
AUTUMN_STAYERS = 22
AUTUMN_NEW = 4
AUTUMN_GAIN = 0.3
MISSING_RATE = 0.02
COLUMNS = ["Svar-ID", "Inskickad", "E-post", "Organisation", "Yrkesgrupp"]


def _people(rng: np.random.Generator, org: str, n: int, used: set[str]) -> list[dict]:
    domain = "alvstad.example"
    groups = list(GROUP_MIX)
    weights = np.array(list(GROUP_MIX.values()))
    people = []
    while len(people) < n:
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = SURNAMES[rng.integers(len(SURNAMES))]
        email = f"{ascii_fold(first)}.{ascii_fold(last)}.{org[3:6]}@{domain}".lower()
        if email in used:
            continue
        used.add(email)
        group = groups[rng.choice(len(groups), p=weights / weights.sum())]
        people.append(
            {
                "email": email,
                "org": org,
                "group": group,
                "level": UNITS[org][1] + rng.normal(0, 0.45),
            }
        )
    return people


def _answers(rng: np.random.Generator, level: float, offsets: np.ndarray) -> list[int | None]:
    raw = level + offsets + rng.normal(0, 0.7, size=offsets.size)
    codes = np.clip(np.rint(raw), 1, 5).astype(int)
    return [None if rng.random() < MISSING_RATE else int(c) for c in codes]


def _times(rng: np.random.Generator, opens: dt.date, closes: dt.date, n: int) -> list[dt.datetime]:
    days = (closes - opens).days + 1
    stamps = [
        dt.datetime.combine(opens, dt.time(7, 30))
        + dt.timedelta(days=int(rng.integers(days)), minutes=int(rng.integers(0, 9 * 60)))
        for _ in range(n)
    ]
    return sorted(stamps)


def build(seed: int = SEED) -> dict[str, list[list[object]]]:
    """The rows of both exports (before formatting), keyed by wave id."""
    rng = np.random.default_rng(seed)
    project = load_project(HERE)
    spec = load_instrument("pcat", project_dir=HERE)
    labels = {o.code: o.labels.sv for o in spec.response_sets["agree_5"].options}
    org_label = {o.id: o.labels.sv for o in project.organisations}
    group_label = {g.id: g.labels.sv for g in project.staff_groups}
    offsets = rng.normal(0, 0.35, size=len(spec.items))
    used: set[str] = set()
    spring_people = [p for org, (n, _) in UNITS.items() for p in _people(rng, org, n, used)]
    rng.shuffle(spring_people)
    stayers = [p for p in spring_people if p["org"] == AUTUMN_UNIT][:AUTUMN_STAYERS]
    autumn_people = [
        {**p, "level": p["level"] + AUTUMN_GAIN + rng.normal(0, 0.25)} for p in stayers
    ] + [
        {**p, "level": p["level"] + AUTUMN_GAIN}
        for p in _people(rng, AUTUMN_UNIT, AUTUMN_NEW, used)
    ]
    rows: dict[str, list[list[object]]] = {}
    for wave_id, people, as_label in (
        ("VT2018", spring_people, True),
        ("HT2018", autumn_people, False),
    ):
        wave = project.wave("pcat", wave_id)
        stamps = _times(rng, wave.opens, wave.closes, len(people))
        wave_rows = []
        for number, (person, stamp) in enumerate(zip(people, stamps, strict=True), start=1):
            answers = _answers(rng, person["level"], offsets)
            cells = [None if a is None else (labels[a] if as_label else a) for a in answers]
            wave_rows.append(
                [
                    number,
                    stamp,
                    person["email"],
                    org_label[person["org"]],
                    group_label[person["group"]],
                    *cells,
                ]
            )
        rows[wave_id] = wave_rows
    return rows


def generate(out_dir: Path | None = None, *, seed: int = SEED) -> dict[str, Path]:
    """Write ``pcat_VT2018.xlsx`` and ``pcat_HT2018.csv`` into ``out_dir`` (default ``inbox/``)."""
    out_dir = Path(out_dir) if out_dir is not None else HERE / "inbox"
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = load_instrument("pcat", project_dir=HERE)
    columns = COLUMNS + [item.source_code for item in spec.items]
    rows = build(seed)
    spring = out_dir / "pcat_VT2018.xlsx"
    write_table_xlsx(columns, rows["VT2018"], spring, title="P-CAT VT2018 – syntetiskt exempel")
    autumn = out_dir / "pcat_HT2018.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows["HT2018"]:
        row = [row[0], row[1].strftime("%Y-%m-%d %H:%M"), *row[2:]]
        writer.writerow(["" if v is None else v for v in row])
    autumn.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return {"VT2018": spring, "HT2018": autumn}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    for wave, path in generate(args.out, seed=args.seed).items():
        print(f"{wave}: {path}")


if __name__ == "__main__":
    main()
