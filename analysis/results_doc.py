"""``docs/results.md``, generated from the results contract (:mod:`analysis.columns`).

The committed file is checked against :func:`results_markdown` by
``tests/analysis/test_columns.py``; after changing the contract, write it again with
``make results-doc``.
"""

from __future__ import annotations

from analysis.columns import DTYPES, KEY_WORDS, TABLES, VOCABULARY, Kind, Table, tables_of

__all__ = ["results_markdown"]

_KINDS: tuple[tuple[Kind, str], ...] = (
    ("survey", "Surveys"),
    ("ingest", "The store's accounting"),
    ("indicators", "Indicators, goals and outcomes"),
    ("codings", "Interviews"),
)
_HEADER = """\
<!-- Generated from analysis/columns.py by analysis.results_doc.results_markdown (`make
results-doc`). Do not edit by hand: a test fails when this file and the contract differ. -->

# Results files (`output/results/`)

The analyse stage writes one CSV per table: tidy (one row per estimate), unrounded, UTF-8, with a
header row. Every table is checked against this contract when it is written; a column that is not
here, or a value of the wrong type, stops the run as a bug. A table of a kind the project does not
declare is not written. Rounding and small-cell suppression happen only in the reports.

## One vocabulary

A column name means the same thing in every table (the list at the end). The words that are easy
to confuse:

"""
_TYPES = ["| type | in the CSV |", "|---|---|"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table_section(spec: Table) -> list[str]:
    lines = [f"### `{spec.name}.csv`", "", spec.description, ""]
    lines += ["| column | type | meaning |", "|---|---|---|"]
    for column in spec.columns:
        meaning = VOCABULARY[column][1]
        if column in spec.notes:
            meaning = f"{meaning}. Here: {spec.notes[column]}"
        lines.append(f"| `{column}` | {spec.dtype(column)} | {_cell(meaning)} |")
    return [*lines, ""]


def results_markdown() -> str:
    """The text of ``docs/results.md``: the vocabulary's key words, every table with its columns,
    types and meanings, and the whole vocabulary."""
    lines = [_HEADER + KEY_WORDS, *_TYPES]
    lines += [f"| `{name}` | {text} |" for name, text in DTYPES.items()]
    lines.append("")
    for kind, title in _KINDS:
        lines += [f"## {title}", ""]
        for name in tables_of(kind):
            lines += _table_section(TABLES[name])
    lines += ["## The vocabulary", "", "| column | type | meaning | tables |", "|---|---|---|---|"]
    for column, (dtype, meaning) in sorted(VOCABULARY.items()):
        used = ", ".join(f"`{t.name}`" for t in TABLES.values() if column in t.columns)
        lines.append(f"| `{column}` | {dtype} | {_cell(meaning)} | {used} |")
    return "\n".join(lines) + "\n"
