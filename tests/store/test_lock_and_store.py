"""The project lock and the store's read side."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from project.errors import StoreError
from store import warehouse
from store.lock import project_lock


def test_a_second_writer_waits_then_gives_up_clearly(tmp_path: Path) -> None:
    lock = tmp_path / ".impleval" / "lock"
    lock.parent.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from store.lock import project_lock\n"
            "with project_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with (
            pytest.raises(
                StoreError,
                match=r"another impleval command has held the project for over 0 s "
                r"\(pid \d+: impleval\)\. Hint: let it finish",
            ),
            project_lock(lock, timeout=0.5, poll=0.05),
        ):
            pass
        assert time.monotonic() - started >= 0.5
    finally:
        holder.kill()
        holder.wait()
    with project_lock(lock, timeout=1):  # free again once the holder is gone
        pass


def test_reading_a_project_without_data(tmp_path: Path) -> None:
    with (
        pytest.raises(StoreError, match="the project has no data yet"),
        warehouse.open_warehouse(tmp_path / "warehouse.duckdb", read_only=True),
    ):
        pass


def test_a_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with warehouse.open_warehouse(path) as con:
        with pytest.raises(RuntimeError), warehouse.transaction(con):
            warehouse.set_meta(con, "x", "1")
            raise RuntimeError("boom")
        assert warehouse.get_meta(con, "x") is None
        with warehouse.transaction(con):
            warehouse.set_meta(con, "x", "2")
        assert warehouse.get_meta(con, "x") == "2"
        assert warehouse.get_meta(con, "schema_version") == warehouse.SCHEMA_VERSION
