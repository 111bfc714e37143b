"""The Bot Connector REST API: send, reply, update activities and open 1:1 chats, with retries."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from bot.teams.tokens import TokenError

log = logging.getLogger(__name__)

RETRIED = frozenset({412, 429, 502, 504})
BLOCKED_CODES = frozenset({"ConversationBlockedByUser", "BotNotInConversationRoster"})
BLOCKED_WORDS = ("blocked", "not part of the conversation roster", "removed")


class Tokens(Protocol):
    """Where the connector gets its bearer token."""

    def token(self, scope: str = ...) -> str:
        """An access token."""


class ConnectorError(RuntimeError):
    """The Bot Connector refused or failed a call; `status` is its HTTP status."""

    def __init__(self, status: int, code: str, retry_after: float | None = None) -> None:
        super().__init__(f"Bot Connector answered {status} {code}".strip())
        self.status = status
        self.code = code
        self.retry_after = retry_after


class UnreachableError(ConnectorError):
    """The user blocked the bot or removed the app: messages cannot reach them."""


def _error_code(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code", "")), str(error.get("message", ""))
    return "", str(body)[:200]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def conversation_path(conversation_id: str) -> str:
    """A conversation id made safe for a URL path (Teams ids hold `:`, `@`, `;` and `=`)."""
    return quote(conversation_id, safe="")


class Connector:
    """Calls `{serviceUrl}/v3/conversations/...` with the bot's token, retrying what may pass."""

    def __init__(
        self,
        tokens: Tokens,
        client: httpx.Client,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        attempts: int = 4,
        base_delay: float = 0.5,
    ) -> None:
        self.tokens = tokens
        self.client = client
        self.sleep = sleep
        self.jitter = jitter
        self.attempts = attempts
        self.base_delay = base_delay

    def _call(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        for attempt in range(1, self.attempts + 1):
            try:
                headers = {"Authorization": f"Bearer {self.tokens.token()}"}
            except TokenError as error:
                raise ConnectorError(503, "NoToken") from error
            try:
                response = self.client.request(
                    method, url, json=body, headers=headers, timeout=15.0
                )
            except httpx.HTTPError as error:
                if attempt < self.attempts:
                    self.sleep(self.base_delay * 2 ** (attempt - 1) * (0.5 + self.jitter()))
                    continue
                raise ConnectorError(503, type(error).__name__) from error
            if response.status_code < 300:
                if not response.content:
                    return {}
                payload = response.json()
                return payload if isinstance(payload, dict) else {}
            code, message = _error_code(response)
            if response.status_code in RETRIED and attempt < self.attempts:
                delay = _retry_after(response)
                if delay is None:
                    delay = self.base_delay * 2 ** (attempt - 1) * (0.5 + self.jitter())
                log.warning(
                    "Bot Connector %s, retry %d in %.1fs", response.status_code, attempt, delay
                )
                self.sleep(min(delay, 30.0))
                continue
            if response.status_code == 403 and (
                code in BLOCKED_CODES or any(w in message.lower() for w in BLOCKED_WORDS)
            ):
                raise UnreachableError(403, code or "Forbidden")
            raise ConnectorError(response.status_code, code, _retry_after(response))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    @staticmethod
    def _base(service_url: str) -> str:
        return service_url.rstrip("/") + "/v3/conversations"

    def send(
        self, service_url: str, conversation_id: str, activity: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Send an activity to a conversation (a new post in a channel)."""
        url = f"{self._base(service_url)}/{conversation_path(conversation_id)}/activities"
        return self._call("POST", url, activity)

    def reply(
        self,
        service_url: str,
        conversation_id: str,
        reply_to_id: str,
        activity: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Reply to an activity (in a channel, into its reply chain)."""
        path = f"{conversation_path(conversation_id)}/activities/{quote(reply_to_id, safe='')}"
        return self._call("POST", f"{self._base(service_url)}/{path}", activity)

    def update(
        self,
        service_url: str,
        conversation_id: str,
        activity_id: str,
        activity: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Replace an activity the bot sent (a refreshed card)."""
        path = f"{conversation_path(conversation_id)}/activities/{quote(activity_id, safe='')}"
        return self._call("PUT", f"{self._base(service_url)}/{path}", activity)

    def create_conversation(
        self, service_url: str, *, bot_id: str, user_id: str, tenant_id: str
    ) -> str:
        """Open (or find) the 1:1 chat between the bot and a user; its conversation id."""
        body = {
            "bot": {"id": bot_id},
            "members": [{"id": user_id}],
            "isGroup": False,
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        result = self._call("POST", self._base(service_url), body)
        conversation_id = result.get("id")
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ConnectorError(502, "NoConversationId")
        return conversation_id

    def member(self, service_url: str, conversation_id: str, member_id: str) -> dict[str, Any]:
        """One member of a conversation: id, name, email, aadObjectId."""
        path = f"{conversation_path(conversation_id)}/members/{quote(member_id, safe='')}"
        return self._call("GET", f"{self._base(service_url)}/{path}")
