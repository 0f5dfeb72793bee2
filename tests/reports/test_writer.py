"""The writer (reports/writer.py): atomic files, the one escaping function, blocks as Markdown,
figures drawn the same in one process or several."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from reports import disclosure
from reports.content import FigureBlock, Heading, Quote, Table, Text
from reports.disclosure import Column
from reports.figures.survey import plot_construct_means
from reports.writer import (
    atomic_path,
    blocks_markdown,
    escape,
    pipe_table,
    remove_stale_temporaries,
    save_figures,
    temporary_path,
    write_text,
)


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = write_text(tmp_path / "report_sv.md", "complete\n")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report_sv.md"]


def test_nothing_written_is_an_error_not_an_empty_file(tmp_path: Path) -> None:
    with (
        pytest.raises(FileNotFoundError, match=r"report_sv\.pdf: nothing was written"),
        atomic_path(tmp_path / "report_sv.pdf"),
    ):
        pass
    assert not list(tmp_path.iterdir())


def test_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import os; print(os.getpid())"]
    dead = subprocess.run(argv, capture_output=True, text=True, check=True)
    left = tmp_path / f".report_sv.tmp-{int(dead.stdout)}-0a1b2c3d.pdf"
    left.write_bytes(b"%PDF-1.7 half")
    mine = temporary_path(tmp_path / "report_sv.html")
    mine.write_text("being written", encoding="utf-8")
    other = tmp_path / ".notes.txt"
    other.write_text("not ours", encoding="utf-8")
    assert remove_stale_temporaries(tmp_path) == [left]
    assert mine.is_file() and other.is_file()
    assert f"-{os.getpid()}-" in mine.name and mine.suffix == ".html"


def test_escape_and_pipe_table() -> None:
    assert escape("a|b *c* [d]\\ e_f `g`\nh") == "a\\|b \\*c\\* \\[d\\]\\\\ e\\_f \\`g\\` h"
    frame = disclosure.format_table(
        pd.DataFrame({"label": ["x|y"], "n": [12]}),
        [Column("Grupp", "label", "text"), Column("n", "n", "n")],
        lang="sv",
        threshold=5,
    )
    text = pipe_table(frame, caption="Rubrik", note_prefix="Anm.:")
    lines = text.splitlines()
    assert lines[0] == "| Grupp | n |"
    assert lines[1].startswith("|:") and lines[1].endswith(":|")
    assert lines[2] == "| x\\|y | 12 |"
    assert ": Rubrik" in lines


def test_blocks_as_markdown() -> None:
    table = Table(pd.DataFrame({"A": ["1"]}).set_axis(["A"], axis=1), "Tabell")
    figure = FigureBlock("fig_sv", partial(int), "Figur", width="90%")
    markdown = blocks_markdown(
        [
            Heading("Rubrik", 2, "anchor"),
            Text("En mening."),
            table,
            figure,
            Quote("  ett\n citat ", "Medarbetare 3, r1; Kod", "”", "”"),
        ],
        lambda block: f"../figures/{block.stem}.png",
    )
    parts = markdown.split("\n\n")
    assert parts[0] == "## Rubrik {#anchor}"
    assert parts[1] == "En mening."
    assert "![Figur](../figures/fig_sv.png){width=90%}" in parts
    assert markdown.endswith("> ”ett citat”\n>\n> — Medarbetare 3, r1; Kod")


def test_figures_are_the_same_from_one_process_or_several(
    tmp_path: Path, scale_scores: pd.DataFrame, spec, project
) -> None:
    figures = [
        FigureBlock(
            f"means_{group_by}",
            partial(
                plot_construct_means,
                scale_scores,
                spec=spec,
                project=project,
                lang="sv",
                group_by=group_by,
            ),
            "caption",
        )
        for group_by in ("all", "staff_group", "organisation")
    ]
    seen: list[tuple[str, int, int]] = []
    one = save_figures(figures, tmp_path / "one", workers=1)
    several = save_figures(
        figures, tmp_path / "several", workers=2, progress=lambda *a: seen.append(a)
    )
    assert list(one) == list(several) == [f.stem for f in figures]
    for stem in one:
        assert one[stem].read_bytes() == several[stem].read_bytes()
    assert seen[0] == ("figures", 0, 3) and seen[-1] == ("figures", 3, 3)
    assert not [p for p in (tmp_path / "several").iterdir() if p.name.startswith(".")]
