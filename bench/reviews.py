"""Review benchmark: statements and time for a period review and for the clock's review close.

Run from the project folder: `python -m bench.reviews [--small 10] [--large 40]`. Plays that many
meetings (each with attendance, a decision, two actions and three review items) through the
console on SQLite, then measures `/mdt review period` and `close_due_reviews` for each size and
prints the ratios (targets: the period review's statements do not grow with the meetings,
ratio <= 1.2; closing stays within 1.5x per review).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.console import ConsoleSession
from commands.core import Core
from commands.reviews.meeting_review import close_due_reviews
from storage.db import Store
from storage.scratch import counting_statements

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def play(folder: Path, meetings: int) -> tuple[Store, ConsoleSession]:
    """A channel with that many ended meetings, one a week, each with an open review."""
    store = Store.open(f"sqlite:///{folder / 'mdt.db'}", upgrade=True)
    session = ConsoleSession(
        core=Core(store),
        user="priya",
        channel="team",
        now=START,
        out=io.StringIO(),
        files_dir=folder / "files",
    )
    for line in (
        "/mdt iam Brighton Adult Social Care",
        ":as tom",
        "/mdt iam Moat Housing",
        ":as nina",
        "/mdt iam NHS Community Mental Health",
        ":as priya",
    ):
        session.line(line)
    for n in range(1, meetings + 1):
        day = START + timedelta(weeks=n)
        session.now = day - timedelta(days=1)
        date_text = day.strftime("%d/%m/%Y")
        due_text = (day + timedelta(days=7)).strftime("%d/%m/%Y")
        for line in (
            f"/mdt new Case review {n} case AB-1234 on {date_text} at 10:00 type complex-case"
            " with @tom @nina",
            ":as tom",
            f"/mdt attend M{n}",
            ":as priya",
        ):
            session.line(line)
        session.now = day.replace(hour=10)
        for line in (
            f"/mdt start M{n}",
            "decision: Carry on with the plan because it works",
            f"action: @tom confirm the rails are fitted by {due_text} measure photo shared",
            f"action: @priya consider respite by {due_text}",
            f"/mdt end M{n}",
            ":as tom",
            f"/mdt review M{n} keep short agenda",
            f"/mdt review M{n} start visits",
            ":as priya",
            f"/mdt review M{n} stop long updates",
        ):
            session.line(line)
    return store, session


def measure(meetings: int) -> tuple[int, float, int, float]:
    """Statements and seconds for a period review, and per review for closing them all."""
    with tempfile.TemporaryDirectory() as folder:
        store, session = play(Path(folder), meetings)
        session.now = START + timedelta(weeks=meetings + 2)
        with counting_statements(store.engine) as seen:
            began = time.perf_counter()
            session.line("/mdt review period")
            review_seconds = time.perf_counter() - began
        review_statements = len(seen)
        with counting_statements(store.engine) as seen:
            began = time.perf_counter()
            closed = close_due_reviews(store, session.now)
            close_seconds = time.perf_counter() - began
        if len(closed) != meetings:
            raise SystemExit(f"only {len(closed)} of {meetings} reviews closed: the script failed")
        store.engine.dispose()
        return review_statements, review_seconds, len(seen) // meetings, close_seconds / meetings


def main() -> None:
    """Measure both sizes and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=40)
    args = parser.parse_args()
    small, large = measure(args.small), measure(args.large)
    for name, figures in ((args.small, small), (args.large, large)):
        print(
            f"{name} meetings: period review {figures[0]} statements, {figures[1] * 1000:.0f} ms;"
            f" closing {figures[2]} statements and {figures[3] * 1000:.1f} ms per review"
        )
    print(f"period review statements ratio {large[0] / small[0]:.2f} (target <= 1.2)")
    times = large[1] / small[1]
    print(f"period review time ratio {times:.2f} for {args.large / args.small:.0f}x the meetings")
    print(f"closing time per review ratio {large[3] / small[3]:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
