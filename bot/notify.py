"""Notifiers: how the worker hands a message to a platform, and the typed faults it can meet.

Each platform registers a factory under its name (the workspace's `platform`); the console's
notifier prints the same blocks the console does.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from typing import Protocol, TextIO

from bot.config import Settings
from bot.console import at_name, format_block
from bot.render import Renderer
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


class ConsoleNotifier:
    """Prints each message as a console block (`[DM @name] ...`) on a stream."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.renderer = Renderer(mention=at_name)
        self._ids = itertools.count(1)

    def send(self, message: Message) -> str:
        """Print the block; the id is a running number."""
        out = self.out or sys.stdout
        text = self.renderer.render(message)
        out.write(format_block(message, text, message.channel or "console", []) + "\n")
        out.flush()
        return f"console-{next(self._ids)}"


class CollectingNotifier:
    """Keeps the messages it is given, for a caller that shows them itself (the console)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> str:
        """Keep the message; the id is its position."""
        self.messages.append(message)
        return f"console-{len(self.messages)}"

    def take(self) -> list[Message]:
        """The messages kept so far, forgetting them."""
        taken, self.messages = self.messages, []
        return taken


NotifierFactory = Callable[[Settings], Notifier]

_FACTORIES: dict[str, NotifierFactory] = {"console": lambda _settings: ConsoleNotifier()}


def register_notifier(platform: str, factory: NotifierFactory) -> None:
    """Make a platform's notifier available to the worker (Slack and Teams register here)."""
    _FACTORIES[platform] = factory


def notifiers_for(settings: Settings) -> dict[str, Notifier]:
    """A notifier for every registered platform that can be built from these settings."""
    built: dict[str, Notifier] = {}
    for platform, factory in _FACTORIES.items():
        try:
            built[platform] = factory(settings)
        except (LookupError, ValueError):
            continue  # that platform is not configured here: its messages wait in the outbox
    return built
