"""Read commands over a case series of 10, 100 and 1,000 meetings: statements and time.

Run from the project folder: `python -m bench.reads [--sizes 10 100 1000] [--repeats 5]`. Each
size is one SQLite database holding one case's weekly series (tests/history_seed.py: decisions
to ratify, late actions, a review per meeting). Every read command runs as the series' chair,
interleaved (each repeat runs every command at every size in turn) and repeated; the figures
are the median time with its spread (lowest-highest) and the statements sent. Targets: the same
statements at every size (ratio 1.0), and time growing far slower than the meetings do.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.console import ConsoleSession
from commands.core import Core
from storage.db import Store, make_engine, migrate
from storage.scratch import counting_statements
from tests.history_seed import seed_history

# Commands whose work does not depend on the history's length (one meeting, a bounded list, a
# recent month); the whole-history reviews read every meeting they cover, and take time for it.
BOUNDED_TARGET = 1.5
WHOLE_HISTORY = ("review period", "review series M{last}")
# Lists that grow with the history up to their cap: `list past` shows at most 50 meetings (so
# from 100 meetings on it is full), `actions mine` at most 200 actions (full only at 1,000).
UP_TO_A_CAP = {"list past": 50, "actions mine": 200}
COMMANDS = (
    "review period",
    "review period from {recent}",
    "review series M{last}",
    "review M{last}",
    "list past",
    "list mine",
    "show M{last}",
    "minutes M{last} html",
    "actions mine",
    "actions M{last}",
    "agenda M{next}",
)


@dataclass
class History:
    """One size of history and a console over it."""

    size: int
    store: Store
    session: ConsoleSession
    statements: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)

    def line(self, command: str) -> str:
        """The command with this history's refs filled in."""
        recent = (self.session.now - timedelta(days=28)).strftime("%d/%m/%Y")
        filled = command.format(last=self.size, next=self.size + 1, recent=recent)
        return f"/mdt {filled}"

    def run(self, command: str) -> None:
        """Run one command once, keeping its time and statement count."""
        out = self.session.out
        assert isinstance(out, io.StringIO)
        out.seek(0)
        out.truncate()
        with counting_statements(self.store.engine) as seen:
            began, cpu = time.perf_counter(), time.process_time()
            self.session.line(self.line(command))
            elapsed, used = time.perf_counter() - began, time.process_time() - cpu
        printed = out.getvalue()
        if "Sorry" in printed or not printed.startswith("[only @priya]"):
            raise SystemExit(f"{self.line(command)} at {self.size}: {printed[:300]}")
        self.seconds.setdefault(command, []).append(elapsed)
        self.cpu.setdefault(command, []).append(used)
        self.statements[command] = len(seen)


def build(folder: Path, size: int, template: Path) -> History:
    """A database of `size` meetings (copied from a migrated empty one) and its console."""
    path = folder / f"history-{size}.db"
    shutil.copyfile(template, path)
    store = Store.open(f"sqlite:///{path}")
    began = time.perf_counter()
    now = seed_history(store, size)
    print(f"  seeded {size} meetings in {time.perf_counter() - began:.1f} s", flush=True)
    session = ConsoleSession(
        core=Core(store),
        user="priya",
        channel="team",
        now=now,
        out=io.StringIO(),
        files_dir=folder / f"files-{size}",
    )
    return History(size, store, session)


def spread(values: list[float]) -> str:
    """Median and range in milliseconds."""
    ms = sorted(v * 1000 for v in values)
    return f"{statistics.median(ms):7.1f} ({ms[0]:.1f}-{ms[-1]:.1f})"


def label(command: str) -> str:
    """A command as printed in the table."""
    return (
        command.replace("{last}", "<last>")
        .replace("{next}", "<next>")
        .replace("{recent}", "<4 weeks ago>")
    )


def report(histories: list[History], repeats: int) -> int:
    """The table, one row per command, and whether every target holds."""
    sizes = [h.size for h in histories]
    print(
        f"\nwall ms: median (lowest-highest) of {repeats} interleaved runs; cpu ms: median; "
        "st: statements sent"
    )
    head = "".join(f" | {f'{n} meetings':>32}" for n in sizes)
    print(f"{'command':30}{head} | statements equal?")
    missed = 0
    for command in COMMANDS:
        cells = "".join(
            f" | {spread(h.seconds[command])} {statistics.median(h.cpu[command]) * 1000:5.1f}"
            f" {h.statements[command]:3d} st"
            for h in histories
        )
        counts = {h.statements[command] for h in histories}
        verdict = "met" if len(counts) == 1 else "MISSED"
        missed += verdict != "met"
        print(f"{label(command):30}{cells} | {verdict}")
    first, last = histories[0], histories[-1]
    grow = last.size / first.size
    print(
        f"\ncpu time ratio, {last.size} against {first.size} meetings ({grow:.0f}x the meetings):"
    )
    for command in COMMANDS:
        ratio = statistics.median(last.cpu[command]) / statistics.median(first.cpu[command])
        if command in WHOLE_HISTORY:
            print(f"  {label(command):30} {ratio:6.2f}x (reads all {last.size}: no target)")
            continue
        if command in UP_TO_A_CAP and len(histories) > 2:
            before = histories[-2]
            full = before.size >= UP_TO_A_CAP[command]
            capped = statistics.median(last.cpu[command]) / statistics.median(before.cpu[command])
            verdict = ("met" if capped <= BOUNDED_TARGET else "MISSED") if full else "no target"
            missed += verdict == "MISSED"
            print(
                f"  {label(command):30} {ratio:6.2f}x (lists up to {UP_TO_A_CAP[command]}; "
                f"{last.size} against {before.size}: {capped:.2f}x, "
                f"{'target <= 1.5x: ' if full else ''}{verdict})"
            )
            continue
        verdict = "met" if ratio <= BOUNDED_TARGET else "MISSED"
        missed += verdict != "met"
        print(f"  {label(command):30} {ratio:6.2f}x (target <= {BOUNDED_TARGET}x: {verdict})")
    return 1 if missed else 0


def main() -> int:
    """Seed each size, run the commands interleaved and repeated, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "empty.db"
        engine = make_engine(f"sqlite:///{template}")
        migrate(engine)
        engine.dispose()
        histories = [build(Path(folder), size, template) for size in args.sizes]
        for history in histories:  # one warm-up pass: templates compiled, caches filled
            for command in COMMANDS:
                history.run(command)
            history.seconds.clear()
        for _ in range(max(args.repeats, 3)):
            for command in COMMANDS:
                for history in histories:
                    history.run(command)
        status = report(histories, max(args.repeats, 3))
        for history in histories:
            history.store.engine.dispose()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
