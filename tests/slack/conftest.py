"""Fixtures: the fake Slack Web API, and the real server on loopback with an injected clock."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from bot.config import Settings
from bot.server import create_app
from bot.slack.app import SlackBot, build_slack_bot
from commands.core import Core, CoreSettings
from storage.db import Store
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import SECRET, SlackClient, unique

PRIYA, TOM, NURSE, STRANGER = "UPRIYA", "UTOM", "UNURSE", "USTRANGER"


BOOKED = datetime(2027, 2, 4, 10, 0, tzinfo=UTC)  # when the tests' meetings are mostly booked


@dataclass
class Clock:
    """The injected clock: tests move it; the bot reads it."""

    now: datetime = field(default_factory=lambda: datetime(2027, 2, 1, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Run the ASGI app under uvicorn on a free loopback port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """The fake Slack Web API with four people in it."""
    slack = FakeSlack().start()
    slack.add_user(PRIYA, "priya")
    slack.add_user(TOM, "tom")
    slack.add_user(NURSE, "ward7_nurse")
    slack.add_user(STRANGER, "stranger", tz="America/New_York")
    yield slack
    slack.stop()


@dataclass
class Running:
    """The server under test, the fake Slack it talks to, and helpers that post and wait."""

    bot: SlackBot
    fake: FakeSlack
    clock: Clock
    store: Store
    client: SlackClient

    def post(self, method: str, *args: Any, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = getattr(self.client, method)(*args, **kwargs)
        self.bot.drain()
        return response

    def slash(self, text: str, user: str, **extra: str) -> httpx.Response:
        extra.setdefault("response_url", self.fake.response_url(unique(user)))
        return self.post("slash", text, user, **extra)

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post("interact", payload)

    def event(
        self, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.post("event", payload, headers)


def slack_settings(fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-T1",
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def running(store: Store, fake: FakeSlack, **overrides: Any) -> Iterator[Running]:
    """Build the bot and the server for these settings, serve them, clean up."""
    clock = Clock()
    settings = slack_settings(fake, **overrides)
    bot = build_slack_bot(settings, store, Core(store, CoreSettings()), clock)
    app = create_app(settings, store, slack=bot)
    with serving(app) as url:
        client = SlackClient(url)
        try:
            yield Running(bot, fake, clock, store, client)
        finally:
            client.http.close()


@pytest.fixture
def slack(store: Store, fake: FakeSlack) -> Iterator[Running]:
    """The real server in single-workspace mode, on loopback, against the fake Slack."""
    with running(store, fake) as run:
        yield run
