"""Seeded synthetic export for the worked example in docs/instruments.md (no real persons).

Run from the repository root: .venv/bin/python tests/data/instruments/make_teamklimat.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "teamklimat_T1.csv"
LABELS = {1: "Aldrig", 2: "Sällan", 3: "Ofta", 4: "Alltid"}


def main(seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(84):
        climate = rng.normal(2.8, 0.55)
        learning = 0.6 * climate + rng.normal(1.1, 0.45)
        cells = []
        for k in range(6):
            level = learning if k >= 4 else climate
            value = int(np.clip(np.rint(level + rng.normal(0, 0.6)), 1, 4))
            if k == 3:  # TK4 is negatively worded
                value = 5 - value
            roll = rng.random()
            if roll < 0.03:
                cells.append("")
            elif roll < 0.06:
                cells.append("Vet inte")
            elif value == 2 and rng.random() < 0.1:
                cells.append("Någon gång")
            else:
                cells.append(LABELS[value] if rng.random() > 0.05 else LABELS[value].upper())
        day = 2 + int(rng.integers(0, 19))
        rows.append([f"person{i:02d}@team.example", f"2026-03-{day:02d} 10:{i % 60:02d}", *cells])
    with open(OUT, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(["E-post", "Inskickad", "TK1", "TK2", "TK3", "TK4", "TK5", "TK6"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
