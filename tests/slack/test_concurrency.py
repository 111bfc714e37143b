"""Fifty slash commands at the same instant through the real server, with room for them all
in its queue (MDT_QUEUE_CAPACITY): all saved, none refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from storage.db import Store
from storage.models import Action, Meeting
from tests.slack.conftest import BOOKED, PRIYA, TOM, Running, running
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import CHANNEL, slash_body, unique

COMMANDS = 50
THREADS = 10


@pytest.fixture
def roomy(store: Store, fake: FakeSlack) -> Iterator[Running]:
    """The real server with a queue that holds every command of the test."""
    with running(store, fake, queue_capacity=COMMANDS) as run:
        yield run


def test_fifty_concurrent_slash_commands_are_all_saved(roomy: Running) -> None:
    slack = roomy
    slack.slash(f"new Discharge planning on 4 Feb at 10:00 with <@{TOM}>", PRIYA)
    slack.clock.now = BOOKED
    slack.slash("start M1", PRIYA)
    slack.fake.clear()
    barrier = threading.Barrier(THREADS)

    def press(index: int) -> int:
        if index < THREADS:
            barrier.wait()
        if index % 2:
            text = f"new Case review {index} on 5 Feb at 11:00"
        else:
            text = f"action M1 <@{TOM}> call the GP about item {index} by friday"
        url = slack.fake.response_url(unique("r"))
        return slack.client.post(slash_body(text, PRIYA, response_url=url)).status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(press, range(COMMANDS)))
    slack.bot.drain()
    assert statuses == [200] * COMMANDS
    replies = [c.args.get("text", "") for c in slack.fake.of("response_url")]
    assert not [r for r in replies if "Sorry" in r]
    with slack.store.transaction(slack.clock()) as session:
        meetings = sorted(session.scalars(select(Meeting.number)))
        actions = sorted(session.scalars(select(Action.number)))
    assert meetings == list(range(1, COMMANDS // 2 + 2))
    assert actions == list(range(1, COMMANDS // 2 + 1))
    channel_posts = [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert len(channel_posts) == COMMANDS
