"""A worker process for the multi-process tests: one sweep, each delivery appended to a file.

Usage: python -m tests.worker_proc DATABASE_URL NOW OUT_FILE [SECONDS_PER_SEND]
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

from bot.worker import Worker, WorkerOptions, run_with_retry
from commands.messages import Message
from storage.db import Store, make_engine


class FileNotifier:
    """Appends `<recipient> <action ref>` per delivery, one write per line, flushed at once."""

    def __init__(self, path: Path, delay: float) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.delay = delay

    def send(self, message: Message) -> str:
        time.sleep(self.delay)
        assert message.recipient is not None
        line = f"{message.recipient.display_name} {message.context['action'].ref}\n"
        os.write(self.fd, line.encode())
        return f"{os.getpid()}-{line.strip()}"


def main(argv: list[str]) -> int:
    url, now, out = argv[0], datetime.fromisoformat(argv[1]), Path(argv[2])
    delay = float(argv[3]) if len(argv) > 3 else 0.0
    store = Store(make_engine(url))
    worker = Worker(
        store,
        {"console": FileNotifier(out, delay)},
        options=WorkerOptions(batch=int(os.environ.get("MDT_WORKER_BATCH", "20"))),
    )
    run_with_retry(worker, now, time.sleep)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
