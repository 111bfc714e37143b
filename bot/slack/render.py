"""Slack rendering: mrkdwn-safe text from the shared templates, and Block Kit around it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from bot.render import Renderer
from commands.messages import Button, Message

BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")
ANGLE = re.compile(r"(<@[UW][A-Z0-9]{2,30}>)|[<>]")
SECTION_LIMIT = 3000
TEXT_LIMIT = 39000
BUTTON_ACTION = "mdt_command"
STYLES = {"primary", "danger"}
KIND_HEADERS = {
    "meeting_card": ":calendar: Meeting",
    "meeting_started": ":large_green_circle: Meeting started",
    "action_card": ":white_check_mark: Action",
    "minutes": ":page_facing_up: Minutes",
}


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: `&`, `<` and `>` so nothing user-written can ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escaped inbound text (`&lt;` for `<` and so on) as the user typed it."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


EMAIL_PREFIX = "email:"  # an email-only person: named, not mentioned


def finalize(value: Any) -> Any:
    """Escape every value a template prints, except mentions the renderer built itself."""
    if value is None or isinstance(value, Markup):
        return value
    return escape(str(value))


def mention(person: Any) -> Markup:
    """`<@U123>` for someone Slack knows; an escaped `@name` for a bare name."""
    external_id = getattr(person, "external_id", None)
    if isinstance(external_id, str) and external_id.startswith(EMAIL_PREFIX):
        return Markup(escape(str(getattr(person, "name", None) or external_id)))  # noqa: S704
    if isinstance(external_id, str) and external_id:
        return Markup(f"<@{escape(external_id)}>")  # noqa: S704 - the id is escaped
    name = getattr(person, "name", None) or getattr(person, "display_name", None) or str(person)
    return Markup("@" + escape(str(name)))  # noqa: S704 - the name is escaped


def listing(items: Iterable[Any], last: str = "and") -> Markup:
    """`a, b and c`, escaping plain items and keeping mentions whole."""
    words = [str(finalize(item)) for item in items]
    if len(words) <= 1:
        return Markup("".join(words))  # noqa: S704 - every part is escaped
    return Markup(f"{', '.join(words[:-1])} {escape(last)} {words[-1]}")  # noqa: S704


class SlackRenderer(Renderer):
    """The shared templates written for Slack: mentions by user id, every other `<` escaped.

    Values are escaped as they are printed (Jinja's autoescape, so text built by macros is not
    escaped twice); then what the templates themselves wrote is made mrkdwn-safe too, keeping
    only the mentions this renderer made.
    """

    def __init__(self) -> None:
        super().__init__(mention=mention)
        self.env.autoescape = True
        self.env.filters["listing"] = listing

    def render(self, message: Message) -> str:
        """The message as mrkdwn: nothing in it can ping, link or format by accident."""
        text = super().render(message).replace("&#34;", '"').replace("&#39;", "'")
        text = BARE_AMPERSAND.sub("&amp;", text)
        return ANGLE.sub(lambda m: m.group(0) if m.group(1) else escape(m.group(0)), text)


def chunks(text: str, size: int = SECTION_LIMIT) -> list[str]:
    """Text cut into pieces Slack's section blocks accept, at line breaks where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > size:
        cut = rest.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        pieces.append(rest)
    return pieces


def button_elements(buttons: Iterable[Button]) -> list[dict[str, Any]]:
    """Block Kit buttons whose value is the command they run."""
    elements = []
    for index, button in enumerate(buttons):
        element: dict[str, Any] = {
            "type": "button",
            "action_id": f"{BUTTON_ACTION}_{index}",
            "text": {"type": "plain_text", "text": button.label[:75], "emoji": False},
            "value": button.value[:2000],
        }
        if button.style in STYLES:
            element["style"] = button.style
        elements.append(element)
    return elements


def blocks_for(message: Message, text: str) -> list[dict[str, Any]]:
    """The Block Kit layout of a message: a header for cards, its text, its buttons."""
    blocks: list[dict[str, Any]] = []
    header = KIND_HEADERS.get(message.kind)
    if header:
        ref = message.meta.get("meeting") or message.meta.get("thread_root_for")
        title = f"{header} {ref}" if isinstance(ref, str) else header
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(title)}]})
    blocks += [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in chunks(text)[:45]
    ]
    if message.buttons:
        blocks.append({"type": "actions", "elements": button_elements(message.buttons[:25])})
    return blocks
