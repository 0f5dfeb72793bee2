"""``impleval check-disclosure``: the small-cell audit of the rendered reports, again."""

from __future__ import annotations

from pathlib import Path

import typer

from flows.cli_release import ProjectOpt


def check_disclosure(project_dir: ProjectOpt = Path(".")) -> None:
    """Prove again, from the report's record (output/reports/disclosure_<lang>.json), that no
    hidden count of any rendered table can be worked out from the visible cells and totals.
    Exits with an error naming the table and the cell when one can.

    Example, the demo project's reports:

    \b
        impleval check-disclosure -p impleval-demo
    """
    from project.errors import DisclosureError
    from project.layout import ProjectPaths
    from reports.disclosure import audit

    records = sorted(ProjectPaths(project_dir).reports.glob(audit.record_name("*")))
    if not records:
        raise DisclosureError(
            f"{project_dir}: no disclosure record in output/reports. Hint: run `impleval report`."
        )
    for path in records:
        tables, threshold = audit.read_record(path)
        audit.fail_on_leaks(audit.audit(tables, threshold), path.name)
        typer.echo(f"{path.name}: {audit.summary(tables)}; no hidden count can be worked out.")
