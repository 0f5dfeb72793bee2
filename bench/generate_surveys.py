"""The survey exports of a benchmark project: NoMAD T0/T1 and P-CAT VT2018/HT2018 at N regions.

SYNTHETIC DATA, NO REAL PERSONS. The model is the example's (``examples/discharge-planning/
generate.py`` and ``generate_pcat.py``; the constants are imported from there), drawn with numpy in
whole arrays per region so that 100 regions are written in seconds. One region is the example's
size: NoMAD 203 answers at T0 and 152 rows at T1 (151 persons, one of them twice), P-CAT 109 in the
spring and 26 in the autumn. Per region, as in the example: "not relevant" answers, empty cells, a
few break-offs, other accepted spellings and letter case, one label typo at T0 and one double
submission at T1 (the deliberate bad rows, one of each per region).

Rows are written region by region (each region in order of submission), so memory stays small at
any scale; ``Svar-ID`` runs over the whole file with gaps, as a survey tool numbers responses.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "discharge-planning"


def load_example(name: str) -> ModuleType:
    """The example's generator module ``name``, under its own name (``generate_pcat`` imports
    ``generate``; ``bench/generate.py`` must not stand in for it)."""
    path = EXAMPLE / f"{name}.py"
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", "")) == path:
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


nomad_model = load_example("generate")  # the example's NoMAD generator: its model constants
pcat_model = load_example("generate_pcat")
NOT_RELEVANT_KEYS = list(nomad_model.NOT_RELEVANT_WEIGHTS)
NOT_RELEVANT_P = np.array(list(nomad_model.NOT_RELEVANT_WEIGHTS.values()))


@dataclass(frozen=True)
class Region:
    """Region 1 is the example itself; region r > 1 a copy with its own ids, labels and domains."""

    number: int

    @property
    def id_suffix(self) -> str:
        return "" if self.number == 1 else f"_r{self.number}"

    @property
    def label_suffix(self) -> str:
        return "" if self.number == 1 else f" (region {self.number})"

    def domain(self, base: str) -> str:
        return base if self.number == 1 else f"r{self.number}.{base}"


@dataclass(frozen=True)
class Catalogue:
    """The labels the exports use: from the example's project.yaml and the instrument specs."""

    project: dict
    nomad: dict
    pcat: dict

    @classmethod
    def load(cls) -> Catalogue:
        def read(path: Path) -> dict:
            return yaml.safe_load(path.read_text(encoding="utf-8"))

        return cls(
            project=read(EXAMPLE / "project.yaml"),
            nomad=read(REPO / "instruments" / "nomad" / "instrument.yaml"),
            pcat=read(REPO / "instruments" / "pcat" / "instrument.yaml"),
        )

    def organisation(self, org_id: str) -> dict:
        return next(o for o in self.project["organisations"] if o["id"] == org_id)

    def group(self, group_id: str) -> dict:
        return next(g for g in self.project["staff_groups"] if g["id"] == group_id)

    def wave(self, wave_id: str) -> dict:
        return next(w for w in self.project["waves"] if w["id"] == wave_id)


def _swedish(spellings: list[str]) -> list[str]:
    return [s for s in spellings if not s.lower().startswith(("not ", "neither "))]


class AgreeLabels:
    """Answer labels of an ``agree_5`` set with the spellings exports use now and then."""

    def __init__(self, spec: dict) -> None:
        agree = spec["response_sets"]["agree_5"]
        self.answer = {o["code"]: o["labels"]["sv"] for o in agree["options"]}
        self.answer_accept = {o["code"]: _swedish(o.get("accept", [])) for o in agree["options"]}
        self.na = {n["key"]: n["labels"]["sv"] for n in agree.get("not_applicable", [])}
        self.na_accept = {
            n["key"]: _swedish(n.get("accept", [])) for n in agree.get("not_applicable", [])
        }

    def vary(self, rng: np.random.Generator, label: str, accept: list[str], r: float) -> str:
        if r < nomad_model.ACCEPT_SPELLING_RATE and accept:
            return accept[int(rng.integers(len(accept)))]
        if r < nomad_model.ACCEPT_SPELLING_RATE + nomad_model.CASE_VARIANT_RATE:
            return label.lower() if rng.random() < 0.7 else label.upper()
        return label


def _email(rng: np.random.Generator, domain: str, used: set[str], suffix: str = "") -> str:
    """``fornamn.efternamn@domain`` (ASCII-folded, lower case); a number is added when taken."""
    first = nomad_model.FIRST_NAMES[int(rng.integers(len(nomad_model.FIRST_NAMES)))]
    last = nomad_model.SURNAMES[int(rng.integers(len(nomad_model.SURNAMES)))]
    local = f"{nomad_model.ascii_fold(first)}.{nomad_model.ascii_fold(last)}{suffix}".lower()
    email, k = f"{local}@{domain}", 1
    while email in used:
        k += 1
        email = f"{local}{k}@{domain}"
    used.add(email)
    return email


def _vary_email(rng: np.random.Generator, email: str, rate: float) -> str:
    if rng.random() >= rate:
        return email
    local, domain = email.split("@")
    kind = int(rng.integers(3))
    if kind == 0:
        return ".".join(p.capitalize() for p in local.split(".")) + f"@{domain}"
    return email + " " if kind == 1 else local.capitalize() + f"@{domain} "


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


# -- NoMAD --------------------------------------------------------------------------------------
@dataclass
class Staff:
    """The respondents of one wave (parallel lists), with their latent normalisation ``u``."""

    org: list[str]
    unit: list[str | None]
    group: list[str]
    email: list[str]
    u: np.ndarray
    stayer: np.ndarray


def nomad_staff(rng: np.random.Generator, region: Region, cat: Catalogue) -> tuple[Staff, Staff]:
    """T0 and T1 respondents of one region (``nomad_model.STAFF`` per organisation and group)."""
    used: set[str] = set()
    t0: dict[str, list] = {"org": [], "unit": [], "group": [], "email": []}
    t1: dict[str, list] = {"org": [], "unit": [], "group": [], "email": []}
    u0: list[float] = []
    u1: list[float] = []
    stay1: list[bool] = []
    for org_id, mix in nomad_model.STAFF.items():
        org = cat.organisation(org_id)
        units = [u["id"] for u in org.get("units", [])]
        domain = region.domain(nomad_model.DOMAINS[org_id])
        for group, (n0, n_stay, n_new) in mix.items():

            def draw_units(n: int, group: str = group, units: list[str] = units) -> list:
                if not units:
                    return [None] * n
                if group == "unit_manager":
                    return [units[i % len(units)] for i in range(n)]
                return [units[i] for i in rng.choice(len(units), size=n)]

            latent = rng.normal(size=n0)
            emails = [_email(rng, domain, used) for _ in range(n0)]
            people = list(zip(draw_units(n0), emails, strict=True))
            for (unit, email), u in zip(people, latent, strict=True):
                _add(t0, org_id, unit, group, email)
                u0.append(float(u))
            for i in sorted(rng.choice(n0, size=n_stay, replace=False).tolist()):
                _add(t1, org_id, people[i][0], group, people[i][1])
                r = nomad_model.STAYER_CORRELATION
                u1.append(float(r * latent[i] + np.sqrt(1 - r**2) * rng.normal()))
                stay1.append(True)
            for unit in draw_units(n_new):
                _add(t1, org_id, unit, group, _email(rng, domain, used))
                u1.append(float(nomad_model.NEW_STAFF_SHIFT + rng.normal()))
                stay1.append(False)
    return (
        Staff(**t0, u=np.array(u0), stayer=np.zeros(len(u0), dtype=bool)),
        Staff(**t1, u=np.array(u1), stayer=np.array(stay1)),
    )


def _add(lists: dict[str, list], org: str, unit: str | None, group: str, email: str) -> None:
    for key, value in (("org", org), ("unit", unit), ("group", group), ("email", email)):
        lists[key].append(value)


def nomad_answers(
    rng: np.random.Generator, staff: Staff, wave: str, cat: Catalogue, labels: AgreeLabels
) -> list[list[object]]:
    """One list of exported item values per person (items in the instrument's order)."""
    m = nomad_model
    items = cat.nomad["items"]
    g_items = [i for i in items if i["response_set"] == "scale_0_10"]
    agree = [i for i in items if i["response_set"] == "agree_5"]
    constructs = list(dict.fromkeys(i["npt_construct"] for i in agree))
    n = len(staff.group)
    shift = np.array([m.GROUP_EFFECT.get(g, 0.0) for g in staff.group])
    general = m.GENERAL_SHARE * staff.u
    g_mean = np.array([m.G_MEAN[wave][i["id"]] for i in g_items])
    g = g_mean + 1.6 * (general + shift)[:, None] + rng.normal(0, 1.5, size=(n, len(g_items)))
    g_codes = np.clip(np.floor(g + 0.5), 0, 10).astype(int)
    mean = np.array([m.CONSTRUCT_MEAN[wave][k] for k in constructs])
    unique = np.sqrt(1 - m.GENERAL_SHARE**2) * rng.normal(size=(n, len(constructs)))
    theta = mean + shift[:, None] + m.PERSON_SD * (general[:, None] + unique)
    k_of = np.array([constructs.index(i["npt_construct"]) for i in agree])
    offset = np.array([m.ITEM_OFFSET[i["id"]] for i in agree])
    noise = np.array([m.ITEM_NOISE[i["npt_construct"]] for i in agree])
    y = theta[:, k_of] + offset + rng.normal(size=(n, len(agree))) * noise
    codes = np.clip(np.floor(y + 0.5), 1, 5).astype(int)
    reverse = np.array([bool(i.get("reverse")) for i in agree])
    codes[:, reverse] = 6 - codes[:, reverse]
    na = _not_relevant(rng, staff, wave, agree)
    missing = rng.random((n, len(items))) < rng.uniform(*m.MISSING_RATE, size=len(items))
    spelling = rng.random((n, len(agree)))
    rows: list[list[object]] = []
    for p in range(n):
        row: list[object] = [int(v) for v in g_codes[p]]
        for j in range(len(agree)):
            if na[p, j]:
                key = NOT_RELEVANT_KEYS[na[p, j] - 1]
                row.append(labels.vary(rng, labels.na[key], labels.na_accept[key], spelling[p, j]))
            else:
                code = int(codes[p, j])
                row.append(
                    labels.vary(
                        rng, labels.answer[code], labels.answer_accept[code], spelling[p, j]
                    )
                )
        rows.append([None if missing[p, j] else v for j, v in enumerate(row)])
    return rows


def _not_relevant(
    rng: np.random.Generator, staff: Staff, wave: str, agree: list[dict]
) -> np.ndarray:
    """0 = answered; 1, 2, 3 = not relevant to my role / at this stage / to the intervention."""
    m = nomad_model
    n = len(staff.group)
    role_p = np.array(
        [[m.ROLE_NOT_RELEVANT.get((grp, i["id"]), 0.0) for i in agree] for grp in staff.group]
    ).reshape(n, len(agree))
    rm = np.array([i["npt_construct"] == "reflexive_monitoring" for i in agree])
    base = rng.uniform(*m.NOT_RELEVANT_BASE, size=len(agree))
    role = rng.random((n, len(agree))) < role_p
    stage = rm & (rng.random((n, len(agree))) < m.STAGE_NOT_RELEVANT_RM[wave])
    other = rng.random((n, len(agree))) < base
    kind = rng.choice(len(NOT_RELEVANT_KEYS), size=(n, len(agree)), p=NOT_RELEVANT_P) + 1
    return np.where(role, 1, np.where(stage, 2, np.where(other, kind, 0)))


def _break_off(rng: np.random.Generator, rows: list[list[object]], n: int, cat: Catalogue) -> None:
    later = [
        j
        for j, i in enumerate(cat.nomad["items"])
        if i.get("npt_construct") in ("collective_action", "reflexive_monitoring")
    ]
    for r in rng.choice(len(rows), size=n, replace=False).tolist():
        for j in later:
            rows[r][j] = None


def _submitted(rng: np.random.Generator, staff: Staff, wave: dict, t0: bool) -> list[dt.datetime]:
    opens, closes = wave["opens"], wave["closes"]
    if t0:  # every organisation held two trainings; most answered that afternoon
        days = _weekdays(opens, closes - dt.timedelta(21))
        sessions = {
            o: [days[i] for i in sorted(rng.choice(len(days), 2, replace=False).tolist())]
            for o in dict.fromkeys(staff.org)
        }
    out = []
    for org in staff.org:
        if t0:
            day = sessions[org][int(rng.integers(2))]
            minutes = 13 * 60 + int(rng.integers(0, 210))
            if rng.random() >= 0.75:
                later = _weekdays(day + dt.timedelta(1), min(day + dt.timedelta(14), closes))
                day = later[int(rng.integers(len(later)))] if later else day
                minutes = 7 * 60 + 30 + int(rng.integers(0, 13 * 60))
        else:  # after the invitation or one of two reminders
            start = opens + dt.timedelta(int(rng.choice([0, 14, 28], p=[0.45, 0.3, 0.25])))
            day = start + dt.timedelta(int(rng.exponential(3.0)))
            if day.weekday() >= 5 and rng.random() < 0.7:
                day += dt.timedelta(7 - day.weekday())
            day = min(day, closes)
            minutes = 7 * 60 + 15 + int(rng.integers(0, 570))
            if rng.random() >= 0.85:
                minutes = 18 * 60 + int(rng.integers(0, 240))
        out.append(
            dt.datetime.combine(day, dt.time())
            + dt.timedelta(minutes=minutes, seconds=int(rng.integers(60)))
        )
    return out


def _key_cells(
    rng: np.random.Generator, staff: Staff, region: Region, cat: Catalogue, stayer_rate: bool
) -> list[list[object]]:
    """Per person: e-mail, organisation, ward and staff group as the export spells them."""
    m = nomad_model
    out = []
    for p, (org_id, unit, group) in enumerate(zip(staff.org, staff.unit, staff.group, strict=True)):
        org = cat.organisation(org_id)
        org_label = org["labels"]["sv"]
        if org.get("accept") and rng.random() < m.ORGANISATION_ACCEPT_RATE:
            org_label = org["accept"][int(rng.integers(len(org["accept"])))]
        grp = cat.group(group)
        group_label = grp["labels"]["sv"]
        hospital_spelling = group == "nurse" and not org.get("units")
        if (
            not hospital_spelling
            and grp.get("accept")
            and rng.random() < m.GROUP_ACCEPT_RATE.get(group, 0.0)
        ):
            group_label = grp["accept"][int(rng.integers(len(grp["accept"])))]
        unit_label = None
        if unit:
            unit_label = next(u["labels"]["sv"] for u in org["units"] if u["id"] == unit)
            unit_label += region.label_suffix
        rate = m.EMAIL_VARIANT_RATE["stayer" if stayer_rate and staff.stayer[p] else "other"]
        email = _vary_email(rng, staff.email[p], rate)
        out.append([email, org_label + region.label_suffix, unit_label, group_label])
    return out


def nomad_region(
    rng: np.random.Generator, region: Region, cat: Catalogue, labels: AgreeLabels
) -> dict[str, list[list[object]]]:
    """The rows of both waves for one region, each ``[increment, submitted, e-mail, …, items]``."""
    staff0, staff1 = nomad_staff(rng, region, cat)
    answers0 = nomad_answers(rng, staff0, "T0", cat, labels)
    answers1 = nomad_answers(rng, staff1, "T1", cat, labels)
    _break_off(rng, answers0, nomad_model.BREAKOFFS["T0"], cat)
    _break_off(rng, answers1, nomad_model.BREAKOFFS["T1"], cat)
    first_agree = len([i for i in cat.nomad["items"] if i["response_set"] == "scale_0_10"])
    cells = [
        (r, j) for r, row in enumerate(answers0) for j, v in enumerate(row) if v == labels.answer[5]
    ]
    r, j = cells[int(rng.integers(len(cells)))]
    answers0[r][j] = nomad_model.TYPO  # bad row 1: a label typo
    rows = {}
    for wave, staff, answers in (("T0", staff0, answers0), ("T1", staff1, answers1)):
        when = _submitted(rng, staff, cat.wave(wave), wave == "T0")
        keys = _key_cells(rng, staff, region, cat, wave == "T1")
        rows[wave] = [[when[p], *keys[p], *answers[p]] for p in range(len(answers))]
    complete = [p for p, row in enumerate(rows["T1"]) if staff1.stayer[p] and None not in row[5:]]
    twice = list(rows["T1"][complete[int(rng.integers(len(complete)))]])
    w1 = cat.wave("T1")
    later = twice[0] + dt.timedelta(days=2, hours=3, minutes=17)
    twice[0] = (
        later
        if later.date() <= w1["closes"]
        else twice[0] - dt.timedelta(days=2, hours=3, minutes=17)
    )
    n_agree = len(cat.nomad["items"]) - first_agree
    for j in rng.choice(n_agree, size=3, replace=False).tolist():
        twice[5 + first_agree + j] = labels.answer[int(rng.integers(2, 6))]
    rows["T1"].append(twice)  # bad row 2: the same person submitted twice
    return {wave: _numbered(rng, part) for wave, part in rows.items()}


def _numbered(rng: np.random.Generator, rows: list[list[object]]) -> list[list[object]]:
    """Rows in order of submission, each led by the step to its ``Svar-ID`` (gaps: abandoned)."""
    rows = sorted(rows, key=lambda r: r[0])  # type: ignore[arg-type, return-value]
    steps = 1 + (rng.random(len(rows)) < 0.12) + (rng.random(len(rows)) < 0.03)
    return [[int(s), *row] for s, row in zip(steps, rows, strict=True)]


# -- P-CAT --------------------------------------------------------------------------------------
def pcat_region(
    rng: np.random.Generator, region: Region, cat: Catalogue
) -> dict[str, list[list[object]]]:
    """Spring (labels) and autumn (codes 1-5) rows of one region, as in ``generate_pcat.py``."""
    m = pcat_model
    labels = {o["code"]: o["labels"]["sv"] for o in cat.pcat["response_sets"]["agree_5"]["options"]}
    k = len(cat.pcat["items"])
    offsets = rng.normal(0, 0.35, size=k)
    groups = list(m.GROUP_MIX)
    weights = np.array(list(m.GROUP_MIX.values()))
    used: set[str] = set()
    domain = region.domain("alvstad.example")

    def people(org: str, n: int) -> list[tuple[str, str, str, float]]:
        chosen = rng.choice(len(groups), size=n, p=weights / weights.sum())
        levels = m.UNITS[org][1] + rng.normal(0, 0.45, size=n)
        return [
            (_email(rng, domain, used, f".{org[3:6]}"), org, groups[g], float(lv))
            for g, lv in zip(chosen, levels, strict=True)
        ]

    spring = [p for org, (n, _) in m.UNITS.items() for p in people(org, n)]
    spring = [spring[i] for i in rng.permutation(len(spring))]
    stayers = [p for p in spring if p[1] == m.AUTUMN_UNIT][: m.AUTUMN_STAYERS]
    autumn = [(*p[:3], p[3] + m.AUTUMN_GAIN + rng.normal(0, 0.25)) for p in stayers]
    autumn += [(*p[:3], p[3] + m.AUTUMN_GAIN) for p in people(m.AUTUMN_UNIT, m.AUTUMN_NEW)]
    rows: dict[str, list[list[object]]] = {}
    for wave_id, persons, as_label in (("VT2018", spring, True), ("HT2018", autumn, False)):
        wave = cat.wave(wave_id)
        days = (wave["closes"] - wave["opens"]).days + 1
        level = np.array([p[3] for p in persons])
        raw = level[:, None] + offsets + rng.normal(0, 0.7, size=(len(persons), k))
        codes = np.clip(np.rint(raw), 1, 5).astype(int)
        empty = rng.random((len(persons), k)) < m.MISSING_RATE
        stamps = sorted(
            dt.datetime.combine(wave["opens"], dt.time(7, 30))
            + dt.timedelta(days=int(d), minutes=int(mi))
            for d, mi in zip(
                rng.integers(days, size=len(persons)),
                rng.integers(0, 540, size=len(persons)),
                strict=True,
            )
        )
        part = []
        for p, (person, stamp) in enumerate(zip(persons, stamps, strict=True)):
            org_label = cat.organisation(person[1])["labels"]["sv"] + region.label_suffix
            cells = [
                None if empty[p, j] else (labels[c] if as_label else int(c))
                for j, c in enumerate(codes[p])
            ]
            part.append(
                [1, stamp, person[0], org_label, cat.group(person[2])["labels"]["sv"], *cells]
            )
        rows[wave_id] = part
    return rows
