"""Dataset releases of the example project: ``impleval release 1.0 --profile deposit`` writes
the folder, its verify passes, and what the issue's "Done when" asks is checked on the files
with independent readers (pyreadstat, frictionless, xmlschema, pypdf, pandas).

One ingested copy of the example is shared by the module (ingest is the slow part); Prefect is
never started (the release command does not use it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import xmlschema
from frictionless import validate
from pypdf import PdfReader

from flows import cli
from flows.ingest import ingest_inbox
from ingest.read import read_table
from privacy.redact import luhn_valid, read_roster
from project.config import load_project
from project.layout import ProjectPaths
from releases.build import make_release
from releases.ddi import SUBSET_XSD
from releases.reads import store_pseudonyms
from tests.conftest import EXAMPLE

DATE = dt.date(2026, 1, 5)
BIN = Path(sys.executable).parent
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PNR = re.compile(r"(?<![\w.])(\d{2})?(\d{6})[-+]?(\d{4})(?![\w.])")


@pytest.fixture(scope="module")
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The config home the autouse fixture of tests/conftest.py gives every test."""
    return tmp_path_factory.getbasetemp() / "config"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, config_home: Path) -> Path:
    """The example project, every inbox file ingested (keys under a temporary config home)."""
    target = tmp_path_factory.mktemp("release") / "project"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".impleval", "output"))
    text = (target / "project.yaml").read_text(encoding="utf-8")
    (target / "project.yaml").write_text(
        text.replace("id: discharge-planning-demo", "id: release-test"), encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(config_home))
        mp.delenv("IMPLEVAL_KEY_FILE", raising=False)
        ingest_inbox(ProjectPaths(target), load_project(target))
    return target


def _env(config_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "IMPLEVAL_"))}
    return env | {"XDG_CONFIG_HOME": str(config_home)}


@pytest.fixture(scope="module")
def deposit(project: Path, config_home: Path) -> tuple[Path, str]:
    """``impleval release 1.0 --profile deposit`` run as a user runs it; (folder, stdout)."""
    done = subprocess.run(
        [str(BIN / "impleval"), "release", "1.0", "--profile", "deposit", "--date", str(DATE)],
        cwd=project,
        env=_env(config_home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return project / "output" / "releases" / "1.0", done.stdout


def test_deposit_writes_the_release_folder_and_reports_files_verify_and_k(deposit) -> None:
    folder, stdout = deposit
    data = {"coding_documents", "codings", "indicators", "outcomes", "scores_nomad", "scores_pcat"}
    expected = {f"data/{t}.{ext}" for t in data for ext in ("csv", "parquet")}
    expected |= {
        f"data/survey_{i}.{ext}"
        for i in ("nomad", "pcat")
        for ext in ("csv", "parquet", "sav", "dta")
    }
    expected |= {
        "README.md",
        "CITATION.cff",
        "LICENSE",
        "SHA256SUMS",
        "manifest.json",
        "datapackage.json",
        "codebook.xml",
    }
    expected |= {f"codebook_{lang}.{ext}" for lang in ("sv", "en") for ext in ("html", "pdf")}
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == expected
    assert not any(p.name.startswith(".") for p in folder.parent.iterdir())
    lines = stdout.splitlines()
    for name in expected:
        size = (folder / name).stat().st_size
        assert f"  {name}  {size:,} bytes" in lines
    checks = [line for line in lines if line.startswith(("ok  ", "FAIL"))]
    assert len(checks) == 8 and all(line.startswith("ok") for line in checks), checks
    assert lines[-1].startswith("Release 1.0 (deposit) written to") and "k achieved: 5" in lines[-1]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["release"] == {
        "project": "release-test",
        "version": "1.0",
        "date": "2026-01-05",
        "profile": "deposit",
    }
    assert str(folder.parents[2]) not in json.dumps(manifest)
    assert {a["table"] for a in manifest["anonymity"]} == {"survey_nomad", "survey_pcat"}


def test_verify_command_passes_on_the_release(deposit, config_home: Path) -> None:
    folder, _ = deposit
    done = subprocess.run(
        [str(BIN / "impleval"), "release", "verify", str(folder)],
        env=_env(config_home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    names = [line.split(":")[0][6:] for line in done.stdout.splitlines()]
    assert names == [
        "checksums",
        "data package",
        "DDI codebook",
        "SPSS/Stata files",
        "k-anonymity",
        "small cells",
        "identifiers",
        "pseudonyms",
    ]


def test_sav_and_dta_carry_labels_and_declared_missing_values(deposit, project: Path) -> None:
    folder, _ = deposit
    sav, meta = pyreadstat.read_sav(str(folder / "data" / "survey_nomad.sav"), user_missing=True)
    assert meta.column_names_to_labels["nomad_ca2"] == "Stör arbetsrelationer (omvänd)"
    assert meta.variable_value_labels["nomad_ca2"][5.0] == "Instämmer helt"
    assert meta.variable_value_labels["nomad_ca2"][-1.0] == "Inte relevant för min roll"
    declared = [(r["lo"], r["hi"]) for r in meta.missing_ranges["nomad_ca2"]]
    assert declared == [(-1.0, -1.0), (-2.0, -2.0), (-3.0, -3.0)]
    assert "nomad_g1" not in meta.missing_ranges  # 0–10 items have no "not relevant"
    assert meta.creation_time == dt.datetime(2026, 1, 5)
    # "not relevant" answers kept as codes, as many as the store holds (no row was dropped)
    store = pd.read_csv(folder / "data" / "survey_nomad.csv")
    assert len(sav) == len(store) == 352
    plain, _ = pyreadstat.read_sav(str(folder / "data" / "survey_nomad.sav"))
    items = [c for c in sav.columns if c.startswith("nomad_")]
    assert int((sav[items] == -1).sum().sum()) == 67 and int(plain[items].lt(0).sum().sum()) == 0
    dta, dmeta = pyreadstat.read_dta(str(folder / "data" / "survey_nomad.dta"), user_missing=True)
    assert int((dta[items] == "a").sum().sum()) == 67
    assert dmeta.variable_value_labels["nomad_ca2"]["a"] == "Inte relevant för min roll"


def test_datapackage_validates_and_a_wrong_code_fails(deposit, tmp_path: Path) -> None:
    folder, _ = deposit
    assert validate(str(folder / "datapackage.json")).valid
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    csv = copy / "data" / "survey_pcat.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[-1] = "9"  # no such answer on agree_5
    lines[1] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert "constraint" in report.flatten(["type"])[0][0]


def test_ddi_is_valid_against_its_schema_and_holds_our_labels(deposit) -> None:
    folder, _ = deposit
    schema = xmlschema.XMLSchema(str(SUBSET_XSD))
    schema.validate(str(folder / "codebook.xml"))
    text = (folder / "codebook.xml").read_text(encoding="utf-8")
    assert '<preQTxt xml:lang="sv">Stör arbetsrelationer (omvänd)</preQTxt>' in text
    assert '<catgry missing="Y" missType="not_relevant_role">' in text
    assert '<sumStat type="vald">' in text
    broken = text.replace("<sumStat", "<sumStatX", 1).replace("</sumStat>", "</sumStatX>", 1)
    assert not schema.is_valid(broken)


def test_every_quasi_identifier_combination_holds_at_least_five_people(deposit) -> None:
    folder, _ = deposit
    qis = ["organisation", "unit", "staff_group", "wave", "submitted_at"]
    for name in ("survey_nomad", "survey_pcat", "scores_nomad", "scores_pcat"):
        frame = pd.read_csv(folder / "data" / f"{name}.csv", dtype=str, keep_default_na=False)
        present = [q for q in qis if q in frame.columns]
        assert present == ["organisation", "staff_group", "wave"], name
        assert frame.groupby(present)["respondent_id"].nunique().min() >= 5, name


def _texts(path: Path) -> str:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv() + str(pd.read_parquet(path).attrs)
    if path.suffix in (".sav", ".dta"):
        reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
        frame, meta = reader(str(path))
        return (
            frame.to_csv()
            + json.dumps(meta.variable_value_labels, default=str)
            + str(meta.column_names_to_labels)
        )
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


def test_no_email_personnummer_or_roster_name_in_any_file(deposit, project: Path) -> None:
    folder, _ = deposit
    emails: set[str] = set()
    for file in sorted((project / "inbox").glob("*_*.*")):
        if file.suffix in (".csv", ".xlsx") and not file.name.startswith("indicators"):
            raw = read_table(file).to_csv()
            emails |= {e.casefold() for e in EMAIL.findall(raw)}
    assert len(emails) > 300  # the exports do hold addresses: the search means something
    names = [*read_roster(project / "roster_interviews.csv"), "Karin Sjöberg", "Eva Lind"]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = _texts(path)
        folded = text.casefold()
        assert not EMAIL.search(text), path.name
        assert not [e for e in emails if e in folded], path.name
        assert not [n for n in names if n.casefold() in folded], path.name
        numbers = [m.group(2) + m.group(3) for m in PNR.finditer(text)]
        assert not [n for n in numbers if luhn_valid(n)], path.name


def _release_pseudonyms(folder: Path) -> set[str]:
    found = set()
    for csv in (folder / "data").glob("*.csv"):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for column in ("respondent_id", "document_id", "speaker_id", "segment_id"):
            if column in frame.columns:
                for value in frame[column]:
                    found.update(value.split(":"))
    return found


def test_no_release_pseudonym_equals_one_in_the_store(deposit, project: Path) -> None:
    folder, _ = deposit
    released, stored = _release_pseudonyms(folder), store_pseudonyms(project)
    assert len(released) > 400 and len(stored) > 400
    assert not released & stored
    assert not {p[1:] for p in released} & {p[1:] for p in stored}


def test_same_inputs_and_key_rebuild_byte_identical(deposit, project: Path) -> None:
    folder, _ = deposit
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    make_release(project, version="1.0", profile="deposit", replace=True, date=DATE)
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before.keys() == after.keys()
    changed = [str(k) for k in before if before[k] != after[k]]
    if "manifest.json" in changed:  # say which entries differ, to find the cause at once
        old, new = (json.loads(d[Path("manifest.json")]) for d in (before, after))
        changed += [f"manifest[{k}]" for k in old if old[k] != new.get(k)]
    assert changed == []


def test_internal_profile_keeps_detail_and_gets_its_own_pseudonyms(deposit, project: Path) -> None:
    folder, _ = deposit
    internal = make_release(project, version="0.9", profile="internal", date=DATE)
    survey = pd.read_csv(internal.folder / "data" / "survey_nomad.csv")
    assert {"unit", "submitted_at"} <= set(survey.columns) and len(survey) == 352
    assert survey["submitted_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    codings = pd.read_csv(internal.folder / "data" / "codings.csv")
    assert "segment_text" in codings.columns and codings["segment_text"].notna().all()
    assert "segment_text" not in pd.read_csv(folder / "data" / "codings.csv").columns
    k_line = next(c for c in internal.checks if c.name == "k-anonymity")
    assert k_line.ok and "not required (internal profile)" in k_line.detail
    # another key: the internal release cannot be joined to the deposit
    assert not set(survey["respondent_id"]) & _release_pseudonyms(folder)


def test_link_to_reuses_the_key_and_a_new_release_does_not(deposit, project: Path) -> None:
    folder, _ = deposit
    first = set(pd.read_csv(folder / "data" / "survey_pcat.csv")["respondent_id"])
    linked = make_release(project, version="1.1", link_to="1.0", date=DATE)
    fresh = make_release(project, version="2.0", date=DATE)
    assert set(pd.read_csv(linked.folder / "data" / "survey_pcat.csv")["respondent_id"]) == first
    assert not set(pd.read_csv(fresh.folder / "data" / "survey_pcat.csv")["respondent_id"]) & first
    manifests = [json.loads((r / "manifest.json").read_text()) for r in (folder, linked.folder)]
    assert manifests[0]["key"]["fingerprint"] == manifests[1]["key"]["fingerprint"]
    assert manifests[1]["key"]["linked_to"] == "1.0"
    assert "secret" not in json.dumps(manifests) and all(
        p.suffix != ".key" for p in linked.folder.rglob("*")
    )


def _run(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["impleval", *argv])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_fails_on_a_tampered_copy(deposit, tmp_path: Path, capsys, monkeypatch) -> None:
    folder, _ = deposit
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    csv = copy / "data" / "survey_pcat.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("organisation")] = "ch_solglantan"  # a combination of one person
    csv.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    code, out, err = _run(
        ["release", "verify", str(copy), "-p", str(project_of(folder))], capsys, monkeypatch
    )
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: copy: ")
    assert "FAIL  checksums: changed: data/survey_pcat.csv" in out
    assert "FAIL  k-anonymity: survey_pcat: a combination" in out


def project_of(folder: Path) -> Path:
    return folder.parents[2]


@pytest.fixture
def copied(project: Path, tmp_path: Path) -> Path:
    """A copy of the ingested project (store included) whose project.yaml a test may edit."""
    target = tmp_path / "project"
    shutil.copytree(project, target, ignore=shutil.ignore_patterns("output"))
    return target


def _privacy(folder: Path, lines: str) -> None:
    text = (folder / "project.yaml").read_text(encoding="utf-8")
    text = text.replace("privacy:\n  min_cell_size: 5\n", f"privacy:\n  min_cell_size: 5\n{lines}")
    (folder / "project.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "privacy", "message"),
    [
        (["release", "v2"], "", "VERSION: 'v2' is not a version. Expected MAJOR.MINOR"),
        (["release", "latest"], "", "VERSION: 'latest' is not a version."),
        (["release", "3.0", "--profile", "public"], "", "--profile: unknown profile 'public'"),
        (
            ["release", "3.0", "--link-to", "0.1"],
            "",
            "--link-to 0.1: no release key for version 0.1",
        ),
        (
            ["release", "3.0"],
            "  quasi_identifiers: [organisation, age]\n",
            "project.yaml privacy.quasi_identifiers: age is not a column of any released",
        ),
    ],
)
def test_bad_input_is_one_line_and_leaves_nothing(
    copied: Path, argv, privacy, message, capsys, monkeypatch
) -> None:
    if privacy:
        _privacy(copied, privacy)
    code, _, err = _run([*argv, "-p", str(copied)], capsys, monkeypatch)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err
    releases = copied / "output" / "releases"
    assert not releases.exists() or not any(releases.iterdir())


def test_refusal_names_the_blocking_combinations(copied: Path, capsys, monkeypatch) -> None:
    _privacy(copied, "  k_anonymity: 40\n")
    code, _, err = _run(["release", "3.0", "-p", str(copied)], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "error: survey_pcat: k = 40 cannot be reached without dropping" in err
    assert "Blocking combinations: organisation=" in err and "people)" in err
    assert not (copied / "output" / "releases").exists() or not any(
        (copied / "output" / "releases").iterdir()
    )
    assert "Hint: lower privacy.k_anonymity" in err


def test_an_existing_release_is_refused_unless_replace(copied: Path, capsys, monkeypatch) -> None:
    make_release(copied, version="3.0", profile="internal", date=DATE)
    before = (copied / "output" / "releases" / "3.0" / "SHA256SUMS").read_bytes()
    code, _, err = _run(["release", "3.0", "-p", str(copied)], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1
    assert "release 3.0 already exists. Hint: give a new version, or add --replace" in err
    assert (copied / "output" / "releases" / "3.0" / "SHA256SUMS").read_bytes() == before
    code, out, _ = _run(
        ["release", "3.0", "--replace", "--date", "2026-01-05", "-p", str(copied)],
        capsys,
        monkeypatch,
    )
    assert code == 0 and "Release 3.0 (deposit) written" in out


def test_a_killed_build_leaves_nothing_under_the_release_name(
    copied: Path, config_home: Path
) -> None:
    releases = copied / "output" / "releases"
    build = subprocess.Popen(
        [str(BIN / "impleval"), "release", "4.0", "-p", str(copied)],
        env=_env(config_home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(releases.glob(".4.0.building-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=60)
    assert list(releases.glob(".4.0.building-*")), "the build was not caught while writing"
    assert not (releases / "4.0").exists()
    result = make_release(copied, version="4.0", date=DATE)
    assert result.folder == releases / "4.0"
    assert sorted(p.name for p in releases.iterdir()) == ["4.0"]
