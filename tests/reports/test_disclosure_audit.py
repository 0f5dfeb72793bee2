"""Secondary suppression and the disclosure audit: hidden counts cannot be recovered by
subtraction, the audit proves it from the recorded tables, and fails naming the cell when not."""

from __future__ import annotations

import itertools
import json
import random
import sys
from pathlib import Path

import pandas as pd
import pytest

from flows import cli
from project.codebook import build_codebook
from project.errors import DisclosureError
from project.interviews import InterviewsConfig
from reports import disclosure
from reports.content import Quote, Text
from reports.disclosure import Column, audit
from reports.disclosure.linear import Cell, Published, Sum, interval, leaks, protect
from reports.sections.codings import _quotes, documents_table, small_groups
from reports.sections.survey_stats import rate_sums
from reports.strings import report_strings
from store.results import RESULTS_README, write_results_readme

THRESHOLD = 5


def _rates() -> pd.DataFrame:
    """The issue's case: 30 of 40 responded; by organisation 17, 10 and 3."""
    return pd.DataFrame(
        {
            "wave": ["T0"] * 4,
            "organisation": ["all", "A", "B", "C"],
            "staff_group": ["all"] * 4,
            "invited": [40, 20, 12, 8],
            "responded": [30, 17, 10, 3],
            "rate": [0.75, 0.85, 0.83, 0.375],
        }
    )


def _format_rates(df: pd.DataFrame) -> pd.DataFrame:
    columns = [
        Column("Mättillfälle", "wave", "text"),
        Column("Organisation", "organisation", "text"),
        Column("Yrkesgrupp", "staff_group", "text"),
        Column("Inbjudna", "invited", "integer"),
        Column("Svarande", "responded", "n"),
        Column("Svarsfrekvens", "rate", "percent"),
    ]
    return disclosure.format_table(
        df,
        columns,
        lang="sv",
        threshold=THRESHOLD,
        n_col="responded",
        additive=disclosure.Additive(rate_sums(df), cap="invited"),
    )


def test_the_response_rate_case_is_suppressed_so_that_subtraction_gives_nothing():
    table = _format_rates(_rates())
    shown = table["Svarande"].tolist()
    assert shown[0] == "30" and shown[3] == "<5"
    assert shown.count("–") == 1  # one more group hidden: 30 − 17 − ? no longer gives C
    assert "3" not in shown and table["Svarsfrekvens"].tolist()[3] == "–"
    record = table.attrs["published"][0]
    assert leaks(record, THRESHOLD) == []
    c = next(cell for cell in record.cells if cell.row.startswith("T0 | C"))
    low, high = interval(record, c.id)
    assert (low, high) == (1.0, 4.0)  # everything <5 says, nothing more


def _leaky_record() -> Published:
    """What the report printed before: only the small group hidden, the total shown."""
    cells = (
        Cell("0", "T0 | alla | alla", "Svarande", 30.0),
        Cell("1", "T0 | A | alla", "Svarande", 17.0),
        Cell("2", "T0 | B | alla", "Svarande", 10.0),
        Cell("3", "T0 | C | alla", "Svarande", None, 1.0, 4.0),
    )
    return Published("Svarsfrekvens per mättillfälle", "", cells, (Sum(("1", "2", "3"), "0"),))


def test_the_audit_names_the_cell_a_crafted_table_leaks():
    found = audit.audit([_leaky_record()], THRESHOLD)
    assert [str(x) for x in found] == [
        "table 'Svarsfrekvens per mättillfälle', cell (T0 | C | alla, Svarande): the hidden count "
        "can be worked out from the visible cells and totals (it is 3). Hint: hide one more cell "
        "of its row or column."
    ]
    with pytest.raises(DisclosureError, match=r"^report_sv: disclosure audit"):
        audit.fail_on_leaks(found, "report_sv")


def _write_record(folder: Path, tables: list[Published]) -> Path:
    path = folder / "output" / "reports" / audit.record_name("sv")
    path.parent.mkdir(parents=True)
    data = audit.record(audit.name_tables([(t.id, t) for t in tables]), THRESHOLD)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _cli(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["impleval", *argv])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_disclosure_fails_on_the_crafted_leak_and_passes_once_protected(
    tmp_path, capsys, monkeypatch
):
    leaky = tmp_path / "leaky"
    _write_record(leaky, [_leaky_record()])
    code, _out, err = _cli(["check-disclosure", "-p", str(leaky)], capsys, monkeypatch)
    assert code != 0
    assert err.startswith(
        "error: disclosure_sv.json: disclosure audit failed: table '1: Svarsfrekvens per "
        "mättillfälle', cell (T0 | C | alla, Svarande)"
    )
    assert err.count("\n") == 1
    safe = tmp_path / "safe"
    _write_record(safe, [_format_rates(_rates()).attrs["published"][0]])
    code, out, _err = _cli(["check-disclosure", "-p", str(safe)], capsys, monkeypatch)
    assert code == 0
    assert out == (
        "disclosure_sv.json: 1 tables, 2 hidden cells, 1 sums checked; "
        "no hidden count can be worked out.\n"
    )


def test_the_built_report_keeps_a_record_the_audit_passes(report_sv):
    path = report_sv.markdown.parent / audit.record_name("sv")
    tables, threshold = audit.read_record(path)
    assert threshold == THRESHOLD
    assert any(t.sums for t in tables)  # the group tables' n add up to everyone's
    assert audit.audit(tables, threshold) == []
    hidden_values = [c.value for t in tables for c in t.cells if c.hidden]
    assert hidden_values and all(v is None for v in hidden_values)  # no hidden value recorded


def _grid_table(grid: list[list[int]]) -> Published:
    """A table of counts with row, column and grand totals, all shown."""
    rows, cols = len(grid), len(grid[0])
    cells = [
        Cell(f"{r}{c}", f"r{r}", f"c{c}", float(grid[r][c]))
        for r in range(rows)
        for c in range(cols)
    ]
    cells += [Cell(f"r{r}", f"r{r}", "total", float(sum(grid[r]))) for r in range(rows)]
    cells += [Cell(f"c{c}", "total", f"c{c}", float(sum(g[c] for g in grid))) for c in range(cols)]
    cells.append(Cell("all", "total", "total", float(sum(map(sum, grid)))))
    sums = [Sum(tuple(f"{r}{c}" for c in range(cols)), f"r{r}") for r in range(rows)]
    sums += [Sum(tuple(f"{r}{c}" for r in range(rows)), f"c{c}") for c in range(cols)]
    sums += [Sum(tuple(f"r{r}" for r in range(rows)), "all")]
    return Published("t", "", tuple(cells), tuple(sums))


def _solutions(table: Published, cell: str, top: int = 24) -> set[int]:
    """Every whole value of ``cell`` that some whole completion of the hidden cells allows
    (brute force over the inner cells; totals follow from them)."""
    cells = {c.id: c for c in table.cells}
    inner = [c for c in table.cells if c.id[0].isdigit()]
    ranges = [
        [int(c.value)] if not c.hidden else range(int(c.low), int(min(c.high or top, top)) + 1)
        for c in inner
    ]
    found = set()
    for values in itertools.product(*ranges):
        value = {c.id: v for c, v in zip(inner, values, strict=True)}
        for s in table.sums:  # row and column totals, then the grand total
            value[s.total] = sum(value[m] for m in s.members)
        fits = all(
            (value[i] == c.value) if not c.hidden else (c.low <= value[i] <= (c.high or 1e9))
            for i, c in cells.items()
        )
        if fits:
            found.add(value[cell])
    return found


@pytest.mark.parametrize("seed", range(12))
def test_protection_holds_against_brute_force_on_random_tables(seed):
    """A 2 × 2 table with row, column and grand totals: after protect, brute force over every
    whole-number completion finds at least two values for each hidden count, and the linear
    program's interval agrees with it."""
    rng = random.Random(seed)
    grid = [[rng.choice([0, 1, 2, 3, 4, 6, 9, 12]) for _ in range(2)] for _ in range(2)]
    table, reasons = protect(_grid_table(grid), THRESHOLD)
    small = {f"{r}{c}" for r in range(2) for c in range(2) if 0 < grid[r][c] < THRESHOLD}
    assert small <= set(reasons)
    for cell in table.cells:
        if cell.hidden:
            values = _solutions(table, cell.id)
            assert len(values) >= 2, (grid, cell)
            low, high = interval(table, cell.id)
            assert low <= min(values) and max(values) <= high


def test_brute_force_finds_the_leak_the_proof_names():
    """The check is not vacuous: the table before secondary suppression leaks, by both."""
    table = _grid_table([[3, 9], [6, 12]])
    cells = tuple(
        Cell(c.id, c.row, c.column, None, 1.0, 4.0) if c.id == "00" else c for c in table.cells
    )
    primary_only = Published("t", "", cells, table.sums)
    assert _solutions(primary_only, "00") == {3}
    assert [x.cell.id for x in leaks(primary_only, THRESHOLD)] == ["00"]


def _config(groups: list[str]) -> InterviewsConfig:
    labels = {"staff": "Personal", "steering": "Styrgrupp", "relatives": "Anhöriga"}
    return InterviewsConfig.model_validate(
        {
            "stakeholder_groups": [
                {"id": g, "labels": {"sv": labels[g], "en": g}, "speaker": {"sv": g, "en": g}}
                for g in groups
            ],
            "rounds": [{"id": "r1", "labels": {"sv": "Omgång 1", "en": "Round 1"}}],
            "coders": [{"id": "coder_a"}, {"id": "coder_b"}],
        }
    )


def test_interview_counts_and_double_coded_counts_survive_the_stated_totals():
    cfg = _config(["staff", "steering", "relatives"])
    docs = pd.DataFrame(
        {
            "stakeholder_group": ["staff", "steering", "relatives"],
            "round": ["r1"] * 3,
            "n_documents": [12, 7, 4],
            "n_double_coded": [4, 3, 0],
        }
    )
    table = documents_table(docs, cfg, THRESHOLD, report_strings("sv"), double_coded_total=7.0)
    assert table.frame["Intervjuer"].tolist() == ["12", "–", "<5"]
    assert table.frame["Dubbelkodade"].tolist() == ["4", "–", "–"]
    for record in table.frame.attrs["published"]:
        assert leaks(record, THRESHOLD if record.small_rule else None) == []
    assert table.frame.attrs["withheld"] == {("steering", "r1"), ("relatives", "r1")}
    assert small_groups(docs, THRESHOLD) == {("relatives", "r1")}


@pytest.mark.parametrize("setting", ["omit", "merge"])
def test_quotes_from_a_small_group_are_left_out_or_merged(setting):
    cfg = _config(["staff", "relatives"])
    codebook = build_codebook(cfg)
    code = codebook.codes[0]
    quotes = pd.DataFrame(
        {
            "construct": [code.construct or code.id] * 2,
            "stakeholder_group": ["staff", "relatives"],
            "round": ["r1", "r1"],
            "code": [code.id] * 2,
            "speaker_sv": ["Medarbetare 1", "Företrädare för anhörigorganisation 1"],
            "speaker_en": ["Staff member 1", "Representative 1"],
            "quote": ["Från personalen.", "Från anhöriga."],
        }
    )
    s = report_strings("sv")
    blocks = _quotes(quotes, codebook, cfg, s, ({("relatives", "r1")}, setting, THRESHOLD))
    shown = [b for b in blocks if isinstance(b, Quote)]
    texts = " ".join(b.markdown for b in blocks if isinstance(b, Text))
    assert not any("anhörigorganisation" in q.source for q in shown)
    if setting == "omit":
        assert [q.text for q in shown] == ["Från personalen."]
        assert "visas inte" in texts
    else:
        assert [q.source.split(";")[0] for q in shown] == [
            "Medarbetare 1, Omgång 1",
            "Övriga aktörer",
        ]


def test_results_folder_says_its_tables_are_unsuppressed(tmp_path):
    path = write_results_readme(tmp_path)
    assert path.name == RESULTS_README
    assert path.read_text(encoding="utf-8").startswith(
        "UNSUPPRESSED WORKING TABLES - NOT FOR PUBLICATION"
    )


def test_a_report_with_a_leaking_table_stops_naming_the_cell(project, spec, tmp_path):
    from reports.build import ReportRequest, build_report
    from reports.content import SectionBuilder, SectionContent, Table
    from tests.reports.conftest import REPORT_DATE, make_project_dir

    frame = pd.DataFrame(
        {"Organisation": ["alla", "A", "B", "C"], "Svarande": ["30", "17", "10", "<5"]}
    )
    frame.attrs = {"align": ["left", "right"], "notes": [], "published": [_leaky_record()]}
    leaky = SectionBuilder(
        "leaky",
        lambda _p: True,
        lambda _c: [
            SectionContent("n3_key_figures", (Table(frame, "Svarsfrekvens per mättillfälle"),))
        ],
    )
    root = make_project_dir(tmp_path / "project")
    request = ReportRequest(
        project=project, project_dir=root, specs=[spec], formats=["html"], report_date=REPORT_DATE
    )
    with pytest.raises(DisclosureError) as caught:
        build_report(request, builders=(leaky,))
    assert str(caught.value).startswith(
        "report_sv: disclosure audit failed: table '1: Svarsfrekvens per mättillfälle', "
        "cell (T0 | C | alla, Svarande)"
    )
    assert not (root / "output" / "reports" / "report_sv.html").exists()
