"""Write the example's T1 roster and a partial T1 export (synthetic: no real persons).

``inbox/roster_T1.csv`` lists the 241 persons invited to T1 (project.yaml's ``invited``): the 151
who answered in ``inbox/nomad_T1.csv`` (their address as the export has it, trimmed and in lower
case, with their organisation, unit and staff group) and 90 who did not, made up here from a fixed
seed with addresses on the same fictional ``.example`` domains. About one in ten reads English.

``exports/nomad_T1_partial.csv`` is the T1 export as it stood on the morning of the first reminder
(answers submitted before 2019-02-11): the interim export the reminder scenario of docs/waves.md
ingests before ``impleval invite T1 --reminder 1``.

Run: ``python examples/discharge-planning/generate_roster.py`` (rewrites both files).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2019
INVITED = 241
PARTIAL_BEFORE = "2019-02-11"
FIRST = (
    "Alva",
    "Björn",
    "Cecilia",
    "David",
    "Elin",
    "Fredrik",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Klara",
    "Linus",
    "Maja",
    "Nils",
    "Olivia",
    "Petter",
    "Rut",
    "Sixten",
    "Tove",
    "Ville",
)
LAST = (
    "Ahlgren",
    "Bergqvist",
    "Dahlin",
    "Ekholm",
    "Forsberg",
    "Granlund",
    "Hedlund",
    "Isaksson",
    "Jansson",
    "Kvist",
    "Lundin",
    "Mattsson",
    "Nordin",
    "Öberg",
    "Palm",
    "Rydberg",
    "Sjöberg",
)
HEADER = ["E-post", "Organisation", "Enhet", "Yrkesgrupp", "Språk"]


def _fold(text: str) -> str:
    return text.translate(str.maketrans("åäöÅÄÖé", "aaoAAOe")).lower()


def _read_export(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return rows[0], rows[1:]


def build_roster(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    rng = random.Random(SEED)
    col = {name: header.index(name) for name in ("E-post", "Organisation", "Enhet", "Yrkesgrupp")}
    people: dict[str, list[str]] = {}
    for row in rows:
        address = row[col["E-post"]].strip().lower()
        people.setdefault(
            address,
            [address, row[col["Organisation"]], row[col["Enhet"]], row[col["Yrkesgrupp"]], ""],
        )
    responders = list(people.values())
    while len(people) < INVITED:
        model = rng.choice(responders)  # same organisation, unit and group mix as the answers
        domain = model[0].split("@")[1]
        address = (
            f"{_fold(rng.choice(FIRST))}.{_fold(rng.choice(LAST))}{rng.randint(1, 99)}@{domain}"
        )
        if address not in people:
            people[address] = [address, model[1], model[2], model[3], ""]
    roster = sorted(people.values(), key=lambda p: (p[1], p[2], p[3], p[0]))
    for person in roster:
        person[4] = "en" if rng.random() < 0.1 else "sv"
    return roster


def _write(path: Path, header: list[str], rows: list[list[str]], *, bom: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8", newline="")


def generate(project_dir: Path = HERE) -> dict[str, Path]:
    header, rows = _read_export(project_dir / "inbox" / "nomad_T1.csv")
    roster = project_dir / "inbox" / "roster_T1.csv"
    partial = project_dir / "exports" / "nomad_T1_partial.csv"
    _write(roster, HEADER, build_roster(header, rows), bom=False)
    submitted = header.index("Inskickad")
    early = [r for r in rows if r[submitted] < PARTIAL_BEFORE]
    _write(partial, header, early, bom=True)
    return {"roster": roster, "partial": partial}


if __name__ == "__main__":
    for what, path in generate().items():
        print(f"{what}: {path.relative_to(HERE)}")
