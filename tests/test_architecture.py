"""The shape of the house, checked: packages by stage with no import cycle between them, flows that
only wire, and modules and functions small enough to review (see docs/architecture.md).

Limits (outside tests and the example generators): a module at most 500 lines, a function at most
80 lines. Imports under ``if TYPE_CHECKING:`` do not count (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "project",
    "instruments",
    "privacy",
    "store",
    "validation",
    "ingest",
    "analysis",
    "reports",
    "releases",
    "waves",
    "flows",
)
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _runtime_imports(tree: ast.Module) -> Iterator[str]:
    """Top-level names of modules imported when the code runs (TYPE_CHECKING blocks left out)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def package_graph() -> dict[str, dict[str, str]]:
    """package → {imported package: one module that imports it}."""
    graph: dict[str, dict[str, str]] = {p: {} for p in PACKAGES}
    for path in _modules():
        package = path.relative_to(ROOT).parts[0]
        for name in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            top = name.split(".")[0]
            if top in PACKAGES and top != package:
                graph[package].setdefault(top, str(path.relative_to(ROOT)))
    return graph


def test_no_import_cycle_between_packages() -> None:
    graph = package_graph()

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    cycles = [
        f"{a} -> {b} (in {where})"
        for a, targets in graph.items()
        for b, where in targets.items()
        if reaches(b, a)
    ]
    assert not cycles, "import cycle between packages: " + "; ".join(cycles)


def test_analysis_is_pure() -> None:
    """analysis/ computes: it reads no store, no files of the project and renders nothing."""
    graph = package_graph()
    assert set(graph["analysis"]) <= {"project", "instruments"}, graph["analysis"]


@pytest.mark.parametrize("package", ["flows"])
def test_flows_are_wiring(package: str) -> None:
    """No pandas, numpy or SQL in flows/: a reader sees the methods, not the mechanics."""
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _runtime_imports(tree):
            if name.split(".")[0] in {"pandas", "numpy", "duckdb"}:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_modules_are_small() -> None:
    big = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not big, big


def test_functions_are_short() -> None:
    long = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length}")
    assert not long, long


def test_no_formatter_dodges() -> None:
    dodges = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in _modules()
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "fmt: skip" in line or "fmt: off" in line
    ]
    assert not dodges, dodges
