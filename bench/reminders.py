"""Reminder worker benchmark on PostgreSQL: sweep scaling, start-up against APScheduler, workers.

Run from the project folder: `python -m bench.reminders` (MDT_BENCH_POSTGRES_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/test, names the server; each part makes and drops
a database of its own). Prints the figures and the ratios against their targets.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

from sqlalchemy import Engine, insert, text

from commands.messages import Message
from storage.db import Store, make_engine
from storage.models import Action, Meeting, Person, Workspace
from storage.scratch import fresh_postgres

SERVER = os.environ.get(
    "MDT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2027, 3, 24, 10, 0, tzinfo=UTC)
DUE = date(2027, 3, 24)
OWNERS = 200


# Databases and data ---------------------------------------------------------------------------


def _actions(engine: Engine, first: int, count: int, due: date, ids: dict[str, int]) -> int:
    """Insert `count` open actions numbered from `first`; the id of the first one."""
    rows = [
        {
            "workspace_id": ids["workspace"],
            "number": first + i,
            "meeting_id": ids["meeting"],
            "owner_id": ids["owner"] + (i % OWNERS),
            "description": f"task {first + i}",
            "due": due,
            "status": "open",
            "accepted": False,
            "specific": True,
            "measurable": True,
            "relevant": True,
            "time_bound": True,
            "created_by_id": ids["chair"],
            "created_at": NOW - timedelta(days=20),
        }
        for i in range(count)
    ]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Action), rows[start : start + 5000])
        return int(
            connection.execute(
                text("SELECT min(id) FROM action WHERE number >= :n"), {"n": first}
            ).scalar_one()
        )


def seed(url: str, *, due: int, pending: int = 0, history: int = 0) -> None:
    """`due` actions with one reminder due now; `pending` future and `history` sent rows besides.

    The rows besides belong to other open actions, up to 100 rows each, as a long-lived
    database holds them: most of them settled, some waiting for their day.
    """
    engine = make_engine(url)
    with Store(engine).transaction(NOW - timedelta(days=20)) as session:
        workspace = Workspace(
            platform="console",
            external_id="console",
            name="console",
            timezone="Europe/London",
            holidays_nation="England and Wales",
            next_meeting_number=2,
            next_action_number=1,
            created_at=NOW - timedelta(days=20),
        )
        session.add(workspace)
        session.flush()
        chair = Person(workspace_id=workspace.id, external_id="chair", display_name="chair")
        session.add(chair)
        session.flush()
        owners = [
            Person(workspace_id=workspace.id, external_id=f"user{i}", display_name=f"user{i}")
            for i in range(OWNERS)
        ]
        session.add_all(owners)
        session.flush()
        meeting = Meeting(
            workspace_id=workspace.id,
            number=1,
            title="Case review",
            chair_id=chair.id,
            starts_at=NOW - timedelta(days=20),
            ends_at=NOW - timedelta(days=20, hours=-1),
            timezone="Europe/London",
            status="ended",
            channel="team",
            created_at=NOW - timedelta(days=20),
        )
        session.add(meeting)
        session.flush()
        ids = {
            "workspace": workspace.id,
            "chair": chair.id,
            "owner": owners[0].id,
            "meeting": meeting.id,
        }
    if due:
        first = _actions(engine, 1, due, DUE, ids)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO reminder (workspace_id, action_id, key, kind, number, escalate,"
                    " due_at, status, created_at)"
                    " SELECT :w, :first + g, (:first + g) || ':due:2027-03-24', 'due', 0, false,"
                    " :due_at, 'pending', :created FROM generate_series(0, :n - 1) g"
                ),
                {
                    "w": ids["workspace"],
                    "first": first,
                    "n": due,
                    "due_at": NOW - timedelta(hours=1),
                    "created": NOW - timedelta(days=20),
                },
            )
    rest = pending + history
    if rest:
        holders = max(1, rest // 100)
        first = _actions(engine, due + 1, holders, DUE + timedelta(days=60), ids)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO reminder (workspace_id, action_id, key, kind, number, escalate,"
                    " due_at, status, created_at, settled_at)"
                    " SELECT :w, :first + (g % :holders), 'bg:' || g, 'chaser', g, false,"
                    " CASE WHEN g < :pending THEN :future + g * interval '1 second'"
                    "      ELSE :past - g * interval '1 second' END,"
                    " CASE WHEN g < :pending THEN 'pending' ELSE 'sent' END,"
                    " :created,"
                    " CASE WHEN g < :pending THEN NULL ELSE :past END"
                    " FROM generate_series(0, :n - 1) g"
                ),
                {
                    "w": ids["workspace"],
                    "first": first,
                    "holders": holders,
                    "pending": pending,
                    "n": rest,
                    "future": NOW + timedelta(days=30),
                    "past": NOW - timedelta(days=30),
                    "created": NOW - timedelta(days=20),
                },
            )
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


# Part 1: sweep time among few and many rows ----------------------------------------------------


def sweep_seconds(url: str) -> tuple[float, int, str]:
    """Time one sweep over the due reminders; how many it queued; the claim query's plan."""
    from commands.reminders.sweep import ReminderSweep  # noqa: PLC0415

    engine = make_engine(url)
    with engine.connect() as connection:
        plan = connection.execute(
            text(
                "EXPLAIN SELECT id FROM reminder WHERE status = 'pending' AND due_at <= :now"
                " AND (claimed_until IS NULL OR claimed_until < :now)"
                " ORDER BY due_at, id LIMIT 100 FOR UPDATE SKIP LOCKED"
            ),
            {"now": NOW},
        ).all()
    uses = next(
        (str(row[0]).strip(" ->") for row in plan if "Scan" in str(row[0])), "no scan"
    ).split("  (")[0]
    store = Store(engine)
    started = time.perf_counter()
    report = ReminderSweep(store, "bench").run(NOW)
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, report.queued, uses


def part_sweep(due: int, large: int) -> dict[str, float]:
    print(f"1. Sweep: {due:,} due reminders among {due:,} rows and among {large:,} rows")
    with fresh_postgres(SERVER, "mdt_bench") as url:
        seed(url, due=100)
        sweep_seconds(url)  # warm up: imports, templates and calendars loaded once
    with fresh_postgres(SERVER, "mdt_bench") as url:
        seed(url, due=due)
        small, queued_small, plan_small = sweep_seconds(url)
    with fresh_postgres(SERVER, "mdt_bench") as url:
        started = time.perf_counter()
        seed(url, due=due, pending=(large - due) // 5, history=(large - due) - (large - due) // 5)
        print(f"   (seeded {large:,} rows in {time.perf_counter() - started:.0f}s)")
        big, queued_big, plan_big = sweep_seconds(url)
    assert queued_small == queued_big == due, (queued_small, queued_big)
    ratio = big / small
    print(
        f"   among {due:,} rows:      {small:6.2f}s  ({due / small:,.0f} reminders/s)  {plan_small}"
    )
    print(f"   among {large:,} rows: {big:6.2f}s  ({due / big:,.0f} reminders/s)  {plan_big}")
    print(f"   ratio {ratio:.2f} (target <= 1.3): {'met' if ratio <= 1.3 else 'NOT met'}")
    return {"sweep_small_s": small, "sweep_large_s": big, "sweep_ratio": ratio}


# Part 2: start-up time and memory against APScheduler with one job per reminder ---------------


def send_reminder(reminder_id: int) -> None:
    """What each APScheduler job would run (never run here)."""


def fill_apscheduler(url: str, count: int) -> None:
    """APScheduler's SQLAlchemy job store holding one date job per pending reminder."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # noqa: PLC0415
    from apscheduler.schedulers.background import BackgroundScheduler  # noqa: PLC0415

    store = SQLAlchemyJobStore(url=url)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start(paused=True)
    job = scheduler.add_job(
        send_reminder, "date", run_date=NOW + timedelta(days=30), args=[0], id="0"
    )
    state = job.__getstate__()
    scheduler.remove_job("0")
    rows = []
    for i in range(count):
        state.update(id=str(i), args=(i,))
        run_at = NOW + timedelta(days=30, seconds=i)
        state["next_run_time"] = run_at
        state["trigger"] = type(state["trigger"])(run_date=run_at, timezone=UTC)
        rows.append(
            {
                "id": str(i),
                "next_run_time": run_at.timestamp(),
                "job_state": pickle.dumps(state, pickle.HIGHEST_PROTOCOL),
            }
        )
    with store.engine.begin() as connection:
        for start in range(0, count, 10000):
            connection.execute(store.jobs_t.insert(), rows[start : start + 10000])
    scheduler.shutdown(wait=False)


def _status_kb(field: str) -> int:
    """A figure from /proc/self/status, in kB (VmRSS now, VmHWM the peak of this process)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


class CountingNotifier:
    """A platform that takes every message and keeps nothing of it but the count."""

    def __init__(self) -> None:
        self.count = 0

    def send(self, message: Message) -> str:
        """Count the message; its id is its number."""
        self.count += 1
        return f"sent-{self.count}"


def pass_child(url: str) -> None:
    """One whole worker pass, in its own process: the peak memory above its imports."""
    from bot.worker import Worker, WorkerOptions  # noqa: PLC0415

    store = Store(make_engine(url))
    Worker(store, {"console": CountingNotifier()}, options=WorkerOptions()).run_once(
        NOW - timedelta(days=30)
    )  # nothing is due a month early: imports, templates and the driver are loaded
    base_kb = _status_kb("VmRSS")
    notifier = CountingNotifier()
    options = WorkerOptions(keep_delivered=False)
    outcome = Worker(store, {"console": notifier}, options=options).run_once(NOW)
    print(json.dumps({"sent": outcome.sent, "peak_above_kb": _status_kb("VmHWM") - base_kb}))


def child(kind: str, url: str) -> None:
    """One start-up, in its own process: ours (a sweep) or APScheduler's (its jobs loaded).

    Everything either needs is imported first; then the clock and the memory baseline start.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # noqa: PLC0415
    from apscheduler.schedulers.background import BackgroundScheduler  # noqa: PLC0415

    from bot.notify import CollectingNotifier  # noqa: PLC0415
    from bot.worker import Worker, wait_for_database  # noqa: PLC0415

    make_engine(url).dispose()  # loads the database driver, an import both share
    base_kb, started = _status_kb("VmRSS"), time.perf_counter()
    if kind == "pass":
        pass_child(url)
        return
    if kind == "ours":
        store = Store(make_engine(url))
        wait_for_database(store, time.sleep)
        Worker(store, {"console": CollectingNotifier()}).run_once(NOW)
        ready = time.perf_counter() - started
        with store.engine.connect() as connection:
            held = connection.execute(
                text("SELECT count(*) FROM reminder WHERE status = 'pending'")
            ).scalar_one()
    else:
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=url)}, timezone=UTC
        )
        scheduler.start()
        held = len(scheduler.get_jobs())  # checking each reminder has its job, as it must
        ready = time.perf_counter() - started
        scheduler.shutdown(wait=False)
    print(
        json.dumps(
            {"held": held, "ready_s": ready, "base_kb": base_kb, "peak_kb": _status_kb("VmHWM")}
        )
    )


def run_child(*args: str) -> tuple[float, dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.reminders", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])


def part_startup(count: int) -> dict[str, float]:
    print(f"2. Start-up with {count:,} pending reminders: ours against APScheduler's job store")
    with fresh_postgres(SERVER, "mdt_bench") as url:
        seed(url, due=0, pending=count)
        fill_apscheduler(url, count)
        ours_wall, ours = run_child("--child", "ours", url)
        theirs_wall, theirs = run_child("--child", "apscheduler", url)
    for name, wall, got in (("ours", ours_wall, ours), ("APScheduler", theirs_wall, theirs)):
        growth = (got["peak_kb"] - got["base_kb"]) / 1024
        print(
            f"   {name + ':':13}ready {got['ready_s']:6.2f}s after imports ({wall:5.2f}s as a"
            f" process), peak {got['peak_kb'] / 1024:6.1f} MB, {growth:6.1f} MB above its"
            f" imports; {got['held']:,} reminders held"
        )
    faster = theirs["ready_s"] / ours["ready_s"]
    faster_wall = theirs_wall / ours_wall
    ours_growth = max(ours["peak_kb"] - ours["base_kb"], 1)
    lighter = (theirs["peak_kb"] - theirs["base_kb"]) / ours_growth
    lighter_peak = theirs["peak_kb"] / ours["peak_kb"]
    verdict = "met" if faster >= 10 else "NOT met"
    print(
        f"   {faster:.1f}x faster to be ready (target >= 10): {verdict};"
        f" {faster_wall:.1f}x as whole processes"
    )
    print(
        f"   {lighter:.1f}x less memory for the reminders (target >= 5):"
        f" {'met' if lighter >= 5 else 'NOT met'}; {lighter_peak:.1f}x in peak process size"
    )
    return {
        "startup_ratio": faster,
        "startup_ratio_process": faster_wall,
        "memory_ratio": lighter,
        "memory_ratio_peak": lighter_peak,
    }


# Part 3: three workers against one, delivering to a fake API with 50 ms latency ---------------


class FakeAPI(ThreadingHTTPServer):
    """A platform API on loopback: answers each message after 50 ms and counts what it got."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: Counter[str] = Counter()
        self.times: list[float] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/send"


class _Handler(BaseHTTPRequestHandler):
    server: FakeAPI

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        time.sleep(0.05)
        with self.server.lock:
            self.server.received[body] += 1
            self.server.times.append(time.perf_counter())
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


class HTTPNotifier:
    """Posts `<recipient> <action ref>` to the fake API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, message: Message) -> str:
        assert message.recipient is not None
        body = f"{message.recipient.display_name} {message.context['action'].ref}".encode()
        with urlopen(Request(self.url, data=body, method="POST"), timeout=30) as answer:
            answer.read()
        return body.decode()


def deliver_child(url: str, api: str) -> None:
    """One worker process delivering everything it can claim."""
    from bot.worker import Worker, WorkerOptions  # noqa: PLC0415

    store = Store(make_engine(url))
    Worker(store, {"console": HTTPNotifier(api)}, options=WorkerOptions(batch=10)).run_once(NOW)
    store.engine.dispose()


def deliver_with(workers: int, count: int) -> tuple[float, int, int]:
    """Messages per second with this many workers; messages received; duplicates."""
    api = FakeAPI()
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with fresh_postgres(SERVER, "mdt_bench") as url:
        seed(url, due=count)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.reminders", "--deliver", url, api.url],
                cwd=ROOT,
                env=env,
            )
            for _ in range(workers)
        ]
        for process in processes:
            process.wait(timeout=600)
            assert process.returncode == 0
    api.shutdown()
    api.server_close()
    span = max(api.times) - min(api.times)
    duplicates = sum(n - 1 for n in api.received.values())
    return (len(api.times) - 1) / span, len(api.received), duplicates


def part_workers(count: int) -> dict[str, float]:
    print(f"3. Delivery of {count} reminders to a fake API with 50 ms latency")
    one, got_one, dup_one = deliver_with(1, count)
    three, got_three, dup_three = deliver_with(3, count)
    ratio = three / one
    print(f"   1 worker:  {one:6.1f} messages/s, {got_one} delivered, {dup_one} duplicates")
    print(f"   3 workers: {three:6.1f} messages/s, {got_three} delivered, {dup_three} duplicates")
    met = ratio >= 2.5 and dup_one == dup_three == 0 and got_one == got_three == count
    print(f"   {ratio:.2f}x the rate (target >= 2.5, no duplicates): {'met' if met else 'NOT met'}")
    return {"workers_ratio": ratio, "duplicates": dup_one + dup_three}


def part_memory(small: int, large: int) -> dict[str, float]:
    print(f"4. Worker memory over one pass of {small:,} and of {large:,} due reminders")
    peaks = {}
    for count in (small, large):
        with fresh_postgres(SERVER, "mdt_bench") as url:
            seed(url, due=count)
            _, figures = run_child("--child", "pass", url)
        assert figures["sent"] >= count, figures
        peaks[count] = max(figures["peak_above_kb"], 1)
        print(
            f"   {count:>7,} reminders: {figures['sent']:,} sent, peak {peaks[count] / 1024:.1f} MB"
        )
    ratio = peaks[large] / peaks[small]
    print(f"   ratio {ratio:.2f} (target <= 1.5, flat): {'met' if ratio <= 1.5 else 'NOT met'}")
    return {"memory_small_kb": peaks[small], "memory_large_kb": peaks[large], "memory_ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--deliver", nargs=2, metavar=("URL", "API"), help=argparse.SUPPRESS)
    parser.add_argument("--due", type=int, default=10_000, help="due reminders in part 1")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in part 1's big table")
    parser.add_argument("--pending", type=int, default=100_000, help="pending rows in part 2")
    parser.add_argument("--messages", type=int, default=400, help="messages in part 3")
    parser.add_argument("--parts", default="1234", help="which parts to run (default: 1234)")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.deliver:
        deliver_child(*args.deliver)
        return
    started = time.perf_counter()
    figures: dict[str, float] = {}
    if "1" in args.parts:
        figures |= part_sweep(args.due, args.rows)
    if "2" in args.parts:
        figures |= part_startup(args.pending)
    if "3" in args.parts:
        figures |= part_workers(args.messages)
    if "4" in args.parts:
        figures |= part_memory(args.due // 10, args.due)
    print(f"Done in {time.perf_counter() - started:.0f}s: " + json.dumps(figures))


if __name__ == "__main__":
    main()
