"""Write the example's indicator files (SYNTHETIC: generated numbers, no real data or persons).

    .venv/bin/python examples/discharge-planning/generate_indicators.py [--out DIR] [--seed N]

The numbers are made up so that the published aggregates of a real regional discharge-planning
project come out approximately (``shared/DOMAIN.md``): days ready for discharge about 1,700 a month
in 2016–2017 and about 700 after the roll-out in February 2018, with a mean stay of about 11.7 days
(Mar 2018–Feb 2019), about 72 % below the year before; participation 49–50 % (2017) → 80 % (2018);
SIPs written 472, 432, 1,625; named care contact by age group; weekend discharges 1,280 of 8,695;
admission messages at the example's two fictional hospitals (200 records, 240 days of delay, 168 on
time). Files (the same bytes on every run with the same seed):

- ``inbox/indicators_discharge.csv`` — monthly days ready for discharge and patients ready for
  discharge (2016-01 – 2019-02) and weekend discharges (2018-02 – 2019-01);
- ``inbox/indicators_planning.csv`` — yearly participation, SIPs written, named care contact by age
  group; the funder's activity indicators (digital services, organisations supported);
- ``inbox/indicators_admission_messages.csv`` — the cross-sectional review in April 2019 per hospital;
- ``inbox/indicators_outcomes.csv`` — participant outcomes of a fictional sister programme
  ("Vägen vidare", a pre-rehabilitation programme run with the social insurance agency): counts of
  persons per category by year of exit, in total and by sex, age group and programme track,
  calibrated to the participant flow of ``shared/seeds/004`` (98 started: 58 to further
  rehabilitation, 26 to work, 1 to studies, 5 to other support, 8 other; 80 of 98 took a step
  towards work: 27 work or studies, 24 enhanced cooperation, 10 work practice, 19 stable
  attendance). The persons behind the counts are drawn here and never written.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 379  # chosen so that the published aggregates come out closely
HEADER = ["indicator", "unit", "period", "value", "denominator", "age_group"]
OUTCOME_SEED = 4004
OUTCOME_HEADER = ["indicator", "category", "period", "value", "sex", "age_group", "programme"]
DESTINATIONS = {"rehabilitation": 58, "work": 26, "studies": 1, "other_support": 5, "other": 8}
STEPS = ["work_or_studies", "enhanced_cooperation", "work_practice", "stable_attendance",
         "no_step"]  # fmt: skip
SUBGROUPS = {
    "sex": ["kvinna", "man"],
    "age_group": ["16-29", "30-49", "50-64"],
    "programme": ["grund", "unga"],
}


def _months(start: tuple[int, int], n: int) -> list[str]:
    y, m = start
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


def discharge_rows(rng: np.random.Generator) -> list[list[object]]:
    rows: list[list[object]] = []
    months = _months((2016, 1), 38)  # 2016-01 .. 2019-02
    for i, period in enumerate(months):
        month = int(period[5:])
        post = i >= 25  # 2018-02 on
        season = 1 + 0.08 * np.cos(2 * np.pi * (month - 1) / 12)  # more in winter
        mean_days = (700.0 - 2.0 * (i - 25) if post else 1700.0 + 1.5 * (i - 12)) * season
        patients = int(rng.poisson(59.7 if post else 40.1))
        days = round(rng.gamma(150.0, mean_days / 150.0))
        rows.append(["days_ready_for_discharge", "all", period, days, "", ""])
        rows.append(["stay_ready_for_discharge", "all", period, days, patients, ""])
    # weekend discharges Feb 2018 – Jan 2019: 1,280 of 8,695
    totals = rng.multinomial(8695, np.full(12, 1 / 12))
    weekend = rng.multivariate_hypergeometric(totals, 1280)
    for period, w, t in zip(_months((2018, 2), 12), weekend, totals, strict=True):
        rows.append(["weekend_discharges", "all", period, int(w), int(t), ""])
    return rows


def planning_rows() -> list[list[object]]:
    rows: list[list[object]] = [
        ["patient_participation", "all", "2017", 1480, 2990, ""],
        ["patient_participation", "all", "2018", 2420, 3020, ""],
        ["sips_written", "all", "2016", 472, "", ""],
        ["sips_written", "all", "2017", 432, "", ""],
        ["sips_written", "all", "2018", 1625, "", ""],
        ["digital_services", "all", "2019", 3, "", ""],
        ["organisations_supported", "all", "2019", 15, "", ""],
    ]
    # named care contact among patients with a SIP, by age group (numerator of denominator)
    for year, (n_young, n_old), (p_young, p_old) in (
        ("2016", (150, 322), (0.39, 0.52)),
        ("2017", (140, 292), (0.32, 0.40)),
        ("2018", (420, 1205), (0.76, 0.87)),
    ):
        rows.append(["named_care_contact", "all", year, round(n_young * p_young), n_young, "18-64"])
        rows.append(["named_care_contact", "all", year, round(n_old * p_old), n_old, "65+"])
    return rows


def admission_rows() -> list[list[object]]:
    # 200 records, 240 days of delay in all (mean 1.2), 168 sent on time (84 %)
    return [
        ["admission_message_delay", "hosp_alvstad", "2019-04", 1.45, 120, ""],
        ["admission_message_delay", "hosp_fjallby", "2019-04", 0.825, 80, ""],
        ["admission_messages_on_time", "hosp_alvstad", "2019-04", 96, 120, ""],
        ["admission_messages_on_time", "hosp_fjallby", "2019-04", 72, 80, ""],
    ]


def outcome_rows(rng: np.random.Generator) -> list[list[object]]:
    """Counts per outcome × year of exit × category × (everyone | one subgroup), zeros included."""
    destination = [d for d, n in DESTINATIONS.items() for _ in range(n)]
    # a step towards work: everyone to work or studies; of the 58 to further rehabilitation 24
    # were in enhanced cooperation, 10 in work practice, 19 attended steadily and 5 took no step
    step = ["work_or_studies" if d in ("work", "studies") else "no_step" for d in destination]
    rehab = [i for i, d in enumerate(destination) if d == "rehabilitation"]
    for i, s in zip(rehab, ["enhanced_cooperation"] * 24 + ["work_practice"] * 10
                    + ["stable_attendance"] * 19 + ["no_step"] * 5, strict=True):  # fmt: skip
        step[i] = s
    n = len(destination)
    young = rng.random(n) < 0.3
    persons = {
        "year": np.where(rng.random(n) < 0.42, "2017", "2018"),
        "sex": np.where(rng.random(n) < 0.62, "kvinna", "man"),
        "age_group": np.where(young, "16-29", np.where(rng.random(n) < 0.55, "30-49", "50-64")),
        "programme": np.where(young & (rng.random(n) < 0.8), "unga", "grund"),
    }
    rows: list[list[object]] = []
    for outcome, cats, values in (
        ("exit_destination", list(DESTINATIONS), destination),
        ("step_towards_work", STEPS, step),
    ):
        value = np.array(values)
        for year in ("2017", "2018"):
            in_year = persons["year"] == year
            for cat in cats:
                hit = in_year & (value == cat)
                rows.append([outcome, cat, year, int(hit.sum()), "", "", ""])
                for col, groups in SUBGROUPS.items():
                    for g in groups:
                        cells = ["", "", ""]
                        cells[list(SUBGROUPS).index(col)] = g
                        rows.append([outcome, cat, year, int((hit & (persons[col] == g)).sum()),
                                     *cells])  # fmt: skip
    return rows


def _write(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(out_dir: Path | None = None, *, seed: int = SEED) -> dict[str, Path]:
    """Write the four files into ``out_dir`` (default the example's ``inbox/``)."""
    out = Path(out_dir) if out_dir is not None else HERE / "inbox"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    files = {
        "discharge": (out / "indicators_discharge.csv", discharge_rows(rng)),
        "planning": (out / "indicators_planning.csv", planning_rows()),
        "admission_messages": (out / "indicators_admission_messages.csv", admission_rows()),
    }
    for path, rows in files.values():
        _write(path, rows)
    outcomes = out / "indicators_outcomes.csv"
    _write(outcomes, outcome_rows(np.random.default_rng(OUTCOME_SEED)), OUTCOME_HEADER)
    return {k: v[0] for k, v in files.items()} | {"outcomes": outcomes}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in generate(args.out, seed=args.seed).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
