"""Governance benchmark: the personal-data guard, audit verification and the chained append.

Run from the project folder: `python -m bench.governance [--rows 1000000] [--repeats 3]
[--commands 200]`. Three ratios, each measured interleaved (baseline, subject, baseline, ...)
and repeated; the median and the spread (min-max) over the repeats are printed side by side:

1. guard: texts checked per second by `find_pii` against a plain `re.search` of one pattern over
   the same labelled corpus (target >= 0.2x);
2. verify: `audit verify` over `--rows` audit rows on SQLite against a bare SELECT of the same
   rows and columns (target <= 3x);
3. append: one command's transaction with the hash chain against the same command writing its
   audit rows without the chain (no lock, no head, no hash) (target <= 1.3x).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert

from bot.console import ConsoleSession
from commands.core import Core
from commands.governance.pii import find_pii
from storage import audit
from storage.chain import PendingRow, append, iter_scan, verify
from storage.db import Store
from storage.models import AuditEntry

CORPUS = Path(__file__).parent.parent / "tests" / "data" / "pii_corpus.jsonl"
ONE_PATTERN = re.compile(r"\d{3}[ -]?\d{3}[ -]?\d{4}")
START = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def _seconds(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def interleaved(
    baseline: Callable[[], object], subject: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Seconds of each, run alternately `repeats` times after one warm-up of both."""
    baseline()
    subject()
    base, sub = [], []
    for _ in range(repeats):
        base.append(_seconds(baseline))
        sub.append(_seconds(subject))
    return base, sub


def report(name: str, ratios: list[float], target: str, detail: str) -> None:
    """One line: the median ratio, its spread, the target and the raw figures."""
    print(
        f"{name:<7} ratio {statistics.median(ratios):6.2f}x"
        f" (spread {min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} runs; target {target})"
        f"  {detail}"
    )


# 1. The guard --------------------------------------------------------------------------------


def guard_ratios(repeats: int, rounds: int = 20) -> tuple[list[float], str]:
    """Throughput of the guard over that of one regex (higher is better)."""
    texts = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines() if line]
    corpus = texts * rounds

    def plain() -> None:
        for text in corpus:
            ONE_PATTERN.search(text)

    def guard() -> None:
        for text in corpus:
            find_pii(text, ("westsussex.gov.uk",))

    base, sub = interleaved(plain, guard, repeats)
    ratios = [b / s for b, s in zip(base, sub, strict=True)]
    detail = (
        f"guard {len(corpus) / statistics.median(sub):,.0f} texts/s,"
        f" one re.search {len(corpus) / statistics.median(base):,.0f} texts/s"
        f" ({len(texts)} texts x {rounds})"
    )
    return ratios, detail


# 2. Verify -----------------------------------------------------------------------------------


def fill(store: Store, rows: int, batch: int = 20_000) -> None:
    """`rows` chained audit rows shaped like real ones (a created meeting's columns)."""
    after = {
        "id": 1,
        "workspace_id": 1,
        "number": 1,
        "title": "Strategy discussion",
        "case_ref": "AB-1234",
        "meeting_type": "strategy",
        "chair_id": 1,
        "starts_at": "2027-02-02T10:00:00+00:00",
        "ends_at": "2027-02-02T11:00:00+00:00",
        "status": "scheduled",
        "channel": "team",
    }
    written = 0
    while written < rows:
        size = min(batch, rows - written)
        pending = [
            PendingRow(
                1,
                1,
                START + timedelta(seconds=written + n),
                "meeting",
                written + n,
                "created",
                None,
                after,
            )
            for n in range(size)
        ]
        with store.engine.begin() as connection:
            append(connection, pending)
        written += size


def verify_ratios(rows: int, repeats: int) -> tuple[list[float], str]:
    """Time to verify the chain over the time of a bare scan of the same rows (lower is better)."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'mdt.db'}", upgrade=True)
        fill(store, rows)

        def scan() -> None:
            with store.engine.connect() as connection:
                for _row in iter_scan(connection):
                    pass

        def check() -> None:
            with store.engine.connect() as connection:
                verdict = verify(connection)
            assert verdict.whole, verdict
            assert verdict.rows == rows

        base, sub = interleaved(scan, check, repeats)
        store.engine.dispose()
    ratios = [s / b for b, s in zip(base, sub, strict=True)]
    detail = (
        f"verify {statistics.median(sub):.2f} s, bare SELECT {statistics.median(base):.2f} s"
        f" over {rows:,} rows"
    )
    return ratios, detail


# 3. Append -----------------------------------------------------------------------------------


def _plain_append(session: Any) -> None:
    """The audit rows written as before the chain: one insert, no lock, no head, no hash."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    rows: list[PendingRow] = session.info.pop(audit.PENDING, None) or []
    if rows:
        session.connection().execute(
            insert(AuditEntry),
            [
                {
                    "workspace_id": r.workspace_id,
                    "actor_id": r.actor_id,
                    "at": r.at,
                    "entity": r.entity,
                    "entity_id": r.entity_id,
                    "change": r.change,
                    "before": r.before,
                    "after": r.after,
                    "hash": "",
                }
                for r in rows
            ],
        )


def _console(folder: Path, chained: bool) -> ConsoleSession:
    store = Store.open(f"sqlite:///{folder / 'mdt.db'}", upgrade=True)
    if not chained:
        event.remove(store.sessions, "before_commit", audit._append_audit)
        event.listen(store.sessions, "before_commit", _plain_append)
    session = ConsoleSession(
        core=Core(store),
        user="priya",
        channel="team",
        now=START,
        out=io.StringIO(),
        files_dir=folder / "files",
    )
    for line in ("/mdt new Strategy case AB-1234 today at 10am with @tom", "/mdt start M1"):
        session.line(line)
    return session


def append_ratios(commands: int, repeats: int) -> tuple[list[float], str]:
    """Time per command with the chain over the time without it (lower is better)."""
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        plain, chained = _console(Path(one), chained=False), _console(Path(two), chained=True)
        counter = {"plain": 0, "chained": 0}

        def run(session: ConsoleSession, key: str) -> Callable[[], None]:
            def work() -> None:
                for _ in range(commands):
                    counter[key] += 1
                    session.line(f"/mdt note M1 point {counter[key]} discussed")

            return work

        base, sub = interleaved(run(plain, "plain"), run(chained, "chained"), repeats)
        for session in (plain, chained):
            session.core.store.engine.dispose()
    ratios = [s / b for b, s in zip(base, sub, strict=True)]
    detail = (
        f"with chain {statistics.median(sub) / commands * 1000:.2f} ms/command,"
        f" without {statistics.median(base) / commands * 1000:.2f} ms/command"
    )
    return ratios, detail


def main() -> None:
    """Measure the three ratios and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="audit rows for verify")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of each")
    parser.add_argument("--commands", type=int, default=200, help="commands per append run")
    args = parser.parse_args()
    guard = guard_ratios(args.repeats)
    appended = append_ratios(args.commands, args.repeats)
    verified = verify_ratios(args.rows, args.repeats)
    report("guard", guard[0], ">= 0.2x", guard[1])
    report("verify", verified[0], "<= 3x", verified[1])
    report("append", appended[0], "<= 1.3x", appended[1])


if __name__ == "__main__":
    main()
