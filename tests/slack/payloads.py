"""Signed request bodies in Slack's real formats, and a client that posts them over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

SECRET = "test-signing-secret"
TEAM = "T1"
CHANNEL = "C1"
_ids = itertools.count(1)


def sign(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature headers for a body."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def unique(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


def slash_body(text: str, user: str, channel: str = CHANNEL, team: str = TEAM, **extra: str) -> str:
    fields = {
        "token": "deprecated",
        "team_id": team,
        "team_domain": "example",
        "channel_id": channel,
        "channel_name": "discharge-team",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/mdt",
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": extra.pop("response_url", f"https://hooks.invalid/{unique('r')}"),
        "trigger_id": extra.pop("trigger_id", unique("trigger.")),
    }
    fields.update(extra)
    return urlencode(fields)


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_action(
    value: str,
    user: str,
    *,
    response_url: str,
    channel: str | None = CHANNEL,
    action_id: str = "mdt_command_0",
    team: str = TEAM,
    home: bool = False,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team, "domain": "example"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "A1",
        "token": "deprecated",
        "trigger_id": unique("trigger."),
        "is_enterprise_install": False,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Button"},
                "value": value,
                "type": "button",
                "action_ts": "1800000000.1",
            }
        ],
    }
    if home:
        payload["container"] = {"type": "view", "view_id": "V1"}
        payload["view"] = {"id": "V1", "type": "home", "callback_id": "mdt_home"}
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": "1800000000.000001",
            "channel_id": channel,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel, "name": "discharge-team"}
        payload["message"] = {"type": "message", "ts": "1800000000.000001", "text": "card"}
        payload["response_url"] = response_url
    return payload


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    user: str,
    private_metadata: str,
    team: str = TEAM,
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "example"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "A1",
        "token": "deprecated",
        "trigger_id": unique("trigger."),
        "is_enterprise_install": False,
        "view": {
            "id": unique("V"),
            "team_id": team,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": "h",
        },
        "response_urls": [],
    }


def message_event(
    text: str,
    user: str,
    *,
    ts: str,
    thread_ts: str | None,
    channel: str = CHANNEL,
    team: str = TEAM,
    event_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        "team": team,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event_callback(event, team=team, event_id=event_id)


def event_callback(
    event: dict[str, Any], *, team: str = TEAM, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "token": "deprecated",
        "team_id": team,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or unique("Ev"),
        "event_time": 1800000000,
        "authorizations": [
            {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }


def message_shortcut(
    callback_id: str, user: str, *, text: str, ts: str, channel: str = CHANNEL
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": unique("trigger."),
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "name": user.lower()},
        "channel": {"id": channel, "name": "discharge-team"},
        "message": {"type": "message", "user": user, "ts": ts, "text": text},
        "message_ts": ts,
        "response_url": "https://hooks.invalid/shortcut",
        "token": "deprecated",
        "is_enterprise_install": False,
    }


@dataclass
class SlackClient:
    """Posts signed bodies to the server under test, as Slack would."""

    base_url: str
    secret: str = SECRET
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def post(
        self,
        body: str,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> httpx.Response:
        sent = {"Content-Type": content_type, **sign(body, secret or self.secret, timestamp)}
        sent.update(headers or {})
        return self.http.post(f"{self.base_url}/slack/events", content=body, headers=sent)

    def slash(self, text: str, user: str, **extra: str) -> httpx.Response:
        return self.post(slash_body(text, user, **extra))

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post(interactive_body(payload))

    def event(
        self, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.post(json.dumps(payload), "application/json", headers=headers)
