"""Several worker processes on one PostgreSQL database: each reminder delivered exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Store, make_engine
from storage.models import OutboxMessage, Reminder
from storage.scratch import fresh_postgres
from tests.conftest import POSTGRES_URL
from tests.reminder_seed import seed_due_reminders

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DUE_AT = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
NOW = datetime(2027, 3, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this test's own."""
    with fresh_postgres(POSTGRES_URL, "mdt_workers") as url:
        yield url


def seed(url: str, count: int) -> list[str]:
    store = Store(make_engine(url))
    try:
        return seed_due_reminders(store, count, DUE_AT)
    finally:
        store.engine.dispose()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "MDT_WORKER_BATCH": "20"}


def start_worker(url: str, now: datetime, out: Path, delay: float = 0.0) -> subprocess.Popen[bytes]:
    """A real worker process running one sweep, recording deliveries to `out`."""
    command = [
        sys.executable,
        "-m",
        "tests.worker_proc",
        url,
        now.isoformat(),
        str(out),
        str(delay),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=_env(), stderr=subprocess.PIPE)


def delivered(*files: Path) -> Counter[str]:
    lines: Counter[str] = Counter()
    for path in files:
        if path.exists():
            lines.update(path.read_text().splitlines())
    return lines


def finish(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate(timeout=240)
    assert process.returncode == 0, err.decode()


def test_three_workers_at_once_deliver_each_reminder_exactly_once(
    database: str, tmp_path: Path
) -> None:
    expected = seed(database, 300)
    outs = [tmp_path / f"worker{i}.txt" for i in range(3)]
    workers = [start_worker(database, NOW, out, delay=0.002) for out in outs]
    for worker in workers:
        finish(worker)
    counts = delivered(*outs)
    assert sorted(counts) == sorted(expected)
    assert set(counts.values()) == {1}
    store = Store(make_engine(database))
    with store.transaction(NOW) as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
        assert statuses == {"sent": 300}
        sent = session.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.status == "sent")
        )
        assert sent == 300
    store.engine.dispose()


def test_a_worker_killed_mid_sweep_loses_nothing(database: str, tmp_path: Path) -> None:
    expected = seed(database, 200)
    doomed_out = tmp_path / "doomed.txt"
    doomed = start_worker(database, NOW, doomed_out, delay=0.05)
    deadline = time.monotonic() + 120
    while len(delivered(doomed_out)) < 10:
        assert doomed.poll() is None, "the worker finished before it could be killed"
        assert time.monotonic() < deadline, "the worker delivered nothing"
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=30)

    early_out = tmp_path / "early.txt"
    finish(start_worker(database, NOW + timedelta(minutes=1), early_out))
    late_out = tmp_path / "late.txt"
    finish(start_worker(database, NOW + timedelta(minutes=6), late_out))

    counts = delivered(doomed_out, early_out, late_out)
    assert sorted(counts) == sorted(expected)
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= 1  # at most the one message in flight when the process died
    assert len(delivered(late_out)) > 0  # what the dead worker held came back after its lease
    store = Store(make_engine(database))
    with store.transaction(NOW) as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}
        assert set(session.scalars(select(Reminder.status).where(Reminder.kind == "due"))) == {
            "sent"
        }
    store.engine.dispose()
