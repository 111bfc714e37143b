"""Forged, stale, replayed and malformed requests are refused and change nothing."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from storage.models import Meeting, Person, ProcessedEvent
from tests.slack.conftest import PRIYA, Running
from tests.slack.payloads import block_action, slash_body

NEW = "new Review on 4/2/2027 at 10:00"


def count(run: Running, model: type) -> int:
    with run.store.transaction(run.clock()) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_forged_signature_is_refused(slack: Running) -> None:
    response = slack.client.post(slash_body(NEW, PRIYA), secret="not-the-secret")
    slack.bot.drain()
    assert response.status_code == 401
    assert count(slack, Meeting) == 0
    assert count(slack, Person) == 0
    assert "chat.postMessage" not in slack.fake.methods()


def test_unsigned_request_is_refused(slack: Running) -> None:
    response = slack.client.http.post(
        f"{slack.client.base_url}/slack/events",
        content=slash_body(NEW, PRIYA),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401
    assert count(slack, Meeting) == 0


def test_stale_timestamp_is_refused(slack: Running) -> None:
    response = slack.client.post(slash_body(NEW, PRIYA), timestamp=int(time.time()) - 6 * 60)
    slack.bot.drain()
    assert response.status_code == 401
    assert count(slack, Meeting) == 0


def test_replayed_command_is_run_once(slack: Running) -> None:
    body = slash_body(NEW, PRIYA, response_url=slack.fake.response_url("replay"))
    first = slack.post("post", body)
    again = slack.post("post", body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert count(slack, Meeting) == 1
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_malformed_json_is_400(slack: Running) -> None:
    response = slack.client.post('{"type": "event_callback", ', "application/json")
    assert response.status_code == 400
    assert count(slack, ProcessedEvent) == 0


def test_malformed_form_payload_is_400(slack: Running) -> None:
    response = slack.client.post("payload=%7Bnot-json")
    assert response.status_code == 400
    response = slack.client.post(json.dumps([1, 2]), "application/json")
    assert response.status_code == 400


def test_url_verification_echoes_the_challenge(slack: Running) -> None:
    body = json.dumps({"token": "x", "challenge": "abc123", "type": "url_verification"})
    response = slack.client.post(body, "application/json")
    assert response.status_code == 200
    assert "abc123" in response.text


def test_unknown_action_id_gets_a_clear_private_reply(slack: Running) -> None:
    before = count(slack, Meeting)
    payload = block_action(
        "cancel M1",
        PRIYA,
        response_url=slack.fake.response_url("unknown"),
        action_id="something_else",
    )
    response = slack.interact(payload)
    assert response.status_code == 200
    replies = slack.fake.of("response_url")
    assert len(replies) == 1
    assert replies[0].args["response_type"] == "ephemeral"
    assert "not one this app knows" in replies[0].args["text"]
    assert count(slack, Meeting) == before


def test_health_check(slack: Running) -> None:
    response = slack.client.http.get(f"{slack.client.base_url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
