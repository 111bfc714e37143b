"""Builds one email: text and HTML from the templates, the calendar part, the headers.

Only what the message itself says goes in: the case reference and meeting title (already
checked for personal data), the action's words, and the person's own links; never anyone
else's address except as an ATTENDEE of the calendar invite, as RFC 5546 asks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.render import Renderer, tidy
from commands.documents.filters import QuietUndefined, install_filters
from commands.email.links import LIFETIME
from commands.messages import Message

MARKING = "OFFICIAL-SENSITIVE"
METHOD = re.compile(rb"^METHOD:(\w+)", re.MULTILINE)
Link = tuple[str, str]


def plain_name(person: Any) -> str:
    """In email, people are named, not mentioned."""
    return str(getattr(person, "name", None) or getattr(person, "display_name", None) or person)


@dataclass(frozen=True)
class MailIdentity:
    """Who the mail is from and the domain its Message-IDs carry."""

    sender: str
    domain: str


class MailComposer:
    """Renders messages as multipart email."""

    def __init__(self, identity: MailIdentity) -> None:
        self.identity = identity
        self.chat = Renderer(mention=plain_name)
        self.text = Environment(
            loader=PackageLoader("meeting_templates", ""),
            undefined=QuietUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # noqa: S701 - the plain-text part
        )
        install_filters(self.text, plain_name)
        self.html = Environment(
            loader=PackageLoader("meeting_templates", ""),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def _part(self, message: Message, part: str, chat: str) -> str:
        template = self.text.get_template("email.j2")
        return tidy(
            template.render(
                **message.context,
                message=message.template if message.kind != "minutes" else "minutes",
                part=part,
                chat=chat,
                zone=ZoneInfo(message.zone),
            )
        )

    def compose(
        self, message: Message, to: str, links: Sequence[Link], now: datetime
    ) -> EmailMessage:
        """The email for a message to one address, with its links."""
        # Minutes have no chat text of their own: email.j2 words them (`links:minutes` names none).
        chat = "" if message.kind == "minutes" else self.chat.render(message)
        subject = " ".join(self._part(message, "subject", chat).split())[:200]
        body = self._part(message, "body", chat)
        lines = [MARKING, "", body]
        if links:
            lines += ["", *(f"{label}: {url}" for label, url in links)]
            lines += ["", f"Each link works for you only, for {LIFETIME.days} days."]
        lines += ["", MARKING]
        mail = EmailMessage()
        mail["Subject"] = subject
        mail["From"] = self.identity.sender
        mail["To"] = to
        mail["Date"] = format_datetime(now)
        mail["Message-ID"] = make_msgid(domain=self.identity.domain)
        mail.set_content("\n".join(lines) + "\n")
        html = self.html.get_template("email.html.j2").render(
            subject=subject,
            paragraphs=[p for p in body.split("\n\n") if p.strip()],
            links=list(links),
            marking=MARKING,
            days=LIFETIME.days,
        )
        mail.add_alternative(html, subtype="html")
        for attachment in message.attachments:
            _attach(mail, attachment.filename, attachment.content, attachment.media_type)
        return mail


def _attach(mail: EmailMessage, filename: str, content: bytes, media_type: str) -> None:
    """A calendar file goes in as `text/calendar; method=...` too, so mail clients offer it."""
    maintype, _, subtype = media_type.partition("/")
    if media_type == "text/calendar":
        found = METHOD.search(content)
        method = found.group(1).decode() if found else "REQUEST"
        mail.add_alternative(
            content.decode(), subtype="calendar", params={"method": method}, charset="utf-8"
        )
        mail.add_attachment(content, maintype="application", subtype="ics", filename=filename)
        return
    mail.add_attachment(
        content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
    )
