"""Where an output came from: file hashes, the code's fingerprint, versions of what made it.

Small and free of side effects so that any stage (report, release, analysis) can record the same
facts. Paths are recorded relative to the project folder or to the code, never as this machine's
absolute paths.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from collections.abc import Iterable, Mapping
from pathlib import Path

CODE_ROOT = Path(__file__).resolve().parents[1]
"""The folder that holds our top-level packages (the repository root in a checkout)."""

PACKAGES = (
    "flows",
    "instruments",
    "analysis",
    "validation",
    "reports",
    "ingest",
    "store",
    "privacy",
    "project",
    "releases",
)
"""Our top-level packages (as in ``pyproject.toml``)."""

CODE_SUFFIXES = (".py", ".yaml", ".yml", ".j2", ".css", ".typ")
"""Files that change what the pipeline computes or writes: code, specs, report templates."""

DEPENDENCIES = (
    "pandas",
    "numpy",
    "scipy",
    "duckdb",
    "great-expectations",
    "prefect",
    "matplotlib",
    "jinja2",
    "pypandoc-binary",
    "typst",
)
"""Distributions whose versions a report manifest records."""


def file_sha256(path: Path, *, chunk_size: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def code_files(
    root: Path | None = None,
    *,
    packages: Iterable[str] = PACKAGES,
    suffixes: Iterable[str] = CODE_SUFFIXES,
) -> list[Path]:
    """The files :func:`code_fingerprint` covers, sorted by their path relative to ``root``."""
    root = Path(root) if root is not None else CODE_ROOT
    wanted = tuple(suffixes)
    found: list[Path] = []
    for package in packages:
        base = root / package
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if (
                path.is_file()
                and path.suffix in wanted
                and "__pycache__" not in path.parts
                and not any(part.startswith(".") for part in path.relative_to(root).parts)
            ):
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def code_fingerprint(
    root: Path | None = None,
    *,
    packages: Iterable[str] = PACKAGES,
    suffixes: Iterable[str] = CODE_SUFFIXES,
) -> str:
    """One SHA-256 over our packages' code, specs and templates.

    The hash covers each file's path relative to ``root`` and its bytes, in path order, so it
    changes when a file is edited, added, removed or renamed, and not when the checkout moves.
    Our own code is read once per process (it does not change under a running command); another
    ``root`` is read on every call.

    Parameters
    ----------
    root
        The folder holding the packages; defaults to :data:`CODE_ROOT`.
    packages, suffixes
        What to include; default :data:`PACKAGES` and :data:`CODE_SUFFIXES`.
    """
    root = Path(root) if root is not None else CODE_ROOT
    digest = hashlib.sha256()
    read = _own_package_digest if root == CODE_ROOT else _package_digest
    for package in sorted(packages):
        digest.update(read(root, package, tuple(suffixes)).encode())
    return digest.hexdigest()


def _package_digest(root: Path, package: str, suffixes: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for path in code_files(root, packages=(package,), suffixes=suffixes):
        rel = path.relative_to(root).as_posix().encode("utf-8")
        digest.update(len(rel).to_bytes(4, "big") + rel)
        data = path.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def package_version(name: str) -> str | None:
    """The installed version of a distribution, or ``None`` when it is not installed."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def package_versions(names: Iterable[str] = DEPENDENCIES) -> dict[str, str | None]:
    """Installed versions of the given distributions (``None`` for those not installed)."""
    return {name: package_version(name) for name in names}


def impleval_version() -> str | None:
    """The installed version of impleval itself."""
    return package_version("impleval")


def pandoc_version() -> str | None:
    """The version of the pandoc that pypandoc runs, or ``None`` when there is none."""
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_version())
    except (ImportError, OSError, RuntimeError):
        return None


def portable_path(
    path: Path,
    *,
    project_dir: Path | None,
    code_root: Path | None = None,
) -> str:
    """A path as it can be recorded: relative to the project, or to the code, never absolute.

    Returns ``"sub/dir/file"`` for a file inside ``project_dir``, ``"impleval:pkg/file"`` for a
    file inside the code (e.g. a built-in instrument spec), else only the file's name.
    """
    resolved = Path(path).resolve()
    for base, prefix in ((project_dir, ""), (code_root or CODE_ROOT, "impleval:")):
        if base is None:
            continue
        try:
            return prefix + resolved.relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            continue
    return resolved.name


def hash_files(files: Mapping[str, Path], *, project_dir: Path | None) -> dict[str, dict[str, str]]:
    """``{name: {"path": portable path, "sha256": hash}}`` for each file."""
    return {
        name: {
            "path": portable_path(path, project_dir=project_dir),
            "sha256": file_sha256(path),
        }
        for name, path in files.items()
    }


_own_package_digest = functools.cache(_package_digest)
