"""Turns platform-free messages into text, with each platform's way of writing mentions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader

from commands.documents.filters import QuietUndefined, install_filters
from commands.messages import Message

BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Trailing spaces off each line, at most one blank line in a row, no blank ends."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return BLANK_RUNS.sub("\n\n", "\n".join(lines))


class Renderer:
    """Renders messages for one platform."""

    def __init__(
        self, mention: Callable[[Any], str], finalize: Callable[[Any], Any] | None = None
    ) -> None:
        self.env = Environment(
            loader=PackageLoader("meeting_templates", ""),
            undefined=QuietUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # noqa: S701 - chat text, escaped per platform by `finalize`
            finalize=finalize,
        )
        install_filters(self.env, mention)

    def render(self, message: Message) -> str:
        """The text of a message, in the zone it is addressed to."""
        name, _, which = message.template.partition(":")
        file = name if name.endswith(".j2") else f"{name}.j2"
        template = self.env.get_template(file)
        return tidy(template.render(**message.context, message=which, zone=ZoneInfo(message.zone)))
