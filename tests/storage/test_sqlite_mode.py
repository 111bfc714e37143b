"""SQLite files run in write-ahead-log mode and wait for locks; in-memory databases cannot."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.db import SQLITE_BUSY_MS, make_engine


def pragmas(url: str) -> tuple[str, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        mode = connection.execute(text("PRAGMA journal_mode")).scalar_one()
        timeout = connection.execute(text("PRAGMA busy_timeout")).scalar_one()
    engine.dispose()
    return str(mode).lower(), int(timeout)


def test_a_file_database_is_in_wal_mode_and_waits_for_locks(tmp_path: Path) -> None:
    assert pragmas(f"sqlite:///{tmp_path / 'mdt.db'}") == ("wal", SQLITE_BUSY_MS)


def test_an_in_memory_database_keeps_its_own_journal() -> None:
    assert pragmas("sqlite://") == ("memory", SQLITE_BUSY_MS)
    assert pragmas("sqlite:///:memory:") == ("memory", SQLITE_BUSY_MS)
