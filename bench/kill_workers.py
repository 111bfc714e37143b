"""kill -9 of workers, again and again: how many reminders are lost, how many sent twice.

    python -m bench.kill_workers [RUNS] [WORKERS] [REMINDERS]   (PostgreSQL; MDT_TEST_POSTGRES_URL)

Each run: a fresh database with REMINDERS due, WORKERS worker processes sweeping at once,
all of them killed with SIGKILL once a few messages are out; then one worker sweeps after the
leases have run out. Lost = due but never delivered; duplicates = deliveries beyond the first.
"""

from __future__ import annotations

import signal
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from tests.reminders.test_worker_processes import NOW, delivered, finish, seed, start_worker


def one_run(url: str, workers: int, reminders: int, files: Path) -> tuple[int, int]:
    """Lost and duplicated deliveries of one run."""
    expected = seed(url, reminders)
    outs = [files / f"w{i}.txt" for i in range(workers)]
    started = [start_worker(url, NOW, out, delay=0.02) for out in outs]
    deadline = time.monotonic() + 120
    while sum(delivered(*outs).values()) < reminders // 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    for process in started:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    late = files / "late.txt"
    finish(start_worker(url, NOW + timedelta(minutes=6), late))
    counts: Counter[str] = delivered(*outs, late)
    lost = len(set(expected) - set(counts))
    duplicates = sum(n - 1 for n in counts.values())
    return lost, duplicates


def main(argv: list[str]) -> int:
    """Run the scenario and print the totals."""
    from storage.scratch import fresh_postgres  # noqa: PLC0415
    from tests.conftest import POSTGRES_URL  # noqa: PLC0415

    runs = int(argv[0]) if argv else 20
    workers = int(argv[1]) if len(argv) > 1 else 3
    reminders = int(argv[2]) if len(argv) > 2 else 60
    lost_total = duplicates_total = 0
    for run in range(runs):
        with fresh_postgres(POSTGRES_URL, f"mdt_kill_{run}") as url, TemporaryDirectory() as files:
            lost, duplicates = one_run(url, workers, reminders, Path(files))
        lost_total += lost
        duplicates_total += duplicates
        print(f"run {run + 1}: {lost} lost, {duplicates} duplicates", flush=True)
    print(
        f"{runs} kill -9 runs of {workers} workers ({reminders} reminders each): "
        f"{lost_total} lost, {duplicates_total} duplicates"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
