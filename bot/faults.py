"""What a notifier is, and the typed faults it raises so the worker knows whether to try again."""

from __future__ import annotations

from typing import Protocol

from commands.messages import Message


class NotifyError(Exception):
    """A message the platform did not take."""


class RateLimitedError(NotifyError):
    """The platform asks us to slow down (HTTP 429); try again after `retry_after` seconds."""

    def __init__(self, retry_after: float, detail: str = "rate limited") -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServerError(NotifyError):
    """The platform failed (HTTP 5xx or a dropped connection); worth trying again."""


class DeferredError(ServerError):
    """The service is down for now (a mail relay that does not answer): the message waits in
    the outbox and is tried again later, for as long as it takes, without failing."""


class AmbiguousError(ServerError):
    """No answer in time: the platform may have taken the message. Before sending it again,
    the notifier looks for it (by the outbox key it carries) so it never goes twice."""


class UnreachableError(NotifyError):
    """The person or channel can no longer be reached (left, deactivated, blocked the app)."""


class Notifier(Protocol):
    """Sends one message; returns the platform's id for it."""

    def send(self, message: Message) -> str:
        """Deliver the message, or raise a NotifyError."""
