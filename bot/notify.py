"""Notifiers: how the worker hands a message to a platform, every platform named here.

`FACTORIES` is the one place a platform's notifier is wired in, under the workspace's
`platform`; the console's notifier prints the same blocks the console does. The typed faults
a notifier raises are in `bot.faults`.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from typing import TextIO

from bot.config import Settings
from bot.console import at_name, format_block
from bot.email.notifier import email_notifier
from bot.faults import (
    AmbiguousError,
    DeferredError,
    Notifier,
    NotifyError,
    RateLimitedError,
    ServerError,
    UnreachableError,
)
from bot.render import Renderer
from commands.messages import Message

__all__ = [
    "FACTORIES",
    "AmbiguousError",
    "CollectingNotifier",
    "ConsoleNotifier",
    "DeferredError",
    "Notifier",
    "NotifyError",
    "RateLimitedError",
    "ServerError",
    "UnreachableError",
    "notifiers_for",
]


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


def slack_notifier(settings: Settings) -> Notifier:
    """Slack's notifier, imported when the worker builds it (the console never loads Slack)."""
    from bot.slack.notifier import slack_notifier as build  # noqa: PLC0415 - start-up time

    return build(settings)


def teams_notifier(settings: Settings) -> Notifier:
    """Teams' notifier, imported when the worker builds it (the console never loads httpx)."""
    from bot.teams.notifier import teams_notifier as build  # noqa: PLC0415 - start-up time

    return build(settings)


FACTORIES: dict[str, NotifierFactory] = {
    "console": lambda _settings: ConsoleNotifier(),
    "slack": slack_notifier,
    "teams": teams_notifier,
    "email": email_notifier,
}


def notifiers_for(settings: Settings) -> dict[str, Notifier]:
    """A notifier for every registered platform that can be built from these settings."""
    built: dict[str, Notifier] = {}
    for platform, factory in FACTORIES.items():
        try:
            built[platform] = factory(settings)
        except (LookupError, ValueError):
            continue  # that platform is not configured here: its messages wait in the outbox
    return built
