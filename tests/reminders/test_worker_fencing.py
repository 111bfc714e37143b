"""Delivery fenced by the lease, and transient failures waited out: nothing twice, nothing lost."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.notify import CollectingNotifier, ServerError
from bot.worker import Outcome, Worker, WorkerOptions
from commands.messages import Message
from storage.db import Store
from tests.reminder_seed import seed_due_reminders
from tests.reminders.test_worker import DUE_AT, NOW, Sleeps, outbox

REMINDERS = 12
OPTIONS = WorkerOptions(lease=timedelta(minutes=5))


@dataclass
class Clock:
    """The worker's clock, moved by the test (and by slow sends)."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


def sent(*notifiers: CollectingNotifier) -> Counter[str]:
    """How many times each reminder (owner and action) was sent, over every notifier."""
    return Counter(
        f"{m.recipient.display_name} {m.context['action'].ref}"  # type: ignore[union-attr]
        for notifier in notifiers
        for m in notifier.messages
    )


class Slow(CollectingNotifier):
    """Each send takes a minute; meanwhile the other worker sweeps."""

    def __init__(self, clock: Clock, other: Worker) -> None:
        super().__init__()
        self.clock, self.other = clock, other

    def send(self, message: Message) -> str:
        sent_as = super().send(message)
        self.clock.advance(1)
        self.other.run_once(self.clock())
        return sent_as


def test_a_sweep_outliving_its_lease_keeps_its_claims_and_nothing_goes_twice(
    store: Store,
) -> None:
    expected = seed_due_reminders(store, REMINDERS, DUE_AT)
    clock = Clock()
    fast = CollectingNotifier()
    other = Worker(store, {"console": fast}, name="b", options=OPTIONS, clock=clock)
    slow = Slow(clock, other)
    Worker(store, {"console": slow}, name="a", options=OPTIONS, clock=clock).run_once(NOW)
    assert clock.now > NOW + OPTIONS.lease * 2
    assert sent(slow, fast) == Counter(expected)
    assert [r.status for r in outbox(store)] == ["sent"] * REMINDERS


def test_a_worker_that_lost_its_claims_sends_none_of_them(store: Store) -> None:
    expected = seed_due_reminders(store, REMINDERS, DUE_AT)
    clock = Clock()
    stalled_api, other_api = CollectingNotifier(), CollectingNotifier()
    stalled = Worker(store, {"console": stalled_api}, name="a", options=OPTIONS, clock=clock)
    stalled.reminders.run(NOW)
    claimed = stalled.claim(NOW)
    assert len(claimed) == REMINDERS
    clock.advance(6)  # the worker stalls past its lease; another sweeps
    Worker(store, {"console": other_api}, name="b", options=OPTIONS).run_once(clock())
    outcome = Outcome(stalled.reminders.run(clock()))
    stalled.send_claimed(claimed, clock(), outcome)
    assert outcome.lost == REMINDERS
    assert stalled_api.messages == []
    assert sent(stalled_api, other_api) == Counter(expected)


class Outage(CollectingNotifier):
    """The platform answers 503 until the outage is over."""

    def __init__(self, clock: Clock, until: datetime) -> None:
        super().__init__()
        self.clock, self.until, self.refused = clock, until, 0

    def send(self, message: Message) -> str:
        if self.clock() < self.until:
            self.refused += 1
            raise ServerError("HTTP 503")
        return super().send(message)


def test_messages_held_back_by_a_five_minute_outage_go_once_it_is_over(store: Store) -> None:
    expected = seed_due_reminders(store, REMINDERS, DUE_AT)
    clock = Clock()
    api = Outage(clock, NOW + timedelta(minutes=5))
    worker = Worker(store, {"console": api}, options=OPTIONS, sleep=Sleeps(), clock=clock)
    failed = 0
    for _minute in range(15):  # the backoff has reached 4 minutes when the outage ends
        failed += worker.run_once(clock()).failed
        clock.advance(1)
    assert api.refused > 0
    assert failed == 0
    assert sent(api) == Counter(expected)
    assert [r.status for r in outbox(store)] == ["sent"] * REMINDERS
