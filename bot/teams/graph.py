"""Outlook invites through Microsoft Graph: an event with a Teams meeting, moved or cancelled."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from bot.teams.connector import RETRIED, Tokens

log = logging.getLogger(__name__)


class GraphError(RuntimeError):
    """Graph refused or failed a call."""


def graph_scope(graph_api_url: str) -> str:
    """The app-only scope for a Graph endpoint: its origin and `/.default`."""
    parts = urlsplit(graph_api_url)
    return f"{parts.scheme}://{parts.netloc}/.default"


@dataclass(frozen=True)
class EventFacts:
    """What a calendar event says about a meeting."""

    subject: str
    body: str
    starts_at: datetime
    ends_at: datetime
    attendees: tuple[tuple[str, str], ...]  # (name, email)
    transaction_id: str


def _moment(value: datetime) -> dict[str, str]:
    return {
        "dateTime": value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "timeZone": "UTC",
    }


class GraphCalendar:
    """Creates, moves and cancels events in one mailbox's calendar, as the app itself."""

    def __init__(
        self,
        *,
        tokens: Tokens,
        client: httpx.Client,
        base_url: str,
        calendar_user: str,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = 3,
    ) -> None:
        self.tokens = tokens
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.calendar_user = calendar_user
        self.scope = graph_scope(base_url)
        self.sleep = sleep
        self.attempts = attempts

    def _events(self) -> str:
        return f"{self.base_url}/users/{quote(self.calendar_user, safe='@')}/events"

    def _call(self, method: str, url: str, body: Mapping[str, Any]) -> dict[str, Any]:
        for attempt in range(1, self.attempts + 1):
            headers = {"Authorization": f"Bearer {self.tokens.token(self.scope)}"}
            try:
                response = self.client.request(
                    method, url, json=dict(body), headers=headers, timeout=15.0
                )
            except httpx.HTTPError as error:
                raise GraphError(f"Graph unreachable ({type(error).__name__})") from None
            if response.status_code < 300:
                payload = response.json() if response.content else {}
                return payload if isinstance(payload, dict) else {}
            if response.status_code in RETRIED and attempt < self.attempts:
                self.sleep(0.5 * 2 ** (attempt - 1) * (0.5 + random.random()))  # noqa: S311
                continue
            raise GraphError(f"Graph answered {response.status_code}")
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def create(self, facts: EventFacts) -> tuple[str, str | None]:
        """A new event with a Teams meeting; its id and the join link."""
        body = {
            "subject": facts.subject,
            "body": {"contentType": "text", "content": facts.body},
            "start": _moment(facts.starts_at),
            "end": _moment(facts.ends_at),
            "attendees": [
                {"emailAddress": {"address": email, "name": name}, "type": "required"}
                for name, email in facts.attendees
            ],
            "isOnlineMeeting": True,
            "onlineMeetingProvider": "teamsForBusiness",
            "allowNewTimeProposals": False,
            "transactionId": facts.transaction_id,
        }
        result = self._call("POST", self._events(), body)
        event_id = result.get("id")
        if not isinstance(event_id, str):
            raise GraphError("Graph returned an event without an id")
        online = result.get("onlineMeeting") or {}
        join_url = online.get("joinUrl") if isinstance(online, dict) else None
        return event_id, join_url if isinstance(join_url, str) else None

    def move(self, event_id: str, facts: EventFacts) -> None:
        """The event at its new time (attendees are told by Outlook)."""
        body = {"start": _moment(facts.starts_at), "end": _moment(facts.ends_at)}
        self._call("PATCH", f"{self._events()}/{quote(event_id, safe='')}", body)

    def cancel(self, event_id: str, comment: str) -> None:
        """Cancel the event; attendees get Outlook's cancellation."""
        url = f"{self._events()}/{quote(event_id, safe='')}/cancel"
        self._call("POST", url, {"comment": comment})
