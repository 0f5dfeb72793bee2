"""The results files: ``output/results/<table>.csv``, each checked against the results contract
(:mod:`analysis.columns`) and written atomically; and the store's ingest accounting, the two
results tables that come from the store itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.columns import check_table, table
from store import reads
from store.csv_cells import neutralise_frame

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["ingest_accounting", "write_results"]


def ingest_accounting(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The ``ingest_summary`` (the active ingests and their row accounting) and
    ``quarantine_reasons`` (quarantined source rows per rule) tables."""
    summary = reads.ingest_summary(con)
    return {
        "ingest_summary": summary.loc[:, list(table("ingest_summary").columns)],
        "quarantine_reasons": reads.quarantine_reason_counts(con),
    }


RESULTS_README = "README.txt"
RESULTS_README_TEXT = """\
UNSUPPRESSED WORKING TABLES - NOT FOR PUBLICATION

The CSV files in this folder are the analysis stage's working tables: unrounded, complete, with
every small group and small count as it is. No small-cell rule has been applied to them.
Do not publish, send or attach them. What may be published is the report
(output/reports: every table there is rounded, suppressed and checked by the disclosure audit,
`impleval check-disclosure`) or a dataset release (`impleval release`).

Ej röjandekontrollerade arbetstabeller - inte för publicering. Små grupper och små antal finns
kvar som de är. Publicera rapporten eller en datasetrelease, inte dessa filer.
"""


def write_results_readme(results_dir: Path) -> Path:
    """The header file that marks the results folder as unsuppressed working tables."""
    target = Path(results_dir) / RESULTS_README
    tmp = target.with_suffix(".txt.tmp")
    tmp.write_text(RESULTS_README_TEXT, encoding="utf-8")
    tmp.replace(target)
    return target


def write_results(results_dir: Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Write each table as ``<name>.csv``: tidy, unrounded (full float precision), no index;
    and ``README.txt`` beside them: these are unsuppressed working tables, not for publication.

    Every table is checked against the results contract first, so a table that does not fit
    (a bug) raises :class:`analysis.columns.ContractError` before any file is touched. Each file
    is written under a temporary name and renamed, so a reader never sees half a file. Text cells
    a spreadsheet would run as formulas get a leading ``'`` (:mod:`store.csv_cells`; the report
    reads them back through :func:`store.csv_cells.restore`); numbers are never changed.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``tables``.
    """
    checked = {name: check_table(name, frame) for name, frame in tables.items()}
    results_dir.mkdir(parents=True, exist_ok=True)
    write_results_readme(results_dir)  # not among the returned tables: a note, not a result
    written = []
    for name, frame in checked.items():
        target = results_dir / f"{name}.csv"
        tmp = target.with_suffix(".csv.tmp")
        text = [c for c in frame.columns if table(name).dtype(c) == "str"]
        neutralise_frame(frame, text).to_csv(tmp, index=False)
        tmp.replace(target)
        written.append(target)
    return written
