"""Platform text made safe where it comes in: every line and every name a platform hands over.

Lone surrogates (which no database can store) become U+FFFD, line ends become `\\n`, and the
two private-use characters the Teams renderer frames mentions with are dropped. Display names
also lose control characters and line breaks (a CR in a name must never reach a calendar file)
and are folded to one line. A command holding other control characters is refused by the core
with a clear reply (`has_control`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from commands.messages import Directory, Request, UserRef

NAME_LIMIT = 100
DROPPED = {0xE000: None, 0xE001: None}


def platform_text(text: str) -> str:
    """Typed text as the core takes it: storable, with `\\n` line ends and no mention frames."""
    whole = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return whole.replace("\r\n", "\n").replace("\r", "\n").translate(DROPPED)


def has_control(text: str) -> bool:
    """The text holds a control character other than tab and newline (NUL, ESC, ...)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in text)


def display_name(name: str) -> str:
    """A person's name on one line, without control characters, at most 100 characters."""
    kept = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch for ch in platform_text(name)
    )
    return " ".join(kept.split())[:NAME_LIMIT]


def user(ref: UserRef) -> UserRef:
    """The user with a safe name (their id, zone and email as the platform gave them)."""
    return replace(ref, display_name=display_name(ref.display_name))


def request(incoming: Request) -> Request:
    """The request with its text, its channel's name and its user's name made safe."""
    return replace(
        incoming,
        text=platform_text(incoming.text),
        channel=platform_text(incoming.channel),
        user=user(incoming.user),
    )


class SafeDirectory:
    """A platform's directory whose people come back with safe names."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def resolve(self, token: str) -> UserRef | None:
        """The user a mention token names, with a safe display name."""
        found = self.directory.resolve(token)
        return user(found) if found is not None else None
