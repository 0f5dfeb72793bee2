"""Mistyped commands, options and values end in one line with the nearest valid spelling, exit
code 2 and no traceback; `--version` and `--help` say what there is (all in-process, no Prefect)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from flows import cli
from tests.conftest import EXAMPLE
from tests.flows.test_cli_errors import _run as _main

COMMANDS = ", ".join(get_command(cli.app).list_commands(None))  # type: ignore[attr-defined]
KINDS = ", ".join(cli.INGEST_KINDS)  # the kind registry's names
TRANSCRIPT = """
$ impleval reprot
error: impleval reprot: unknown command. Expected one of {commands}. Did you mean `report`?
$ impleval ingets x.csv
error: impleval ingets: unknown command. Expected one of {commands}. Did you mean `ingest`?
$ impleval dmeo
error: impleval dmeo: unknown command. Expected one of {commands}. Did you mean `demo`?
$ impleval Run
error: impleval Run: unknown command. Expected one of {commands}. Did you mean `run`?
$ impleval foo
error: impleval foo: unknown command. Expected one of {commands}. Hint: `impleval --help` describes each.
$ impleval run --forse
error: impleval run --forse: unknown option. Did you mean `--force`? Hint: see `impleval run --help`.
$ impleval run --bogus
error: impleval run --bogus: unknown option. Expected one of --project, --stage, --force, --lang, --format, --dask, --dask-always, --help. Hint: see `impleval run --help`.
$ impleval report --langauge en
error: impleval report --langauge: unknown option. Did you mean `--lang`? Hint: see `impleval report --help`.
$ impleval ingest x.csv --instrumnet nomad
error: impleval ingest --instrumnet: unknown option. Did you mean `--instrument`? Hint: see `impleval ingest --help`.
$ impleval ingest x.csv --dryrun
error: impleval ingest --dryrun: unknown option. Did you mean `--dry-run`? Hint: see `impleval ingest --help`.
$ impleval --verison
error: impleval --verison: unknown option. Did you mean `--version`? Hint: see `impleval --help`.
$ impleval --debgu run
error: impleval --debgu: unknown option. Did you mean `--debug`? Hint: see `impleval --help`.
$ impleval init --force x
error: impleval init --force: unknown option; impleval init takes none. Hint: see `impleval init --help`.
$ impleval run --force=yes
error: impleval run --force: takes no value (it is a switch). Hint: see `impleval run --help`.
$ impleval run --stage analyze
error: impleval run --stage: unknown stage 'analyze'. Expected one of ingest, analyse, report. Did you mean `analyse`?
$ impleval run --stage all
error: impleval run --stage: unknown stage 'all'. Expected one of ingest, analyse, report.
$ impleval report --lang se
error: impleval report --lang: unknown language 'se'. Expected one of sv, en.
$ impleval report --format pdf,odt
error: impleval report --format: unknown format 'odt'. Expected one or more of html, pdf, docx, comma-separated.
$ impleval report --format pfd
error: impleval report --format: unknown format 'pfd'. Expected one or more of html, pdf, docx, comma-separated. Did you mean `pdf`?
$ impleval ingest x.csv --kind survy
error: impleval ingest --kind: unknown kind 'survy'. Expected one of {kinds}. Did you mean `survey`?
$ impleval ingest x.csv --kind photos
error: impleval ingest --kind: unknown kind 'photos'. Expected one of {kinds}.
$ impleval ingest
error: impleval ingest: FILE is missing. Example: impleval ingest impleval-demo/inbox/nomad_T1.csv --instrument nomad --wave T1 --dry-run -p impleval-demo
$ impleval init
error: impleval init: DIRECTORY is missing. Example: impleval init my-evaluation
$ impleval ingest x.csv --kind
error: impleval ingest --kind: needs a value. Expected one of {kinds}.
$ impleval report --lang
error: impleval report --lang: needs a value. Expected one of sv, en.
$ impleval run -p
error: impleval run -p: needs a value: the project folder (holds project.yaml).
$ impleval ingest x.csv --wave
error: impleval ingest --wave: needs a value: the wave id from project.yaml (surveys, rosters), e.g. T0.
$ impleval demo a b
error: impleval demo: unexpected argument 'b'. Hint: `impleval demo --help` shows what it takes (options start with --; a value with spaces needs quotes).
"""
"""What a person typed and the one line on stderr they get back (exit code 2 each time)."""
MISTAKES = [
    (shlex.split(typed.removeprefix("$ impleval ")), answer.format(commands=COMMANDS, kinds=KINDS))
    for typed, answer in zip(*[iter(TRANSCRIPT.strip().splitlines())] * 2, strict=True)
]


@pytest.mark.parametrize(("argv", "expected"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_a_mistake_is_one_line(argv, expected, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _main(argv, capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err == f"{expected}\n"


def test_there_are_at_least_twenty_mistakes() -> None:
    assert len(MISTAKES) >= 20


def _with_wave_opens(tmp_path: Path, opens: str) -> Path:
    text = (EXAMPLE / "project.yaml").read_text(encoding="utf-8")
    assert "opens: 2019-02-04" in text
    (tmp_path / "project.yaml").write_text(text.replace("opens: 2019-02-04", opens), "utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("opens", "found"),
    [
        ("opens: 2019-13-04", "'2019-13-04' (month value is outside expected range of 1-12)"),
        ("opens: 04/02/2019", "'04/02/2019' (invalid character in year)"),
        ("opens: 2019-02-30", "'2019-02-30' (day value is outside expected range)"),
        ("opens: februari", "'februari' (input is too short)"),
    ],
)
def test_a_bad_date_names_the_wave_and_the_format(
    opens, found, tmp_path, capsys, monkeypatch
) -> None:
    project = _with_wave_opens(tmp_path, opens)
    code, _, err = _main(["run", "-p", str(project)], capsys, monkeypatch)
    assert code == 2
    assert err == (
        "error: project.yaml: waves[T1].opens: expected a date as YYYY-MM-DD, e.g. 2018-03-01; "
        f"found {found}\n"
    )


def test_debug_keeps_the_traceback(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", ["impleval", "--debug", "reprot"])
    with pytest.raises(Exception, match="No such command 'reprot'"):
        cli.main()


def test_every_choice_is_listed_in_help(capsys, monkeypatch) -> None:
    helps = {}
    for command in ("ingest", "run", "report"):
        monkeypatch.setattr(sys, "argv", ["impleval", command, "--help"])
        cli.main()  # help is not a mistake: no SystemExit, exit code 0
        helps[command] = " ".join(capsys.readouterr().out.split())
    assert "--kind [survey|indicators|codings|roster]" in helps["ingest"]
    assert "--stage [ingest|analyse|report]" in helps["run"]
    for command in ("run", "report"):
        assert "--lang [sv|en]" in helps[command]
        assert "--format html,pdf,docx One or more of html, pdf, docx" in helps[command]
    assert (
        "survey .xlsx/.csv/.sav/.dta, indicators .csv/.xlsx, codings .qdpx/.csv/.xlsx"
        in helps["ingest"]
    )


def test_choices_ignore_case(tmp_path, capsys, monkeypatch) -> None:
    """`--lang EN --format PDF` are taken as en and pdf (the error is then the missing project)."""
    monkeypatch.chdir(tmp_path)
    code, _, err = _main(["report", "--lang", "EN", "--format", "PDF"], capsys, monkeypatch)
    assert code == 2 and "no project.yaml here" in err


def test_every_command_has_a_worked_example_that_parses() -> None:
    """Each command's help ends with `impleval <command> …`; the examples run in
    tests/test_install.py (on the demo project, with the installed tool)."""
    group = get_command(cli.app)
    for name in group.list_commands(None):  # type: ignore[attr-defined]
        command = group.get_command(None, name)  # type: ignore[attr-defined]
        examples = [
            line.strip()
            for line in (command.help or "").splitlines()
            if line.strip().startswith("impleval ")
        ]
        assert examples and examples[0].split()[1] == name, name
        # parsing the example's words raises a usage error if an option or value is wrong
        command.make_context(name, examples[0].split()[2:])


def test_version_names_the_key_dependencies_without_importing_them() -> None:
    code = (
        "import sys; from flows import cli; sys.argv = ['impleval', '--version']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'prefect', 'duckdb', 'great_expectations', 'typst', 'numpy')\n"
        "print('imported:', sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    from importlib.metadata import version

    lines = done.stdout.splitlines()
    assert lines[0] == f"impleval {version('impleval')}"
    assert lines[1] == f"Python {sys.version.split()[0]}"
    for name in ("prefect", "pandas", "duckdb", "great_expectations", "typst"):
        assert f"{name} {version(name.replace('_', '-'))}" in lines
    assert any(line.startswith("pandoc 3.") for line in lines)
    assert lines[-1] == "imported: []"
