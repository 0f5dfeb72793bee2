"""Generate the synthetic NoMAD survey exports of the discharge-planning example.

Synthetic data, no real persons: every name, e-mail address and answer written here is made up by
this script from a fixed seed. Organisation, unit and staff-group labels come from
``project.yaml``, the items and answer labels from ``instruments/nomad/instrument.yaml``, so
labels live in one place.

Run from the repository root::

    .venv/bin/python examples/discharge-planning/generate.py            # writes inbox/
    .venv/bin/python examples/discharge-planning/generate.py --out DIR --seed 7

Files (the same bytes on every run with the same seed):

* ``nomad_T0.xlsx`` -- one sheet "Svar", 203 respondents at training before the pilot.
* ``nomad_T1.csv`` -- semicolon-separated, UTF-8 with BOM, CRLF line endings, 151 respondents
  after a year in operation (152 rows: one person submitted twice); 110 of them also answered at
  T0.

The model
---------
Staff. :data:`STAFF` fixes, per organisation and staff group, how many answered at T0, how many of
those answered again at T1 ("stayers", same e-mail address) and how many new staff answered at T1.
The mix follows the organisation type (:data:`STAFF_MIX`): hospitals -- nurses, physicians, unit
managers, occupational therapists, physiotherapists (each with a ward); health centres -- district
nurses, physicians, unit managers; social services -- care-needs assessors, unit managers; home
health care -- nurses, district nurses, occupational therapists, physiotherapists, unit managers.
Physiotherapists are kept few (6 at T0, 4 at T1) so that the small-cell rule has something to
suppress.

Answers. Each person has a latent general normalisation ``u ~ N(0, 1)``; a stayer's T1 value is
``0.8 u + 0.6 z`` (T0 and T1 correlated), new T1 staff draw ``u ~ N(-0.2, 1)`` (not at the
training). Construct level for person i, construct k, wave w::

    theta_ik = mean_kw + group_k + 0.6 * (0.8 u_i + 0.6 v_ik),   v_ik ~ N(0, 1)

with ``mean_kw`` from :data:`CONSTRUCT_MEAN` (T0: coherence and cognitive participation about 3.8,
collective action about 3.0 -- training and IT support lacking --, reflexive monitoring about 2.8;
at T1 every construct higher, most for collective action) and ``group_k`` from
:data:`GROUP_EFFECT` (physicians a little lower). An item answer is
``theta_ik + offset_j + e_ij``, ``e_ij ~ N(0, sd_k)``, rounded and clipped to 1..5; the item
offsets (:data:`ITEM_OFFSET`) tell a small story (little training (CA5), few resources (CA6),
little known about follow-up (RM1)). CA2 is negatively worded: its *reversed* value is generated
like the others and the exported answer is ``6 - value``, so people who are positive tend to
disagree with CA2. The noise levels give Cronbach's alpha of about .7-.85 per construct after
reversing CA2. The general items G1-G3 (0-10) are ``round(mean_gw + 1.6 (0.8 u + group) + e)``,
``e ~ N(0, 1.5)``, clipped to 0..10, higher at T1.

Not relevant, missing, spelling. Per cell, "not relevant" (option B) with a base rate of 1-3 % per
item (to my role / at this stage / to the intervention, 40/30/30), plus care-needs assessors
answering "not relevant to my role" on CA4 and CA5 a third of the time, and "not relevant at this
stage" on the RM items 4 % of the time at T0 (1 % at T1). Then 1-2.5 % empty cells per item, and a
few respondents (3 at T0, 2 at T1) who stop after the CP items (CA and RM empty). Answers use the
Swedish label of response set ``agree_5``; about 2.5 % use one of its ``accept`` spellings and 1 %
differ in letter case, as real exports do. Staff groups and organisations use their ``accept``
spellings now and then (e.g. "Sjukgymnast"); e-mail addresses of stayers differ in case or carry a
trailing space at T1 about 12 % of the time (3 % otherwise).

Times. T0: every organisation held two training sessions; three in four answered on the afternoon
of their session, the rest within the next two weeks. T1: answers follow the invitation and two
reminders (after 14 and 28 days). All timestamps lie inside the wave's opens-closes window in
``project.yaml``. Rows are in order of submission; ``Svar-ID`` is the tool's running number with
gaps (responses that were started and never submitted).

Deliberate data problems (exactly two, see README.md): in T1 one respondent submitted twice (same
e-mail address, two rows, different timestamps, a few answers changed); in T0 one cell carries the
label typo "Instämer helt", which matches no answer label.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import numpy as np
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
try:
    from instruments.spec import InstrumentSpec, load_instrument
    from project.config import Organisation, Project, load_project
except ModuleNotFoundError:  # a checkout without the package installed: use the repository root
    sys.path.insert(0, str(HERE.parents[1]))
    from instruments.spec import InstrumentSpec, load_instrument
    from project.config import Organisation, Project, load_project

SEED = 2019
INSTRUMENT = "nomad"
#: Workbook properties and zip member dates, so that the xlsx has the same bytes on every run.
FIXED_TIME = dt.datetime(2019, 6, 30, 12, 0, 0)
TYPO = "Instämer helt"  # the one deliberate label typo in T0 (for "Instämmer helt")

COLUMNS_BEFORE_ITEMS = ("Svar-ID", "Inskickad", "E-post", "Organisation", "Enhet", "Yrkesgrupp")

STAFF_MIX: dict[str, tuple[str, ...]] = {
    "hospital": (
        "nurse",
        "physician",
        "unit_manager",
        "occupational_therapist",
        "physiotherapist",
    ),
    "primary_care": ("district_nurse", "physician", "unit_manager"),
    "social_services": ("care_needs_assessor", "unit_manager"),
    "home_health_care": (
        "nurse",
        "district_nurse",
        "occupational_therapist",
        "physiotherapist",
        "unit_manager",
    ),
}

#: (answered at T0, of those answered again at T1, new staff answering at T1)
STAFF: dict[str, dict[str, tuple[int, int, int]]] = {
    "hosp_alvstad": {
        "nurse": (44, 24, 8),
        "physician": (14, 5, 3),
        "unit_manager": (3, 3, 0),
        "occupational_therapist": (4, 2, 1),
        "physiotherapist": (3, 2, 0),
    },
    "hosp_fjallby": {
        "nurse": (28, 14, 5),
        "physician": (8, 3, 2),
        "unit_manager": (2, 2, 0),
        "occupational_therapist": (3, 2, 0),
        "physiotherapist": (1, 0, 1),
    },
    "hc_norrmalm": {"district_nurse": (7, 4, 1), "physician": (4, 2, 1), "unit_manager": (1, 1, 0)},
    "hc_strand": {"district_nurse": (6, 3, 2), "physician": (3, 1, 1), "unit_manager": (1, 1, 0)},
    "hc_bjorkdal": {"district_nurse": (5, 3, 1), "physician": (3, 1, 0), "unit_manager": (1, 1, 0)},
    "hc_asen": {"district_nurse": (5, 3, 1), "physician": (2, 1, 1), "unit_manager": (1, 0, 1)},
    "soc_alvstad": {"care_needs_assessor": (12, 6, 3), "unit_manager": (2, 2, 0)},
    "soc_fjallby": {"care_needs_assessor": (7, 4, 2), "unit_manager": (1, 1, 0)},
    "hhc_alvstad": {
        "nurse": (9, 5, 2),
        "district_nurse": (3, 2, 1),
        "occupational_therapist": (4, 3, 0),
        "physiotherapist": (1, 1, 0),
        "unit_manager": (2, 1, 1),
    },
    "hhc_fjallby": {
        "nurse": (6, 3, 2),
        "district_nurse": (2, 1, 0),
        "occupational_therapist": (3, 2, 1),
        "physiotherapist": (1, 0, 0),
        "unit_manager": (1, 1, 0),
    },
}

#: E-mail domains (fictional, ``.example``); each municipality has one domain for all its staff.
DOMAINS: dict[str, str] = {
    "hosp_alvstad": "alvstads-sjukhus.example",
    "hosp_fjallby": "fjallby-sjukhus.example",
    "hc_norrmalm": "hc-norrmalm.example",
    "hc_strand": "hc-strand.example",
    "hc_bjorkdal": "hc-bjorkdal.example",
    "hc_asen": "hc-asen.example",
    "soc_alvstad": "alvstad.example",
    "hhc_alvstad": "alvstad.example",
    "soc_fjallby": "fjallby.example",
    "hhc_fjallby": "fjallby.example",
}

FIRST_NAMES = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Kristina", "Lena", "Emma", "Kerstin", "Ingrid",
    "Marie", "Malin", "Jenny", "Hanna", "Linda", "Annika", "Susanne", "Elin", "Monica", "Johanna",
    "Sofia", "Camilla", "Åsa", "Ulrika", "Helena", "Therese", "Petra", "Frida", "Lisa", "Ida",
    "Birgitta", "Margareta", "Elisabeth", "Cecilia", "Anneli", "Jessica", "Matilda", "Anna-Karin",
    "Lars", "Mikael", "Anders", "Johan", "Per", "Erik", "Karl", "Peter", "Thomas", "Jan",
    "Daniel", "Fredrik", "Hans", "Andreas", "Stefan", "Mats", "Magnus", "Jonas", "Björn", "Niklas",
    "Ola", "Göran", "Henrik", "Oskar", "Patrik", "Jörgen",
)  # fmt: skip
SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist",
    "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg",
    "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman",
    "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist",
    "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson",
    "Nordström", "Mårtensson", "Lundström", "Viklund", "Björklund", "Eliasson", "Pålsson",
    "Berggren", "Sandström", "Lund", "Nordin", "Ström", "Åberg", "Hermansson", "Ekström",
    "Holmgren", "Sundberg", "Hedlund", "Dahlberg", "Hellström", "Sjögren", "Abrahamsson",
    "Falk", "Öberg", "Andreasson", "Blom", "Ek", "Månsson", "Strand", "Backman", "Nordqvist",
)  # fmt: skip

CONSTRUCT_MEAN: dict[str, dict[str, float]] = {
    "T0": {
        "coherence": 3.85,
        "cognitive_participation": 3.95,
        "collective_action": 3.05,
        "reflexive_monitoring": 2.85,
    },
    "T1": {
        "coherence": 4.15,
        "cognitive_participation": 4.25,
        "collective_action": 3.55,
        "reflexive_monitoring": 3.2,
    },
}
#: Item offsets from the construct level (the reversed value for CA2).
ITEM_OFFSET: dict[str, float] = {
    "co1": 0.1, "co2": -0.2, "co3": 0.0, "co4": 0.1,
    "cp1": -0.1, "cp2": 0.0, "cp3": 0.2, "cp4": -0.1,
    "ca1": 0.0, "ca2": 0.1, "ca3": 0.2, "ca4": 0.2, "ca5": -0.4, "ca6": -0.3, "ca7": 0.2,
    "rm1": -0.4, "rm2": 0.0, "rm3": 0.1, "rm4": 0.3, "rm5": 0.0,
}  # fmt: skip
#: Item noise (sd) per construct; sets how consistent the items of a construct are.
ITEM_NOISE: dict[str, float] = {
    "coherence": 0.55,
    "cognitive_participation": 0.55,
    "collective_action": 0.7,
    "reflexive_monitoring": 0.7,
}
PERSON_SD = 0.6  # sd of a person's construct level around the construct mean
GENERAL_SHARE = 0.8  # loading of the construct level on the general latent u
STAYER_CORRELATION = 0.8  # correlation of u between T0 and T1 for the same person
NEW_STAFF_SHIFT = -0.2  # new staff at T1 were not at the training
GROUP_EFFECT: dict[str, float] = {"physician": -0.3, "unit_manager": 0.15}
G_MEAN: dict[str, dict[str, float]] = {
    "T0": {"g1": 5.5, "g2": 2.5, "g3": 6.5},
    "T1": {"g1": 8.0, "g2": 6.5, "g3": 7.8},
}

NOT_RELEVANT_BASE = (0.01, 0.03)  # per item, drawn once per wave
NOT_RELEVANT_WEIGHTS = {
    "not_relevant_role": 0.4,
    "not_relevant_stage": 0.3,
    "not_relevant_intervention": 0.3,
}
#: (staff group, item) -> probability of "not relevant to my role"
ROLE_NOT_RELEVANT: dict[tuple[str, str], float] = {
    ("care_needs_assessor", "ca4"): 0.33,
    ("care_needs_assessor", "ca5"): 0.33,
}
STAGE_NOT_RELEVANT_RM = {"T0": 0.04, "T1": 0.01}  # "not relevant at this stage" on RM items
MISSING_RATE = (0.01, 0.025)  # per item, drawn once per wave
BREAKOFFS = {"T0": 3, "T1": 2}  # respondents who stop after the CP items
ACCEPT_SPELLING_RATE = 0.025
CASE_VARIANT_RATE = 0.01
GROUP_ACCEPT_RATE = {"physiotherapist": 0.35, "unit_manager": 0.15, "nurse": 0.1}
ORGANISATION_ACCEPT_RATE = 0.05
EMAIL_VARIANT_RATE = {"stayer": 0.12, "other": 0.03}


@dataclass
class Person:
    email: str
    organisation: str
    unit: str | None
    group: str
    latent: dict[str, float] = field(default_factory=dict)  # wave id -> u


@dataclass
class Response:
    person: Person
    submitted: dt.datetime
    email: str
    organisation_label: str
    unit_label: str | None
    group_label: str
    values: dict[str, int | str | None]  # item id -> 0-10, answer label or None
    response_id: int = 0


# -- helpers --------------------------------------------------------------------------------------
def ascii_fold(text: str) -> str:
    """``"Åsa Sjöberg"`` -> ``"Asa Sjoberg"``."""
    return (
        "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


def _swedish(spellings: Sequence[str]) -> list[str]:
    """Accepted spellings a Swedish questionnaire's export could carry (not the English ones)."""
    return [s for s in spellings if not s.lower().startswith(("not ", "neither "))]


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = (end - start).days + 1
    return [d for d in (start + dt.timedelta(i) for i in range(days)) if d.weekday() < 5]


def _check_inputs(project: Project, spec: InstrumentSpec) -> None:
    orgs = {o.id: o for o in project.organisations}
    groups = {g.id for g in project.staff_groups}
    for org_id, mix in STAFF.items():
        org = orgs[org_id]
        allowed = STAFF_MIX[str(org.type)]
        for group in mix:
            if group not in groups or group not in allowed:
                raise ValueError(f"STAFF: {org_id}/{group} does not fit the project or org type")
    wave_ids = [w.id for w in project.waves if w.instrument == INSTRUMENT]
    if wave_ids != ["T0", "T1"]:
        raise ValueError(f"expected waves T0 and T1 of {INSTRUMENT}; found {wave_ids}")
    agree = [i.id for i in spec.items if i.response_set == "agree_5"]
    if sorted(agree) != sorted(ITEM_OFFSET):
        raise ValueError("ITEM_OFFSET does not match the instrument's agree_5 items")


# -- people ---------------------------------------------------------------------------------------
def _new_person(
    rng: np.random.Generator, org: Organisation, group: str, unit: str | None, used: set[str]
) -> Person:
    domain = DOMAINS.get(org.id, f"{org.id.replace('_', '-')}.example")
    while True:
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = SURNAMES[rng.integers(len(SURNAMES))]
        email = f"{ascii_fold(first)}.{ascii_fold(last)}@{domain}".lower()
        if email not in used:
            used.add(email)
            return Person(email=email, organisation=org.id, unit=unit, group=group)


def _units(rng: np.random.Generator, org: Organisation, group: str, n: int) -> list[str | None]:
    if not org.units:
        return [None] * n
    ids = [u.id for u in org.units]
    if group == "unit_manager":  # one manager per ward
        return [ids[i % len(ids)] for i in range(n)]
    return [ids[i] for i in rng.choice(len(ids), size=n)]


def build_people(rng: np.random.Generator, project: Project) -> tuple[list[Person], list[Person]]:
    """The respondents of T0 and T1 (stayers are the same :class:`Person` objects in both)."""
    orgs = {o.id: o for o in project.organisations}
    used: set[str] = set()
    t0: list[Person] = []
    t1: list[Person] = []
    for org_id, mix in STAFF.items():
        org = orgs[org_id]
        for group, (n0, n_stay, n_new) in mix.items():
            people = [_new_person(rng, org, group, u, used) for u in _units(rng, org, group, n0)]
            for p in people:
                p.latent["T0"] = float(rng.normal())
            t0.extend(people)
            stay = sorted(rng.choice(n0, size=n_stay, replace=False).tolist())
            for i in stay:
                p = people[i]
                p.latent["T1"] = float(
                    STAYER_CORRELATION * p.latent["T0"]
                    + np.sqrt(1 - STAYER_CORRELATION**2) * rng.normal()
                )
                t1.append(p)
            for u in _units(rng, org, group, n_new):
                p = _new_person(rng, org, group, u, used)
                p.latent["T1"] = float(NEW_STAFF_SHIFT + rng.normal())
                t1.append(p)
    return t0, t1


# -- answers --------------------------------------------------------------------------------------
class _Labels:
    """Answer labels of the instrument, with the spellings exports use now and then."""

    def __init__(self, spec: InstrumentSpec) -> None:
        agree = spec.response_sets["agree_5"]
        self.answer = {o.code: o.labels.sv for o in agree.options}
        self.answer_accept = {o.code: _swedish(o.accept) for o in agree.options}
        self.not_relevant = {n.key: n.labels.sv for n in agree.not_applicable}
        self.not_relevant_accept = {n.key: _swedish(n.accept) for n in agree.not_applicable}

    @staticmethod
    def _vary(rng: np.random.Generator, label: str, accept: list[str]) -> str:
        r = rng.random()
        if r < ACCEPT_SPELLING_RATE and accept:
            return accept[rng.integers(len(accept))]
        if r < ACCEPT_SPELLING_RATE + CASE_VARIANT_RATE:
            return label.lower() if rng.random() < 0.7 else label.upper()
        return label

    def for_code(self, rng: np.random.Generator, code: int) -> str:
        return self._vary(rng, self.answer[code], self.answer_accept[code])

    def for_not_relevant(self, rng: np.random.Generator, key: str) -> str:
        return self._vary(rng, self.not_relevant[key], self.not_relevant_accept[key])


def answer_wave(
    rng: np.random.Generator,
    people: list[Person],
    wave: str,
    spec: InstrumentSpec,
    labels: _Labels,
) -> list[dict[str, int | str | None]]:
    """One dict of exported values (item id -> value) per person, in the order of ``people``."""
    g_items = [i for i in spec.items if i.response_set == "scale_0_10"]
    agree_items = [i for i in spec.items if i.response_set == "agree_5"]
    constructs = list(dict.fromkeys(str(i.npt_construct) for i in agree_items))
    na_base = {i.id: rng.uniform(*NOT_RELEVANT_BASE) for i in agree_items}
    missing = {i.id: rng.uniform(*MISSING_RATE) for i in spec.items}
    na_keys = list(NOT_RELEVANT_WEIGHTS)
    na_p = np.array(list(NOT_RELEVANT_WEIGHTS.values()))
    out: list[dict[str, int | str | None]] = []
    for person in people:
        u = person.latent[wave]
        shift = GROUP_EFFECT.get(person.group, 0.0)
        values: dict[str, int | str | None] = {}
        for item in g_items:
            g = G_MEAN[wave][item.id] + 1.6 * (GENERAL_SHARE * u + shift) + rng.normal(0, 1.5)
            values[item.id] = int(np.clip(np.floor(g + 0.5), 0, 10))
        theta = {
            k: CONSTRUCT_MEAN[wave][k]
            + shift
            + PERSON_SD * (GENERAL_SHARE * u + np.sqrt(1 - GENERAL_SHARE**2) * rng.normal())
            for k in constructs
        }
        for item in agree_items:
            k = str(item.npt_construct)
            y = theta[k] + ITEM_OFFSET[item.id] + rng.normal(0, ITEM_NOISE[k])
            code = int(np.clip(np.floor(y + 0.5), 1, 5))
            if item.reverse:
                code = 6 - code
            key: str | None = None
            if rng.random() < ROLE_NOT_RELEVANT.get((person.group, item.id), 0.0):
                key = "not_relevant_role"
            elif k == "reflexive_monitoring" and rng.random() < STAGE_NOT_RELEVANT_RM[wave]:
                key = "not_relevant_stage"
            elif rng.random() < na_base[item.id]:
                key = na_keys[rng.choice(len(na_keys), p=na_p)]
            values[item.id] = (
                labels.for_not_relevant(rng, key) if key else labels.for_code(rng, code)
            )
        for item in spec.items:
            if rng.random() < missing[item.id]:
                values[item.id] = None
        out.append(values)
    return out


def _break_off(
    rng: np.random.Generator,
    answers: list[dict[str, int | str | None]],
    n: int,
    spec: InstrumentSpec,
) -> None:
    later = [
        i.id for i in spec.items if i.npt_construct in ("collective_action", "reflexive_monitoring")
    ]
    for row in rng.choice(len(answers), size=n, replace=False).tolist():
        for item_id in later:
            answers[row][item_id] = None


# -- times ----------------------------------------------------------------------------------------
def _time_t0(rng: np.random.Generator, sessions: list[dt.date], closes: dt.date) -> dt.datetime:
    day = sessions[rng.integers(len(sessions))]
    if rng.random() < 0.75:  # during the afternoon of the training
        minutes = 13 * 60 + int(rng.integers(0, 3 * 60 + 30))
    else:  # later, at work or at home
        later = _weekdays(day + dt.timedelta(1), min(day + dt.timedelta(14), closes))
        day = later[rng.integers(len(later))] if later else day
        minutes = 7 * 60 + 30 + int(rng.integers(0, 13 * 60))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(
        minutes=minutes, seconds=int(rng.integers(60))
    )


def _time_t1(rng: np.random.Generator, opens: dt.date, closes: dt.date) -> dt.datetime:
    start = opens + dt.timedelta(int(rng.choice([0, 14, 28], p=[0.45, 0.3, 0.25])))
    day = start + dt.timedelta(int(rng.exponential(3.0)))
    if day.weekday() >= 5 and rng.random() < 0.7:
        day += dt.timedelta(7 - day.weekday())
    day = min(day, closes)
    if rng.random() < 0.85:  # working hours
        minutes = 7 * 60 + 15 + int(rng.integers(0, 9 * 60 + 30))
    else:  # in the evening
        minutes = 18 * 60 + int(rng.integers(0, 4 * 60))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(
        minutes=minutes, seconds=int(rng.integers(60))
    )


# -- assembling rows ------------------------------------------------------------------------------
def _vary_email(rng: np.random.Generator, email: str, rate: float) -> str:
    if rng.random() >= rate:
        return email
    local, domain = email.split("@")
    kind = rng.integers(3)
    if kind == 0:  # "Anna.Lindqvist@alvstad.example"
        return (
            "-".join(".".join(p.capitalize() for p in part.split(".")) for part in local.split("-"))
            + f"@{domain}"
        )
    if kind == 1:
        return email + " "
    return local.capitalize() + f"@{domain} "


def _responses(
    rng: np.random.Generator,
    project: Project,
    people: list[Person],
    answers: list[dict[str, int | str | None]],
    wave: str,
    stayers: set[int],
) -> list[Response]:
    orgs = {o.id: o for o in project.organisations}
    groups = {g.id: g for g in project.staff_groups}
    w = project.wave(INSTRUMENT, wave)
    sessions: dict[str, list[dt.date]] = {}
    if wave == "T0":
        days = _weekdays(w.opens, w.closes - dt.timedelta(21))
        for org_id in STAFF:
            picks = sorted(rng.choice(len(days), size=2, replace=False).tolist())
            sessions[org_id] = [days[i] for i in picks]
    out = []
    for person, values in zip(people, answers, strict=True):
        org = orgs[person.organisation]
        group = groups[person.group]
        if wave == "T0":
            when = _time_t0(rng, sessions[org.id], w.closes)
        else:
            when = _time_t1(rng, w.opens, w.closes)
        org_label = org.labels.sv
        if org.accept and rng.random() < ORGANISATION_ACCEPT_RATE:
            org_label = org.accept[rng.integers(len(org.accept))]
        group_label = group.labels.sv
        if person.group == "nurse" and not org.units:
            pass  # "Sjuksköterska (avdelning)" is a hospital ward spelling
        elif group.accept and rng.random() < GROUP_ACCEPT_RATE.get(group.id, 0.0):
            group_label = group.accept[rng.integers(len(group.accept))]
        unit_label = None
        if person.unit:
            unit_label = next(u.labels.sv for u in org.units if u.id == person.unit)
        stayer = wave == "T1" and id(person) in stayers
        rate = EMAIL_VARIANT_RATE["stayer" if stayer else "other"]
        out.append(
            Response(
                person=person,
                submitted=when,
                email=_vary_email(rng, person.email, rate),
                organisation_label=org_label,
                unit_label=unit_label,
                group_label=group_label,
                values=values,
            )
        )
    return out


def _number(rng: np.random.Generator, responses: list[Response]) -> list[Response]:
    responses = sorted(responses, key=lambda r: r.submitted)
    number = 1
    for r in responses:
        r.response_id = number
        number += 1 + int(rng.random() < 0.12) + int(rng.random() < 0.03)
    return responses


def build_waves(seed: int = SEED, *, project_dir: Path = HERE) -> dict[str, list[Response]]:
    """All responses of T0 and T1 (rows in export order), with the two deliberate data problems."""
    project = load_project(project_dir)
    spec = load_instrument(INSTRUMENT, project_dir=project_dir)
    _check_inputs(project, spec)
    labels = _Labels(spec)
    rng = np.random.default_rng(seed)
    t0_people, t1_people = build_people(rng, project)
    stayers = {id(p) for p in t1_people if "T0" in p.latent}

    answers0 = answer_wave(rng, t0_people, "T0", spec, labels)
    answers1 = answer_wave(rng, t1_people, "T1", spec, labels)
    _break_off(rng, answers0, BREAKOFFS["T0"], spec)
    _break_off(rng, answers1, BREAKOFFS["T1"], spec)

    # Problem 1: one label typo in T0.
    strongly_agree = labels.answer[5]
    cells = [
        (row, item)
        for row, values in enumerate(answers0)
        for item, v in values.items()
        if v == strongly_agree
    ]
    row, item = cells[rng.integers(len(cells))]
    answers0[row][item] = TYPO

    t0 = _number(rng, _responses(rng, project, t0_people, answers0, "T0", stayers))
    t1 = _responses(rng, project, t1_people, answers1, "T1", stayers)

    # Problem 2: one T1 respondent (a stayer who answered everything) submitted twice.
    complete = [
        i
        for i, r in enumerate(t1)
        if id(r.person) in stayers and all(v is not None for v in r.values.values())
    ]
    first = t1[complete[rng.integers(len(complete))]]
    w1 = project.wave(INSTRUMENT, "T1")
    second_time = first.submitted + dt.timedelta(days=2, hours=3, minutes=17)
    if second_time.date() > w1.closes:
        second_time = first.submitted - dt.timedelta(days=2, hours=3, minutes=17)
    second_values = dict(first.values)
    changed = [i.id for i in spec.items if i.response_set == "agree_5"]
    for item_id in rng.choice(changed, size=3, replace=False).tolist():
        code = int(rng.integers(2, 6))
        second_values[item_id] = labels.answer[code]
    t1.append(
        Response(
            person=first.person,
            submitted=second_time,
            email=first.email,
            organisation_label=first.organisation_label,
            unit_label=first.unit_label,
            group_label=first.group_label,
            values=second_values,
        )
    )
    return {"T0": t0, "T1": _number(rng, t1)}


# -- writing --------------------------------------------------------------------------------------
def header(spec: InstrumentSpec) -> list[str]:
    """The export's column names, in order."""
    return [*COLUMNS_BEFORE_ITEMS, *(i.source_code for i in spec.items)]


def _row(r: Response, spec: InstrumentSpec) -> list[object]:
    return [
        r.response_id,
        r.submitted,
        r.email,
        r.organisation_label,
        r.unit_label,
        r.group_label,
        *(r.values[i.id] for i in spec.items),
    ]


class _FixedDateZip(ZipFile):
    """A zip whose members all carry one date: the archive's bytes do not depend on the clock."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo = ZipInfo(zinfo_or_arcname, date_time=FIXED_TIME.timetuple()[:6])
            zinfo.compress_type = self.compression
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        # openpyxl streams each worksheet to a temporary file and adds it with write(), which would
        # take the temporary file's modification time.
        data = Path(filename).read_bytes()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)


def write_xlsx(responses: list[Response], spec: InstrumentSpec, path: Path) -> None:
    """An xlsx export with one sheet "Svar"; ``Inskickad`` as a datetime cell."""
    rows = [_row(r, spec) for r in responses]
    write_table_xlsx(header(spec), rows, path, title="NoMAD T0 – syntetiskt exempel")


def write_table_xlsx(
    columns: list[str], rows: list[list[object]], path: Path, *, title: str
) -> None:
    """A one-sheet ("Svar") xlsx whose bytes do not depend on the clock; column 2 is a datetime."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(columns)
    for row in rows:
        ws.append(row)
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.number_format = "yyyy-mm-dd hh:mm"
    wb.properties.creator = "Enkätverktyget (syntetiskt exempel)"
    wb.properties.title = title
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with _FixedDateZip(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook(): it stamps "modified" with now
    path.write_bytes(buffer.getvalue())


def write_csv(responses: list[Response], spec: InstrumentSpec, path: Path) -> None:
    """A semicolon-separated export, UTF-8 with BOM, CRLF, timestamps as ``YYYY-MM-DD HH:MM``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(spec))
    for r in responses:
        row = _row(r, spec)
        row[1] = r.submitted.strftime("%Y-%m-%d %H:%M")
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def generate(out_dir: Path | None = None, *, seed: int = SEED) -> dict[str, Path]:
    """Write ``nomad_T0.xlsx`` and ``nomad_T1.csv`` into ``out_dir`` (default: ``inbox/``)."""
    out_dir = Path(out_dir) if out_dir is not None else HERE / "inbox"
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = load_instrument(INSTRUMENT, project_dir=HERE)
    waves = build_waves(seed)
    paths = {"T0": out_dir / "nomad_T0.xlsx", "T1": out_dir / "nomad_T1.csv"}
    write_xlsx(waves["T0"], spec, paths["T0"])
    write_csv(waves["T1"], spec, paths["T1"])
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument(
        "--out", type=Path, default=HERE / "inbox", help="output folder (default: the inbox/)"
    )
    args = parser.parse_args(argv)
    for wave, path in generate(args.out, seed=args.seed).items():
        print(f"{wave}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
