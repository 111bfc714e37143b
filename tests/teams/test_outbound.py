"""Outbound calls: one msal application and a cached token, retries with jittered backoff."""

from __future__ import annotations

import pytest

from bot.teams.connector import ConnectorError, UnreachableError
from tests.teams.conftest import Teams
from tests.teams.fake_teams import CHANNEL, SERVICE_URL

MESSAGE = {"type": "message", "text": "hello"}


def test_the_bot_token_comes_from_msal_once_and_is_reused(teams: Teams) -> None:
    connector = teams.bot.connector
    for _ in range(3):
        connector.send(SERVICE_URL, CHANNEL, MESSAGE)
    assert teams.fake.token_requests == 1
    assert len(teams.fake.sent) == 3
    app = connector.tokens._app  # type: ignore[attr-defined]
    connector.send(SERVICE_URL, CHANNEL, MESSAGE)
    assert connector.tokens._app is app, "one msal application per process"  # type: ignore[attr-defined]


def test_throttling_and_gateway_errors_are_retried_with_backoff(teams: Teams) -> None:
    teams.fake.failures.extend([429, 412, 502])
    result = teams.bot.connector.send(SERVICE_URL, CHANNEL, MESSAGE)
    assert result["id"] == teams.fake.sent[-1].id
    assert len(teams.sleeps) == 3
    assert teams.sleeps[0] == 2.0, "Retry-After is honoured"
    assert 0.5 <= teams.sleeps[1] <= 1.5, "jittered around the base delay"
    assert 1.0 <= teams.sleeps[2] <= 3.0, "then doubled"


def test_retries_give_up_and_say_so(teams: Teams) -> None:
    teams.fake.failures.extend([504, 504, 504, 504])
    with pytest.raises(ConnectorError) as raised:
        teams.bot.connector.send(SERVICE_URL, CHANNEL, MESSAGE)
    assert raised.value.status == 504
    assert len(teams.sleeps) == 3
    assert teams.fake.sent == []


def test_other_errors_are_not_retried(teams: Teams) -> None:
    teams.fake.failures.append(400)
    with pytest.raises(ConnectorError) as raised:
        teams.bot.connector.send(SERVICE_URL, CHANNEL, MESSAGE)
    assert raised.value.status == 400
    assert not isinstance(raised.value, UnreachableError)
    assert teams.sleeps == []


def test_conversation_ids_are_escaped_in_the_path(teams: Teams) -> None:
    teams.bot.connector.reply(SERVICE_URL, f"{CHANNEL};messageid=42", "42", MESSAGE)
    sent = teams.fake.sent[-1]
    assert (sent.conversation, sent.reply_to) == (f"{CHANNEL};messageid=42", "42")
