"""``impleval --version``: impleval's, Python's and the key dependencies' versions."""

from __future__ import annotations

import sys

import typer


def _versions() -> list[str]:
    """impleval's version, Python's and the key dependencies' (read from the installed metadata,
    so nothing heavy is imported; pandoc is asked for its own version)."""
    from project.provenance import impleval_version, package_version, pandoc_version

    pypandoc = package_version("pypandoc-binary") or package_version("pypandoc")
    lines = [f"impleval {impleval_version() or 'unknown'}", f"Python {sys.version.split()[0]}"]
    for name in ("prefect", "pandas", "duckdb", "great_expectations", "typst"):
        lines.append(f"{name} {package_version(name.replace('_', '-')) or 'not installed'}")
    lines.append(
        f"pandoc {pandoc_version() or 'not found'} (pypandoc {pypandoc or 'not installed'})"
    )
    return lines


def print_version(value: bool) -> None:
    if value:
        for line in _versions():
            typer.echo(line)
        raise typer.Exit()
