"""The synthetic example's survey exports: reproducible, and shaped as the example's README says."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook

from instruments.spec import InstrumentSpec, load_instrument
from project.config import Project, load_project
from project.labels import normalise_label

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "discharge-planning"
INBOX = EXAMPLE / "inbox"
TYPO = "Instämer helt"
EXPECTED_COLUMNS = [
    "Svar-ID", "Inskickad", "E-post", "Organisation", "Enhet", "Yrkesgrupp", "G1", "G2", "G3",
    "CO1", "CO2", "CO3", "CO4", "CP1", "CP2", "CP3", "CP4",
    "CA1", "CA2", "CA3", "CA4", "CA5", "CA6", "CA7", "RM1", "RM2", "RM3", "RM4", "RM5",
]  # fmt: skip
# Swedish personal identity numbers: YYMMDD-NNNN, YYMMDD+NNNN, YYYYMMDD-NNNN, YYYYMMDDNNNN.
PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")

Rows = list[dict[str, object]]


def _load_generator() -> ModuleType:
    """Import ``generate.py`` (its folder name has a hyphen, so not as a package)."""
    name = "discharge_planning_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(EXAMPLE)


@pytest.fixture(scope="module")
def instrument() -> InstrumentSpec:
    return load_instrument("nomad", project_dir=EXAMPLE)


@pytest.fixture(scope="module")
def t0() -> tuple[list[str], Rows]:
    wb = load_workbook(INBOX / "nomad_T0.xlsx")
    assert wb.sheetnames == ["Svar"]
    rows = list(wb["Svar"].iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def t1_bytes() -> bytes:
    return (INBOX / "nomad_T1.csv").read_bytes()


@pytest.fixture(scope="module")
def t1(t1_bytes: bytes) -> tuple[list[str], Rows]:
    text = t1_bytes.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header = rows[0]
    return header, [
        {k: (None if v == "" else v) for k, v in zip(header, r, strict=True)} for r in rows[1:]
    ]


def _email(value: object) -> str:
    return str(value).strip().casefold()


def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    generator = _load_generator()
    paths = generator.generate(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nomad_T0.xlsx", "nomad_T1.csv"]
    for path in paths.values():
        assert path.read_bytes() == (INBOX / path.name).read_bytes(), path.name


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    generator = _load_generator()
    generator.main(["--seed", "7", "--out", str(tmp_path)])
    assert (tmp_path / "nomad_T1.csv").read_bytes() != (INBOX / "nomad_T1.csv").read_bytes()


def test_columns_and_row_counts(
    t0: tuple[list[str], Rows], t1: tuple[list[str], Rows], instrument: InstrumentSpec
) -> None:
    assert EXPECTED_COLUMNS[6:] == [i.source_code for i in instrument.items]
    assert t0[0] == EXPECTED_COLUMNS
    assert t1[0] == EXPECTED_COLUMNS
    assert 195 <= len(t0[1]) <= 210
    assert 145 <= len(t1[1]) <= 160


def test_csv_is_semicolon_utf8_bom_crlf(t1_bytes: bytes) -> None:
    assert t1_bytes.startswith(b"\xef\xbb\xbf")
    assert t1_bytes.endswith(b"\r\n")
    assert t1_bytes.count(b"\n") == t1_bytes.count(b"\r\n")
    first = t1_bytes.decode("utf-8-sig").split("\r\n", 1)[0]
    assert first.split(";") == EXPECTED_COLUMNS


def test_answer_labels_are_valid_not_relevant_empty_or_the_one_typo(
    t0: tuple[list[str], Rows], t1: tuple[list[str], Rows], instrument: InstrumentSpec
) -> None:
    agree = instrument.response_sets["agree_5"]
    scored = {normalise_label(s) for o in agree.options for s in (o.labels.sv, *o.accept)}
    not_relevant = {
        normalise_label(s) for n in agree.not_applicable for s in (n.labels.sv, *n.accept)
    }
    assert normalise_label(TYPO) not in scored | not_relevant
    assert normalise_label(TYPO, fold_diacritics=True) not in {
        normalise_label(s, fold_diacritics=True) for s in scored | not_relevant
    }
    items = [i.source_code for i in instrument.items if i.response_set == "agree_5"]
    typos = {}
    for wave, (_, rows) in (("T0", t0), ("T1", t1)):
        seen = Counter()
        for n, row in enumerate(rows):
            for item in items:
                value = row[item]
                if value is None:
                    seen["empty"] += 1
                elif normalise_label(str(value)) in scored:
                    seen["scored"] += 1
                elif normalise_label(str(value)) in not_relevant:
                    seen["not_relevant"] += 1
                else:
                    assert value == TYPO, f"{wave} row {n + 2} {item}: {value!r}"
                    typos.setdefault(wave, []).append((n, item))
        cells = len(rows) * len(items)
        assert 0.01 < seen["empty"] / cells < 0.06
        assert 0.01 < seen["not_relevant"] / cells < 0.08
    assert list(typos) == ["T0"] and len(typos["T0"]) == 1


def test_general_items_are_integers_0_to_10(
    t0: tuple[list[str], Rows], t1: tuple[list[str], Rows]
) -> None:
    for _, rows in (t0, t1):
        for row in rows:
            for item in ("G1", "G2", "G3"):
                value = row[item]
                if value is not None:
                    assert isinstance(value, int) or re.fullmatch(r"\d{1,2}", str(value))
                    assert 0 <= int(str(value)) <= 10


def test_one_duplicate_submission_in_t1_and_none_in_t0(
    t0: tuple[list[str], Rows], t1: tuple[list[str], Rows]
) -> None:
    assert max(Counter(_email(r["E-post"]) for r in t0[1]).values()) == 1
    counts = Counter(_email(r["E-post"]) for r in t1[1])
    twice = [e for e, c in counts.items() if c > 1]
    assert len(twice) == 1 and counts[twice[0]] == 2
    rows = [r for r in t1[1] if _email(r["E-post"]) == twice[0]]
    assert rows[0]["Inskickad"] != rows[1]["Inskickad"]


def test_t0_t1_overlap_and_e_mail_spellings(
    t0: tuple[list[str], Rows], t1: tuple[list[str], Rows]
) -> None:
    e0 = {_email(r["E-post"]) for r in t0[1]}
    e1 = {_email(r["E-post"]) for r in t1[1]}
    assert 105 <= len(e0 & e1) <= 115
    raw = [str(r["E-post"]) for r in t1[1]]
    assert any(e != e.strip() for e in raw), "some T1 address carries a trailing space"
    assert any(e.strip() != e.strip().lower() for e in raw), "some T1 address has capitals"
    for e in e0 | e1:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)?\.[a-z]+@[a-z-]+\.example", e), e


def test_timestamps_inside_wave_windows(
    t0: tuple[list[str], Rows], t1: tuple[list[str], Rows], project: Project
) -> None:
    for wave, (_, rows) in (("T0", t0), ("T1", t1)):
        w = project.wave("nomad", wave)
        times = []
        for row in rows:
            value = row["Inskickad"]
            if wave == "T0":
                assert isinstance(value, dt.datetime)
                when = value
            else:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", str(value))
                when = dt.datetime.strptime(str(value), "%Y-%m-%d %H:%M")
            assert w.opens <= when.date() <= w.closes
            times.append(when)
        ids = [int(str(r["Svar-ID"])) for r in rows]
        assert ids == sorted(set(ids)), "running numbers increase with the rows"
        assert times == sorted(times), "rows are in order of submission"


def test_organisations_units_and_staff_groups(
    t0: tuple[list[str], Rows], t1: tuple[list[str], Rows], project: Project
) -> None:
    orgs = {o.id: o for o in project.organisations}
    physiotherapists = {}
    for wave, (_, rows) in (("T0", t0), ("T1", t1)):
        groups = Counter()
        for row in rows:
            org = orgs[project.organisation_lookup[normalise_label(str(row["Organisation"]))]]
            if org.type == "hospital":
                unit = project.unit_lookup[normalise_label(str(row["Enhet"]))]
                assert unit[0] == org.id
            else:
                assert row["Enhet"] is None
            groups[project.staff_group_lookup[normalise_label(str(row["Yrkesgrupp"]))]] += 1
        physiotherapists[wave] = groups["physiotherapist"]
    # a small group, so that the small-cell rule has something to suppress
    assert 0 < physiotherapists["T1"] < project.privacy.min_cell_size
    assert physiotherapists["T0"] <= 8


def test_no_personnummer_shaped_strings(t0: tuple[list[str], Rows], t1_bytes: bytes) -> None:
    texts = {
        "nomad_T1.csv": t1_bytes.decode("utf-8-sig"),
        "nomad_T0.xlsx": "\n".join(
            ";".join("" if v is None else str(v) for k, v in r.items() if k != "Inskickad")
            for r in t0[1]
        ),
    }
    for path in [EXAMPLE / "README.md", *sorted((EXAMPLE / "narrative").glob("*.md"))]:
        texts[path.name] = path.read_text(encoding="utf-8")
    assert len(texts) >= 3 + 10
    for name, text in texts.items():
        assert not PERSONNUMMER.search(text), name
