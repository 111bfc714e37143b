"""The worker: one short interval sweep under APScheduler, and outbox delivery with retries.

Reminders are rows, not scheduler jobs: APScheduler holds a single interval job per process,
and any number of processes share the rows through leases (see storage/reminder_queries.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from types import FrameType

from sqlalchemy.exc import DBAPIError, OperationalError

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.console import parse_moment
from bot.notify import (
    AmbiguousError,
    CollectingNotifier,
    DeferredError,
    Notifier,
    NotifyError,
    RateLimitedError,
    ServerError,
    UnreachableError,
    notifiers_for,
)
from commands.escalation.sweep import StageSweep
from commands.governance.retention import daily_retention
from commands.messages import Message
from commands.outbox.queue import (
    delivered,
    delivery_deferred,
    delivery_failed,
    queued_message,
)
from commands.reminders.sweep import ReminderSweep, SweepReport
from commands.reviews.meeting_review import close_due_reviews_to_outbox
from storage.db import Store, make_engine, migrate
from storage.models import OutboxMessage
from storage.reminder_queries import (
    claim_outbox,
    claimed_outbox,
    held_outbox,
    mark_in_flight,
    renew_outbox,
)

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]


def worker_name() -> str:
    """A name for this worker process, written on the rows it claims."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class WorkerOptions:
    """How often to sweep, how long a claim lasts, and how hard to try each message."""

    interval: float = 60.0
    lease: timedelta = timedelta(minutes=5)
    batch: int = 100
    max_attempts: int = 5
    backoff: float = 1.0
    max_wait: float = 60.0
    # After a pass of `max_attempts` transient failures (5xx, 429, timeouts, network) a message
    # waits and is tried again, backing off from `retry_first` to `retry_longest`, for as long
    # as `retry_for` after it was written; only then, or on a permanent error, does it fail.
    retry_first: timedelta = timedelta(seconds=30)
    retry_longest: timedelta = timedelta(minutes=10)
    retry_for: timedelta = timedelta(hours=24)
    # Keep each delivered message in the run's outcome (the console prints them; tests read
    # them). `mdtbot worker` keeps only the count, so its memory does not grow with a pass.
    keep_delivered: bool = True


@dataclass
class Outcome:
    """What one run did: the sweep's report, how many messages went (and which, if kept)."""

    sweep: SweepReport
    delivered: list[Message] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    lost: int = 0


@dataclass(frozen=True)
class _Claimed:
    outbox_id: int
    message: Message
    platform: str
    attempts: int


@dataclass
class _Attempt:
    platform_id: str | None = None
    error: str = ""
    attempts: int = 0
    unreachable: bool = False
    transient: bool = False
    deferred: bool = False


class Worker:
    """Sweeps due reminders into the outbox and delivers the outbox through the notifiers."""

    def __init__(
        self,
        store: Store,
        notifiers: Mapping[str, Notifier],
        *,
        name: str | None = None,
        options: WorkerOptions | None = None,
        sleep: Sleep = time.sleep,
        steps: Sequence[Callable[[datetime], object]] = (),
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.notifiers = dict(notifiers)
        self.name = name or worker_name()
        self.options = options or WorkerOptions()
        self.sleep = sleep
        self.steps = list(steps)
        self.clock = clock
        self.reminders = ReminderSweep(
            store, self.name, lease=self.options.lease, batch=self.options.batch
        )
        self.stage_notices = StageSweep(store, self.name, lease=self.options.lease)

    def run_once(self, now: datetime) -> Outcome:
        """One sweep (reminders, then any further steps) and one pass over the outbox.

        A further step (closing reviews, say) writes what it has to say to the outbox
        (commands.outbox.queue.enqueue) in the transaction of its change; delivery is shared.
        """
        outcome = Outcome(self.reminders.run(now))
        self.stage_notices(now)
        for step in self.steps:
            step(now)
        self.deliver(now, outcome)
        return outcome

    # Outbox delivery ------------------------------------------------------------------------

    def current(self, now: datetime) -> datetime:
        """The time as delivery goes on: the clock's when the worker has one, else the run's."""
        return self.clock() if self.clock is not None else now

    def deliver(self, now: datetime, outcome: Outcome) -> None:
        """Deliver every outbox message this worker can claim, until none is left."""
        while True:
            claimed = self.claim(now)
            if not claimed:
                return
            self.send_claimed(claimed, now, outcome)

    def claim(self, now: datetime) -> list[_Claimed]:
        """Claim a batch of outbox messages under this worker's lease, and read them."""
        with self.store.transaction(now) as session:
            ids = claim_outbox(
                session,
                self.name,
                now,
                self.options.lease,
                self.options.batch,
                platforms=self.notifiers,
            )
        if not ids:
            return []
        with self.store.transaction(now) as session:
            return [
                _Claimed(row.id, _keyed(row), row.platform, row.attempts)
                for row in claimed_outbox(session, self.name, ids)
            ]

    def send_claimed(self, claimed: list[_Claimed], now: datetime, outcome: Outcome) -> None:
        """Send a claimed batch in turn, fenced by the lease.

        Before each message the lease on every message still to go is renewed; a message
        whose claim has been lost (the lease ran out and another worker took it) is not sent.
        """
        remaining = [one.outbox_id for one in claimed]
        for one in claimed:
            moment = self.current(now)
            with self.store.transaction(moment) as session:
                held = set(renew_outbox(session, self.name, remaining, moment, self.options.lease))
                if one.outbox_id in held:
                    mark_in_flight(session, one.outbox_id, IN_FLIGHT)
            remaining = [i for i in remaining if i in held and i != one.outbox_id]
            if one.outbox_id not in held:
                log.warning("outbox message %s: claim lost before sending; not sent", one.outbox_id)
                outcome.lost += 1
                continue
            self._deliver_one(one, now, outcome)

    def _deliver_one(self, claimed: _Claimed, now: datetime, outcome: Outcome) -> None:
        outbox_id, message = claimed.outbox_id, claimed.message
        result = self._send(self.notifiers[claimed.platform], message, claimed.attempts)
        moment = self.current(now)
        with self.store.transaction(moment) as session:
            row = held_outbox(session, self.name, outbox_id)
            if row is None:
                log.warning("outbox message %s: claim lost while sending", outbox_id)
                outcome.lost += 1
                return
            if result.platform_id is not None:
                delivered(session, row, moment, result.platform_id, attempts=result.attempts)
                if row.last_error == IN_FLIGHT:
                    row.last_error = None
                outcome.sent += 1
                if self.options.keep_delivered:
                    outcome.delivered.append(message)
            elif result.deferred:
                delivery_deferred(
                    session, row, moment, error=result.error, attempts=result.attempts
                )
                outcome.deferred += 1
            elif result.transient and moment < row.created_at + self.options.retry_for:
                delivery_deferred(
                    session,
                    row,
                    moment,
                    error=result.error,
                    attempts=result.attempts,
                    wait=self._retry_wait(result.attempts),
                )
                outcome.deferred += 1
            else:
                delivery_failed(
                    session,
                    row,
                    moment,
                    error=result.error,
                    attempts=result.attempts,
                    unreachable=result.unreachable,
                )
                outcome.failed += 1

    def _retry_wait(self, attempts: int) -> timedelta:
        """How long a message waits after its latest pass of transient failures (capped)."""
        passes = max((attempts - 1) // self.options.max_attempts, 0)
        wait = self.options.retry_first * (1 << min(passes, 20))
        return min(wait, self.options.retry_longest)

    def _send(self, notifier: Notifier, message: Message, done_before: int) -> _Attempt:
        """Try a message until it goes, with backoff on 5xx and the wait a 429 asks for."""
        result = _Attempt(attempts=done_before)
        for attempt in range(1, self.options.max_attempts + 1):
            result.attempts = done_before + attempt
            try:
                result.platform_id = notifier.send(message)
            except AmbiguousError as error:  # it may have gone: look for it before sending again
                result.error, result.transient = f"{AMBIGUOUS}: {error}", True
                message = replace(message, meta={**message.meta, "ambiguous": True})
                wait = self.options.backoff * 2 ** (attempt - 1)
            except UnreachableError as error:
                result.error, result.unreachable = f"unreachable: {error}", True
                return result
            except DeferredError as error:
                result.error, result.deferred = f"waiting: {error}", True
                return result
            except RateLimitedError as error:
                result.error, result.transient = f"rate limited: {error}", True
                wait = error.retry_after
            except ServerError as error:
                result.error, result.transient = f"{type(error).__name__}: {error}", True
                wait = self.options.backoff * 2 ** (attempt - 1)
            except NotifyError as error:  # the platform refused the message: it never will take it
                result.error, result.transient = f"{type(error).__name__}: {error}", False
                return result
            except Exception as error:  # a fault of ours: retrying will not help
                log.exception("outbox message could not be built for sending")
                result.error = f"{type(error).__name__}"
                return result
            else:
                return result
            if attempt < self.options.max_attempts:
                self.sleep(min(max(wait, 0.0), self.options.max_wait))
        return result


AMBIGUOUS = "AmbiguousError"
# Written on a message just before it is sent: a worker killed mid-send leaves it there, so
# whoever takes the message over looks for it on the platform before sending it again.
IN_FLIGHT = f"{AMBIGUOUS}: being sent when the worker stopped"


def _keyed(row: OutboxMessage) -> Message:
    """The row's message carrying its outbox key (and whether an earlier try may have gone)."""
    message = queued_message(row)
    ambiguous = (row.last_error or "").startswith(AMBIGUOUS)
    return replace(message, meta={**message.meta, "outbox_key": row.key, "ambiguous": ambiguous})


DATABASE_FAULTS = (OperationalError, DBAPIError)


def _waiting(error: Exception, wait: float | None) -> None:
    then = f"trying again in {wait:.0f}s" if wait is not None else "the next sweep tries again"
    log.warning("database unreachable (%s); %s", type(error).__name__, then)


def wait_for_database(
    store: Store, sleep: Sleep, *, attempts: int | None = None, max_wait: float = 30.0
) -> None:
    """Bring the schema up to date, waiting (with backoff) while the database is unreachable."""
    tried = 0
    while True:
        tried += 1
        try:
            migrate(store.engine)
        except DATABASE_FAULTS as error:
            if attempts is not None and tried >= attempts:
                raise
            wait = min(2.0 ** min(tried, 10), max_wait)
            log.warning(
                "database unreachable (%s); trying again in %.0fs", type(error).__name__, wait
            )
            sleep(wait)
        else:
            return


def run_with_retry(
    worker: Worker, now: datetime, sleep: Sleep, *, attempts: int = 10, max_wait: float = 30.0
) -> Outcome:
    """One run, waiting and trying again while the database is unreachable."""
    tried = 0
    while True:
        tried += 1
        try:
            return worker.run_once(now)
        except DATABASE_FAULTS as error:
            if tried >= attempts:
                raise
            wait = min(2.0 ** min(tried, 10), max_wait)
            log.warning(
                "database unreachable (%s); trying again in %.0fs", type(error).__name__, wait
            )
            sleep(wait)


class Ticker:
    """The interval job: one run as at the clock's time; a database fault waits for next time."""

    def __init__(self, worker: Worker, clock: Clock) -> None:
        self.worker = worker
        self.clock = clock

    def __call__(self) -> None:
        try:
            outcome = self.worker.run_once(self.clock())
        except DATABASE_FAULTS as error:
            log.warning(
                "database unreachable (%s); the next sweep tries again", type(error).__name__
            )
            return
        if outcome.sweep.queued or outcome.sent or outcome.failed:
            log.info(
                "sweep: %d reminders queued, %d messages delivered, %d failed",
                outcome.sweep.queued,
                outcome.sent,
                outcome.failed,
            )


def run_forever(worker: Worker, clock: Clock, interval: float) -> None:
    """Sweep every `interval` seconds under APScheduler until SIGINT or SIGTERM."""
    from apscheduler.schedulers.blocking import BlockingScheduler  # noqa: PLC0415

    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        Ticker(worker, clock),
        "interval",
        seconds=interval,
        max_instances=1,
        coalesce=True,
        next_run_time=system_clock(),
        id="sweep",
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()


def console_sweep(store: Store) -> Callable[[datetime], list[Message]]:
    """The sweep the console's `:clock` runs: the worker's, delivering console messages to it."""
    collector = CollectingNotifier()
    worker = Worker(store, {"console": collector}, name="console")

    def sweep(now: datetime) -> list[Message]:
        worker.run_once(now)
        return collector.take()

    return sweep


def add_worker_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `mdtbot worker` command line."""
    parser = sub.add_parser("worker", help="send due reminders (several may run on PostgreSQL)")
    parser.add_argument("--db", help="database URL (default: DATABASE_URL)")
    parser.add_argument("--once", action="store_true", help="run a single sweep and exit")
    parser.add_argument("--now", help="sweep as at this ISO date-time (default: the clock)")
    parser.add_argument(
        "--interval", type=float, default=60.0, help="seconds between sweeps (default: 60)"
    )


def run_worker_command(args: argparse.Namespace, settings: Settings, url: str) -> int:
    """Run `mdtbot worker`: one sweep with --once, otherwise every --interval seconds."""
    start = parse_moment(args.now) if args.now else None
    if args.now and start is None:
        print(f"mdtbot worker: --now {args.now!r} is not an ISO date-time", file=sys.stderr)  # noqa: T201
        return 2
    if args.interval <= 0:
        print("mdtbot worker: --interval must be a positive number of seconds", file=sys.stderr)  # noqa: T201
        return 2
    store = Store(make_engine(url))
    wait_for_database(store, time.sleep)
    notifiers = notifiers_for(replace(settings, database_url=url))
    clock = system_clock if start is None else _offset_clock(start)
    worker = Worker(
        store,
        notifiers,
        options=WorkerOptions(interval=args.interval, keep_delivered=False),
        steps=[
            partial(close_due_reviews_to_outbox, store),
            partial(daily_retention, store, settings.governance),
        ],
        clock=clock,  # leases are renewed, and deliveries recorded, at the time they happen
    )
    try:
        if args.once:
            run_with_retry(worker, clock(), time.sleep)
        else:
            run_forever(worker, clock, args.interval)
    finally:
        store.engine.dispose()
    return 0


def _offset_clock(start: datetime) -> Clock:
    began = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began)

    return clock
