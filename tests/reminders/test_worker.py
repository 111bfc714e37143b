"""The worker in one process: claims and leases, delivery retries, failures, and database faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.console import at_name
from bot.notify import (
    CollectingNotifier,
    RateLimitedError,
    ServerError,
    UnreachableError,
)
from bot.render import Renderer
from bot.worker import Ticker, Worker, WorkerOptions, run_with_retry, wait_for_database
from commands.messages import Message
from commands.outbox.queue import dm_to, enqueue
from storage.db import Store, make_engine
from storage.models import Action, OutboxMessage, Person, Reminder, Workspace
from storage.reminder_queries import claim_due_reminders
from tests.reminder_seed import seed_due_reminders

DUE_AT = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
NOW = datetime(2027, 3, 24, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


class FakePlatformAPI:
    """A platform that answers from a script: a status per call (200, 429, 500, 404...)."""

    def __init__(self, script: list[int], retry_after: float = 7.0) -> None:
        self.script = list(script)
        self.retry_after = retry_after
        self.calls: list[Message] = []
        self.accepted: list[Message] = []

    def send(self, message: Message) -> str:
        self.calls.append(message)
        status = self.script.pop(0) if self.script else 200
        if status == 429:
            raise RateLimitedError(self.retry_after)
        if status >= 500:
            raise ServerError(f"HTTP {status}")
        if status == 404:
            raise UnreachableError("user_not_found")
        self.accepted.append(message)
        return f"ts-{len(self.accepted)}"


class Sleeps:
    """An injected sleep that only writes down how long it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def outbox(store: Store) -> list[OutboxMessage]:
    with store.transaction(NOW) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_retries_honour_retry_after_and_back_off_on_server_errors(store: Store) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    api, sleeps = FakePlatformAPI([429, 500, 503, 200]), Sleeps()
    worker = Worker(store, {"console": api}, name="w1", sleep=sleeps)
    outcome = worker.run_once(NOW)
    assert sleeps.waits == [7.0, 2.0, 4.0]
    assert len(api.calls) == 4
    assert len(outcome.delivered) == 1
    [row] = outbox(store)
    assert (row.status, row.attempts, row.platform_message_id) == ("sent", 4, "ts-1")
    assert row.claimed_by is None


def test_the_worker_command_keeps_no_message_it_delivered(store: Store) -> None:
    seed_due_reminders(store, 120, DUE_AT)  # two batches of the default 100
    api = FakePlatformAPI([])
    worker = Worker(store, {"console": api}, options=WorkerOptions(keep_delivered=False))
    outcome = worker.run_once(NOW)
    assert (outcome.sent, outcome.delivered) == (120, [])
    assert len(api.calls) == 120
    assert {r.status for r in outbox(store)} == {"sent"}


def test_a_long_retry_after_is_capped(store: Store) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    api, sleeps = FakePlatformAPI([429, 200], retry_after=3600), Sleeps()
    Worker(store, {"console": api}, sleep=sleeps, options=WorkerOptions(max_wait=60)).run_once(NOW)
    assert sleeps.waits == [60]
    assert [r.status for r in outbox(store)] == ["sent"]


def test_a_message_that_keeps_failing_waits_then_fails_after_a_day_and_the_chair_is_told(
    store: Store,
) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    api, sleeps = FakePlatformAPI([500] * 5), Sleeps()
    worker = Worker(store, {"console": api}, sleep=sleeps, options=WorkerOptions(max_attempts=5))
    assert worker.run_once(NOW).deferred == 1
    assert sleeps.waits == [1.0, 2.0, 4.0, 8.0]
    [waiting] = outbox(store)
    assert (waiting.status, waiting.attempts) == ("pending", 5)
    assert waiting.next_at == NOW + timedelta(seconds=30)
    assert api.accepted == []  # nobody told while it may still go
    api.script = [500] * 5
    outcome = worker.run_once(NOW + timedelta(hours=24, minutes=1))
    rows = outbox(store)
    assert [(r.status, r.attempts) for r in rows] == [("failed", 10), ("sent", 1)]
    assert rows[0].last_error == "ServerError: HTTP 500"
    [notice] = api.accepted
    assert notice.recipient is not None
    assert notice.recipient.display_name == "chair"
    assert notice.template == "reminders:failed"
    assert outcome.failed == 1
    assert (
        Worker(store, {"console": api}, sleep=sleeps).run_once(NOW + timedelta(hours=1)).failed == 0
    )


def test_an_unreachable_person_is_marked_and_the_chair_told_once(store: Store) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    api = FakePlatformAPI([404, 200, 404])
    worker = Worker(store, {"console": api}, sleep=Sleeps())
    worker.run_once(NOW)
    with store.transaction(NOW) as session:
        owner = session.scalars(select(Person).where(Person.display_name == "user0")).one()
        assert owner.unreachable is True
    notices = [m for m in api.accepted if m.template == "reminders:unreachable"]
    assert len(notices) == 1
    assert len(api.calls) == 2  # no retries for someone who cannot be reached
    chaser_time = datetime(2027, 3, 30, 9, 0, tzinfo=UTC)
    worker.run_once(chaser_time)
    assert [m.template for m in api.accepted] == ["reminders:unreachable"]
    assert [r.status for r in outbox(store)] == ["failed", "sent", "failed"]


def test_a_delivery_to_someone_marked_unreachable_clears_the_mark(store: Store) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    worker = Worker(store, {"console": FakePlatformAPI([404, 200, 200])}, sleep=Sleeps())
    worker.run_once(NOW)
    worker.run_once(datetime(2027, 3, 30, 9, 0, tzinfo=UTC))
    with store.transaction(NOW) as session:
        owner = session.scalars(select(Person).where(Person.display_name == "user0")).one()
        assert owner.unreachable is False


def test_claims_are_exclusive_until_the_lease_runs_out(store: Store) -> None:
    seed_due_reminders(store, 30, DUE_AT)
    with store.transaction(NOW) as session:
        first = claim_due_reminders(session, "a", NOW, LEASE, 20)
    with store.transaction(NOW) as session:
        second = claim_due_reminders(session, "b", NOW, LEASE, 20)
    with store.transaction(NOW) as session:
        third = claim_due_reminders(session, "c", NOW + LEASE - timedelta(seconds=1), LEASE, 50)
    assert len(first) == 20
    assert len(second) == 10
    assert not set(first) & set(second)
    assert third == []
    with store.transaction(NOW) as session:
        reclaimed = claim_due_reminders(session, "c", NOW + LEASE + timedelta(seconds=1), LEASE, 50)
    assert reclaimed == sorted(first + second)


def test_a_dead_workers_claims_are_delivered_by_another_after_the_lease(store: Store) -> None:
    expected = seed_due_reminders(store, 12, DUE_AT)
    with store.transaction(NOW) as session:
        claim_due_reminders(session, "dead", NOW, LEASE, 100)
    api = CollectingNotifier()
    survivor = Worker(store, {"console": api}, name="survivor", options=WorkerOptions(lease=LEASE))
    assert survivor.run_once(NOW + timedelta(minutes=1)).delivered == []
    survivor.run_once(NOW + LEASE + timedelta(minutes=1))
    got = sorted(f"{m.recipient.display_name} {m.context['action'].ref}" for m in api.messages)  # type: ignore[union-attr]
    assert got == sorted(expected)


def test_reminders_of_a_closed_action_never_go(store: Store) -> None:
    seed_due_reminders(store, 2, DUE_AT)
    with store.transaction(NOW) as session:
        action = session.scalars(select(Action).where(Action.number == 1)).one()
        action.status = "cancelled"
    api = CollectingNotifier()
    outcome = Worker(store, {"console": api}).run_once(NOW)
    assert [m.context["action"].ref for m in api.messages] == ["A2"]
    assert outcome.sweep.cancelled == 1
    with store.transaction(NOW) as session:
        statuses = session.execute(
            select(Action.number, Reminder.status).join(Action, Reminder.action_id == Action.id)
        ).all()
        assert ("cancelled" in {s for n, s in statuses if n == 1}) is True
        assert {s for n, s in statuses if n == 1} == {"cancelled"}


def test_messages_for_a_platform_without_a_notifier_wait_in_the_outbox(store: Store) -> None:
    seed_due_reminders(store, 3, DUE_AT)
    outcome = Worker(store, {"slack": CollectingNotifier()}).run_once(NOW)
    assert outcome.sweep.queued == 3
    assert outcome.delivered == []
    assert [r.status for r in outbox(store)] == ["pending"] * 3
    api = CollectingNotifier()
    Worker(store, {"console": api}).run_once(NOW)
    assert len(api.messages) == 3


def test_the_worker_waits_for_an_unreachable_database(tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"
    store = Store(make_engine(f"sqlite:///{folder / 'mdt.db'}"))
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            folder.mkdir()

    wait_for_database(store, sleep)
    assert sleeps == [2.0, 4.0, 8.0]
    seed_due_reminders(store, 2, DUE_AT)
    assert (
        len(run_with_retry(Worker(store, {"console": CollectingNotifier()}), NOW, sleep).delivered)
        == 2
    )


def test_a_sweep_during_an_outage_is_retried_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "mdt.db"
    store = Store.open(f"sqlite:///{path}", upgrade=True)
    seed_due_reminders(store, 2, DUE_AT)
    moved = tmp_path / "away.db"
    path.rename(moved)
    path.mkdir()  # the database file is now a folder: every connection fails
    api = CollectingNotifier()
    worker = Worker(store, {"console": api})
    store.engine.dispose()
    clock_times = iter([NOW, NOW + timedelta(minutes=1)])
    ticker = Ticker(worker, lambda: next(clock_times))
    ticker()  # logs and returns: the scheduler calls it again at the next interval
    assert api.messages == []
    path.rmdir()
    moved.rename(path)
    store.engine.dispose()
    ticker()
    assert len(api.messages) == 2


def test_the_worker_command_prints_console_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'mdt.db'}"
    store = Store.open(url, upgrade=True)
    seed_due_reminders(store, 2, DUE_AT)
    assert main(["worker", "--db", url, "--once", "--now", "2027-03-24T10:00:00+00:00"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == (
        "[DM @user0] A1 is due today, Wed 24 Mar 2027: task 1. From M1 Case review."
    )
    assert printed.count("[DM @user") == 2
    assert main(["worker", "--db", url, "--once", "--now", "2027-03-24T10:05:00+00:00"]) == 0
    assert capsys.readouterr().out == ""
    with store.transaction(NOW) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    store.engine.dispose()


def test_the_worker_command_refuses_a_bad_moment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--once", "--now", "next tuesday"]) == 2
    assert "--now 'next tuesday' is not an ISO date-time" in capsys.readouterr().err


def test_the_worker_runs_its_sweep_under_apscheduler_until_stopped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mdt.db'}"
    store = Store.open(url, upgrade=True)
    seed_due_reminders(store, 2, DUE_AT)
    store.engine.dispose()
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "bot.cli", "worker", "--db", url, "--interval", "0.2"]
    command += ["--now", "2027-03-24T10:00:00+00:00"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    worker = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None
    heads: list[str] = []
    while len(heads) < 2:
        line = worker.stdout.readline()
        assert line, "the worker stopped before sending"
        if line.startswith("["):
            heads.append(line[:12])
    worker.send_signal(signal.SIGTERM)
    rest, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert sorted(heads) == ["[DM @user0] ", "[DM @user1] "]
    assert "[DM @user" not in rest  # each sent once, however many sweeps ran


class ChannelDown(FakePlatformAPI):
    """A platform whose channel posts all fail with 500, direct messages go through."""

    def send(self, message: Message) -> str:
        if message.audience == "channel":
            self.calls.append(message)
            raise ServerError("HTTP 500")
        return super().send(message)


def test_a_failed_escalation_note_is_reported_to_the_chair(store: Store) -> None:
    seed_due_reminders(store, 1, DUE_AT)
    api = ChannelDown([])
    worker = Worker(store, {"console": api}, sleep=Sleeps())
    worker.run_once(NOW)
    worker.run_once(datetime(2027, 3, 30, 9, 0, tzinfo=UTC))  # first chaser
    worker.run_once(datetime(2027, 4, 1, 9, 0, tzinfo=UTC))  # second: chair and channel told
    worker.run_once(datetime(2027, 4, 2, 9, 1, tzinfo=UTC))  # the channel still down a day on
    renderer = Renderer(mention=at_name)
    said = [renderer.render(m) for m in api.accepted if m.template == "reminders:failed"]
    assert said == [
        "A reminder about A1 for the meeting channel could not be delivered after 10 attempts."
    ]
    assert [m.recipient.display_name for m in api.accepted][-1] == "chair"  # type: ignore[union-attr]


def test_a_further_step_writes_to_the_outbox_and_the_worker_delivers_it(store: Store) -> None:
    seed_due_reminders(store, 1, DUE_AT)

    def step(now: datetime) -> None:
        with store.transaction(now) as session:
            chair = session.scalars(select(Person).where(Person.display_name == "chair")).one()
            workspace = session.get(Workspace, chair.workspace_id)
            assert workspace is not None
            message = dm_to(chair, workspace, "reminders:failed", action_ref="A1", attempts=5)
            enqueue(session, workspace, message, key="step:1", now=now, person_id=chair.id)

    api = CollectingNotifier()
    Worker(store, {"console": api}, steps=[step]).run_once(NOW)
    assert sorted(m.recipient.display_name for m in api.messages) == ["chair", "user0"]  # type: ignore[union-attr]
    assert {r.key: r.status for r in outbox(store)}["step:1"] == "sent"
