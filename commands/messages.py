"""Platform-free requests in and messages out: what every platform translates to and from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Audience = Literal["channel", "thread", "private", "dm"]
REVIEW_KINDS = ("keep", "stop", "start")


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
    """A button the platform may show: pressing it does `verb` to the record `ref`.

    `arg` is a fixed choice some buttons carry (`agree`, `keep`, a correction's number). What
    each verb does is in `commands.presses`; the platforms carry `value` and give it back.
    """

    label: str
    verb: str
    ref: str
    arg: str = ""
    style: str = ""

    @property
    def value(self) -> str:
        """The button as the platform carries it: `verb ref [arg]`."""
        return " ".join(part for part in (self.verb, self.ref, self.arg) if part)

    @classmethod
    def pressed(cls, value: str, label: str = "", style: str = "") -> Button | None:
        """The button a platform value came from, or None when it is not one."""
        words = value.split()
        if len(words) < 2:
            return None
        return cls(label, words[0].lower(), words[1].upper(), " ".join(words[2:]).lower(), style)


@dataclass(frozen=True)
class TextPrompt:
    """The box a button opens for the words its verb still needs, on every platform."""

    label: str  # the template of the box's label; `what` is the button's label
    required: bool


# Buttons that need a line of text typed first, the same on Slack and Teams: (verb, arg).
BUTTON_PROMPTS: Mapping[tuple[str, str], TextPrompt] = {
    ("agenda", ""): TextPrompt("buttons:agenda", required=True),
    ("progress", ""): TextPrompt("buttons:progress", required=True),
    ("extend", ""): TextPrompt("buttons:extend", required=True),
    ("apologies", ""): TextPrompt("buttons:apologies", required=False),
    ("correct", "decline"): TextPrompt("buttons:decline_correction", required=True),
    **{("review", kind): TextPrompt("buttons:review", required=True) for kind in REVIEW_KINDS},
}


def prompt_for(value: str) -> TextPrompt | None:
    """The box the button with this platform value opens before it runs, if it needs words."""
    button = Button.pressed(value)
    if button is None:
        return None
    # A choice with a number (`correct M3 decline 2`) asks for what its first word asks for.
    choice = button.arg.split()[0] if button.arg else ""
    return BUTTON_PROMPTS.get((button.verb, choice))


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
