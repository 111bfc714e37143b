"""A bounded queue: past MDT_QUEUE_CAPACITY the person is told the bot is busy; nothing is saved."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import Settings, SettingsError
from storage.db import Store
from storage.models import Decision, Meeting, ProcessedEvent
from tests.slack.conftest import BOOKED, PRIYA, TOM, Running, running
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import CHANNEL, message_event, unique

CAPACITY = 2
BUSY = "I'm busy just now and nothing was saved. Please try again in a moment."


def count(run: Running, model: type) -> int:
    with run.store.transaction(run.clock()) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def small(store: Store, fake: FakeSlack) -> Iterator[Running]:
    """The real server with room for two pieces of work."""
    with running(store, fake, queue_capacity=CAPACITY) as run:
        yield run


class Gate:
    """Holds every command's work on its worker thread until opened."""

    def __init__(self, run: Running, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = threading.Event()
        self.entered = threading.Semaphore(0)
        real = run.bot.command_and_send

        def held(*args: Any) -> None:
            self.entered.release()
            assert self.opened.wait(10)
            real(*args)

        monkeypatch.setattr(run.bot, "command_and_send", held)

    def wait_for(self, workers: int) -> None:
        for _ in range(workers):
            assert self.entered.acquire(timeout=10)


def send(run: Running, text: str) -> Any:
    return run.client.slash(text, PRIYA, response_url=run.fake.response_url(unique("r")))


def test_past_capacity_a_command_is_told_busy_and_saves_nothing(
    small: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(small, monkeypatch)
    first = [send(small, f"new Review {n} on 4/2/2027 at 10:00") for n in range(CAPACITY)]
    gate.wait_for(CAPACITY)
    refused = send(small, "new Refused review on 4/2/2027 at 11:00")
    assert [r.status_code for r in first] == [200] * CAPACITY
    assert all(r.text == "" for r in first)
    assert refused.status_code == 200
    assert refused.json() == {"response_type": "ephemeral", "text": BUSY}

    gate.opened.set()
    small.bot.drain()
    assert count(small, Meeting) == CAPACITY
    with small.store.transaction(small.clock()) as session:
        titles = set(session.scalars(select(Meeting.title)))
    assert "Refused review" not in titles

    again = small.slash("new Refused review on 4/2/2027 at 11:00", PRIYA)
    assert again.text == ""
    assert count(small, Meeting) == CAPACITY + 1


def test_a_captured_line_past_capacity_is_answered_privately_in_its_thread(
    small: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    small.slash(f"new Discharge planning on 4/2/2027 at 10:00 with <@{TOM}>", PRIYA)
    small.clock.now = BOOKED
    small.slash("start M1", PRIYA)
    with small.store.transaction(small.clock()) as session:
        thread = session.scalar(select(Meeting.thread_id))
    assert thread
    seen = count(small, ProcessedEvent)
    gate = Gate(small, monkeypatch)
    for _ in range(CAPACITY):
        send(small, "list")
    gate.wait_for(CAPACITY)
    small.fake.clear()
    line = message_event("decision: Discharge on 11 Feb", TOM, ts="1800000100.1", thread_ts=thread)
    assert small.client.event(line).status_code == 200
    gate.opened.set()
    small.bot.drain()

    notices = [c.args for c in small.fake.of("chat.postEphemeral")]
    assert [(n["channel"], n["user"], n["thread_ts"]) for n in notices] == [(CHANNEL, TOM, thread)]
    assert BUSY in notices[0]["text"]
    assert small.fake.of("reactions.add") == []
    assert count(small, Decision) == 0
    assert count(small, ProcessedEvent) == seen + CAPACITY  # the line's event id is not taken


@pytest.mark.parametrize("value", ["0", "lots", "100001", "-3"])
def test_a_bad_queue_capacity_stops_start_up(value: str) -> None:
    with pytest.raises(SettingsError, match="MDT_QUEUE_CAPACITY"):
        Settings.from_env({"MDT_QUEUE_CAPACITY": value})


def test_the_queue_capacity_is_read_from_the_environment() -> None:
    assert Settings.from_env({"MDT_QUEUE_CAPACITY": " 7 "}).queue_capacity == 7
    assert Settings.from_env({}).queue_capacity == 32
