"""store/staging: staged rows land in order, and their files stay beside the store (never the system's
temporary folder); a folder a killed ingest left is removed by the next staged insert."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from store import staging


@pytest.fixture
def store(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    (tmp_path / "store").mkdir()
    con = duckdb.connect(str(tmp_path / "store" / "s.duckdb"))
    con.execute("CREATE TABLE t (a INTEGER, b VARCHAR)")
    return con


def test_staged_rows_arrive_in_order_and_the_folder_is_beside_the_store(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "STAGING_ROWS", 1)
    seen: list[str] = []
    real = staging.tempfile.TemporaryDirectory

    def spy(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(str(kwargs.get("dir")))
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(staging.tempfile, "TemporaryDirectory", spy)
    left = tmp_path / "store" / f"{staging.STAGING_PREFIX}killed"
    left.mkdir()
    (left / "part-000000.parquet").write_bytes(b"left by a killed ingest")
    frames = [pd.DataFrame({"a": [i, i + 1], "b": [f"x{i}", None]}) for i in range(0, 10, 2)]
    store.execute("BEGIN")
    staging.insert_frames(store, "t", iter(frames), rows=10)
    store.execute("COMMIT")
    assert [r[0] for r in store.execute("SELECT a FROM t").fetchall()] == list(range(10))
    assert seen == [str((tmp_path / "store").resolve())]
    assert not left.exists()
    assert not list((tmp_path / "store").glob(f"{staging.STAGING_PREFIX}*"))
