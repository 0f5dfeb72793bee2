"""The example's P-CAT exports are what their seeded generator makes, byte for byte."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ingest.read import read_table
from tests.conftest import EXAMPLE


def _generator():
    spec = importlib.util.spec_from_file_location("generate_pcat", EXAMPLE / "generate_pcat.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reproduces_the_committed_files(tmp_path: Path) -> None:
    written = _generator().generate(tmp_path)
    for path in written.values():
        assert path.read_bytes() == (EXAMPLE / "inbox" / path.name).read_bytes(), path.name


def test_shape_of_the_exports() -> None:
    spring = read_table(EXAMPLE / "inbox" / "pcat_VT2018.xlsx")
    autumn = read_table(EXAMPLE / "inbox" / "pcat_HT2018.csv")
    assert len(spring) == 109 and len(autumn) == 26
    assert set(autumn["Organisation"]) == {"Björkgårdens äldreboende"}
    assert [str(c) for c in spring.columns[5:]] == [str(k) for k in range(1, 14)]
    shared = set(spring["E-post"]) & set(autumn["E-post"])
    assert len(shared) == 22
