"""Fixtures: the Teams bot wired to a fake Microsoft cloud, with an injected clock."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from bot.config import Settings
from bot.teams.app import build_teams_bot
from bot.teams.bot import TeamsBot
from storage.db import Store
from tests.teams.card_rules import (
    CARD_TYPE,
    CHECKED,
    SEEN,
    assert_fit_for_teams,
    assert_js_parser_accepts,
)
from tests.teams.fake_teams import (
    APP_ID,
    BOT_ID,
    CALENDAR_USER,
    CHANNEL,
    GRAPH_URL,
    LOGIN_URL,
    OPENID_URL,
    SERVICE_URL,
    TENANT,
    FakeTeams,
    User,
)

BOOKED = datetime(2027, 2, 4, 10, 0, tzinfo=UTC)  # when the tests' meetings are mostly booked


@dataclass
class Clock:
    """The injected clock: tests move it; the bot reads it."""

    now: datetime = field(default_factory=lambda: datetime(2027, 2, 1, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def settings(**extra: str) -> Settings:
    """Settings for the fake cloud."""
    env = {
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "not-a-real-secret",
        "TEAMS_TENANT_ID": TENANT,
        "TEAMS_LOGIN_URL": LOGIN_URL,
        "TEAMS_OPENID_URL": OPENID_URL,
        "GRAPH_API_URL": GRAPH_URL,
        **extra,
    }
    return Settings.from_env(env)


@dataclass
class Teams:
    """The bot under test and a way to talk to it as Teams does."""

    bot: TeamsBot
    fake: FakeTeams
    store: Store
    clock: Clock
    sleeps: list[float]
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def activity(
        self,
        user: User,
        text: str | None = None,
        *,
        kind: str = "message",
        conversation: str = CHANNEL,
        conversation_type: str = "channel",
        thread: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """An activity as the Bot Connector posts it."""
        number = next(self._ids)
        conversation_id = f"{conversation};messageid={thread}" if thread else conversation
        activity: dict[str, Any] = {
            "type": kind,
            "id": f"act-{number}",
            "timestamp": self.clock.now.isoformat(),
            "serviceUrl": SERVICE_URL,
            "channelId": "msteams",
            "from": user.account(),
            "recipient": {"id": BOT_ID, "name": "MDT"},
            "conversation": {
                "id": conversation_id,
                "conversationType": conversation_type,
                "tenantId": TENANT,
            },
            "channelData": {"tenant": {"id": TENANT}},
            "entities": [
                {"type": "clientInfo", "locale": "en-GB", "timezone": "Europe/London"},
                *(entities or []),
            ],
            **fields,
        }
        if text is not None:
            activity["text"] = text
        return activity

    def post(
        self, activity: dict[str, Any] | bytes, *, token: str | None = "", **headers: str
    ) -> tuple[int, dict[str, Any] | None]:
        """Send one activity with a valid token (or the one given; None for none)."""
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        all_headers = {"Content-Type": "application/json", **headers}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token or self.fake.token()}"
        status, reply = self.bot.handle(all_headers, body)
        if reply is not None and reply.get("type") == CARD_TYPE:
            assert_fit_for_teams(
                {
                    "type": "message",
                    "attachments": [{"contentType": CARD_TYPE, "content": reply["value"]}],
                }
            )
        return status, reply

    def say(self, user: User, text: str, **kwargs: Any) -> tuple[int, dict[str, Any] | None]:
        """A message from a user."""
        return self.post(self.activity(user, text, **kwargs))

    def command(self, user: User, text: str, **kwargs: Any) -> tuple[int, dict[str, Any] | None]:
        """A command in the channel, `mdt ...` typed by a user."""
        return self.say(user, f"mdt {text}", **kwargs)

    def press(
        self, user: User, data: dict[str, Any], *, verb: str | None = None, **kwargs: Any
    ) -> tuple[int, dict[str, Any] | None]:
        """A card button pressed (Action.Execute, an invoke)."""
        value = {
            "action": {"type": "Action.Execute", "verb": verb or data.get("verb"), "data": data},
            "trigger": "manual",
        }
        return self.post(
            self.activity(user, kind="invoke", name="adaptiveCard/action", value=value, **kwargs)
        )

    def submit(
        self, user: User, data: dict[str, Any], **kwargs: Any
    ) -> tuple[int, dict[str, Any] | None]:
        """A card button pressed (Action.Submit, a message with a value)."""
        return self.post(self.activity(user, value=data, **kwargs))


def mention(user: User) -> tuple[str, dict[str, Any]]:
    """The text and entity Teams uses for an @mention of a user."""
    text = f"<at>{user.name}</at>"
    return text, {
        "type": "mention",
        "text": text,
        "mentioned": {"id": user.teams_id, "name": user.name},
    }


def bot_mention() -> tuple[str, dict[str, Any]]:
    """The text and entity of an @mention of the bot."""
    text = "<at>MDT</at>"
    return text, {"type": "mention", "text": text, "mentioned": {"id": BOT_ID, "name": "MDT"}}


@pytest.fixture(scope="session", autouse=True)
def every_card_through_the_js_parser() -> Iterator[None]:
    """When the Teams tests end, every distinct card they produced goes through the JS parser.

    With MDT_TEST_CARD_REPORT set to a file, each test process adds a line of counts to it.
    """
    yield
    cards = list(SEEN.values())
    report = os.environ.get("MDT_TEST_CARD_REPORT")
    if report:
        counts = {**CHECKED, "distinct_cards": len(cards), "worker": os.getpid()}
        with open(report, "a", encoding="utf-8") as out:
            out.write(json.dumps(counts) + "\n")
    if cards:
        assert_js_parser_accepts(cards)


@pytest.fixture
def fake() -> Iterator[FakeTeams]:
    """The fake Microsoft cloud, answering every httpx call for its hosts."""
    cloud = FakeTeams()
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        cloud.install(router)
        yield cloud


def make_teams(store: Store, fake: FakeTeams, **extra: str) -> Teams:
    """The bot on a store, with its own clock and a sleep that only records."""
    clock = Clock()
    fake.clock = clock
    sleeps: list[float] = []
    bot = build_teams_bot(
        settings(**extra), store, client=httpx.Client(), clock=clock, sleep=sleeps.append
    )
    return Teams(bot=bot, fake=fake, store=store, clock=clock, sleeps=sleeps)


@pytest.fixture
def teams(store: Store, fake: FakeTeams) -> Teams:
    """The Teams bot without Graph: invites go as .ics files."""
    return make_teams(store, fake)


@pytest.fixture
def teams_graph(store: Store, fake: FakeTeams) -> Teams:
    """The Teams bot with a Graph calendar configured."""
    return make_teams(store, fake, TEAMS_GRAPH_CALENDAR_USER=CALENDAR_USER)
