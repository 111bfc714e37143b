"""Platform-free requests in and messages out: what every platform translates to and from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Audience = Literal["channel", "thread", "private", "dm"]


@dataclass(frozen=True)
class UserRef:
    """A user as the platform knows them."""

    external_id: str
    display_name: str
    timezone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Request:
    """One command or message from a user, as any platform hands it over."""

    platform: str
    workspace: str
    user: UserRef
    channel: str
    text: str
    now: datetime
    thread_id: str | None = None
    message_id: str | None = None


class Directory(Protocol):
    """The platform's people: turns a mention token into a user, or None when it is not one."""

    def resolve(self, token: str) -> UserRef | None:
        """The user a token such as `@tom` or `<@U123|tom>` names, if any."""


@dataclass(frozen=True)
class Recipient:
    """Who a private message or DM goes to."""

    external_id: str
    display_name: str


@dataclass(frozen=True)
class Button:
    """A button the platform may show; pressing it runs `command` as the person who pressed it."""

    label: str
    command: str
    style: str = ""


@dataclass(frozen=True)
class TextPrompt:
    """The box a button opens for the words its command still needs, on every platform."""

    label: str  # the template of the box's label; `what` is the button's label
    required: bool


# Buttons whose command needs a line of text typed first, the same on Slack and Teams.
BUTTON_PROMPTS: tuple[tuple[re.Pattern[str], TextPrompt], ...] = (
    (re.compile(r"^agenda \S+$", re.I), TextPrompt("buttons:agenda", required=True)),
    (re.compile(r"^progress \S+$", re.I), TextPrompt("buttons:progress", required=True)),
    (re.compile(r"^extend \S+$", re.I), TextPrompt("buttons:extend", required=True)),
    (re.compile(r"^apologies \S+$", re.I), TextPrompt("buttons:apologies", required=False)),
    (
        re.compile(r"^review \S+ (keep|stop|start)$", re.I),
        TextPrompt("buttons:review", required=True),
    ),
)


def prompt_for(command: str) -> TextPrompt | None:
    """The box a button with this command opens before it runs, if it needs words typed."""
    folded = " ".join(command.split())
    for pattern, prompt in BUTTON_PROMPTS:
        if pattern.match(folded):
            return prompt
    return None


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message (minutes, a calendar invite)."""

    filename: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class Message:
    """One message to send: where it goes, which template says it, and with what."""

    audience: Audience
    template: str
    context: Mapping[str, Any]
    zone: str
    channel: str | None = None
    thread_id: str | None = None
    recipient: Recipient | None = None
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    kind: str = "text"
    meta: Mapping[str, Any] = field(default_factory=dict)
