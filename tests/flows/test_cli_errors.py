"""User mistakes end in one line on stderr and exit code 2 — no traceback (no Prefect started)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from flows import cli


def _run(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "argv", ["impleval", *argv])
    with pytest.raises(SystemExit) as info:
        cli.main()
    out, err = capsys.readouterr()
    return info.value.code, out, err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["ingest", "inbox/nomad_T0.xlsx", "--instrument", "nomad", "--wave", "T7"],
            "error: project.yaml: wave 'T7' of instrument 'nomad' is not declared. Expected one of "
            "T0, T1. Hint: add it under waves, or check the --wave value.",
        ),
        (
            ["ingest", "inbox/nomad_T0.xlsx", "--instrument", "nomadx", "--wave", "T0"],
            "error: project.yaml: instrument 'nomadx' is not used by this project. Expected one of "
            "nomad, pcat. Hint: add it under instruments, or check --instrument.",
        ),
        (
            ["ingest", "inbox/nomad_T0.xlsx", "--kind", "photos"],
            "error: impleval ingest --kind: unknown kind 'photos'. Expected one of survey, "
            "indicators, codings, roster.",
        ),
        (
            ["ingest", "inbox/nomad_T0.xlsx"],
            "error: ingest: --instrument and --wave are required for a survey, e.g. --instrument "
            "nomad --wave T0.",
        ),
        (
            ["run", "--format", "pdf,odt"],
            "error: impleval run --format: unknown format 'odt'. Expected one or more of html, "
            "pdf, docx, comma-separated.",
        ),
    ],
)
def test_user_errors_are_one_line(
    argv: list[str], expected: str, example_project: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(example_project)
    code, out, err = _run(argv, capsys, monkeypatch)
    assert code == 2
    assert err.strip() == expected
    assert "Traceback" not in out + err


def test_not_a_table(example_project: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(example_project)
    fake = example_project / "nomad_T0.xlsx"
    fake.write_bytes(b"%PDF-1.4 not a workbook")
    code, _, err = _run(
        ["ingest", str(fake), "--instrument", "nomad", "--wave", "T0"], capsys, monkeypatch
    )
    assert code == 2
    assert err.strip() == (
        "error: nomad_T0.xlsx: the file is named .xlsx but is a PDF document. Hint: export "
        "again as Excel workbook (.xlsx) or CSV."
    )
    # The raw copy is kept even though nothing could be loaded; the store holds nothing.
    assert len(list((example_project / ".impleval" / "raw").glob("*.xlsx"))) == 1


def test_missing_project_file(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(["run"], capsys, monkeypatch)
    assert code == 2
    assert err.startswith("error: ") and "no project.yaml here" in err
    assert err.count("\n") == 1


def test_ingest_prints_accounting_and_writes_quarantine(
    example_project: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(example_project)
    monkeypatch.setattr(
        sys,
        "argv",
        ["impleval", "ingest", "inbox/nomad_T1.csv", "--instrument", "nomad", "--wave", "T1"],
    )
    cli.main()
    out = capsys.readouterr().out
    assert "nomad_T1.csv → nomad T1: 152 rows read = 150 loaded + 2 quarantined" in out
    assert "duplicate_respondent" in out
    assert (example_project / "output" / "validation" / "quarantine.csv").is_file()


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path, capsys, monkeypatch) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    code, _, err = _run(["demo", str(target)], capsys, monkeypatch)
    assert code == 2 and "is not an impleval demo folder" in err
    assert (target / "notes.txt").read_text() == "keep me"


def test_init_writes_a_valid_project(tmp_path: Path, capsys, monkeypatch) -> None:
    from project.config import load_project

    monkeypatch.setattr(sys, "argv", ["impleval", "init", str(tmp_path / "new")])
    cli.main()
    assert load_project(tmp_path / "new").id == "my-evaluation"
    code, _, err = _run(["init", str(tmp_path / "new")], capsys, monkeypatch)
    assert code == 2 and "already exists" in err
