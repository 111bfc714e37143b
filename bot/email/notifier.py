"""The `email` channel of the outbox: each queued email composed, given its links, and sent.

Links are made when the email is sent, so a token exists only as its hash in the database
and, in clear, only in the email itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.clock import system_clock
from bot.config import Settings
from bot.email.compose import Link, MailComposer, MailIdentity
from bot.email.smtp import SmtpSender, parse_smtp_url
from bot.faults import UnreachableError
from commands.email.links import issue_link
from commands.messages import Message
from storage.db import Store, make_engine
from storage.models import Action, Invitation, Person
from storage.status import ActionStatus, MeetingStatus

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ACTION_LINKS = (
    ("accept", "Accept the action"),
    ("done", "Mark it done"),
    ("progress", "Add progress"),
    ("extend", "Ask for more time"),
)
INVITATION_LINKS = (("attend", "I will attend"), ("apologies", "Send apologies"))


def link_url(base: str, raw: str, do: str | None = None) -> str:
    """The address of a link page, with the form it opens on."""
    return f"{base.rstrip('/')}/a/{raw}" + (f"?do={do}" if do else "")


class EmailNotifier:
    """Sends the outbox's email: over SMTP when configured, printed when a printer is given."""

    def __init__(
        self,
        store: Store,
        composer: MailComposer,
        public_url: str,
        *,
        sender: SmtpSender | None = None,
        printer: Callable[[str], object] | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.composer = composer
        self.public_url = public_url
        self.sender = sender
        self.printer = printer
        self.clock = clock

    def links(self, meta: Any, now: datetime) -> list[Link]:
        """A fresh token for the action or invitation the email is about, as its links."""
        kind = meta.get("links")
        if kind not in {"action", "invitation"}:
            return []
        with self.store.transaction(now) as session:
            person = session.get(Person, meta.get("person_id"))
            if person is None:
                return []
            if kind == "action":
                action = session.get(Action, meta.get("action_id"))
                if action is None or action.status != ActionStatus.OPEN:
                    return []
                raw = issue_link(session, person, now, action_id=action.id)
                chosen = [(do, label) for do, label in ACTION_LINKS]
                if action.accepted:
                    chosen = chosen[1:]
            else:
                invitation = session.get(Invitation, meta.get("invitation_id"))
                if invitation is None or invitation.meeting.status in {
                    MeetingStatus.ENDED,
                    MeetingStatus.CANCELLED,
                }:
                    return []
                raw = issue_link(session, person, now, invitation_id=invitation.id)
                chosen = list(INVITATION_LINKS)
        return [(label, link_url(self.public_url, raw, do)) for do, label in chosen]

    def send(self, message: Message) -> str:
        """Compose and send one email; its Message-ID is the platform id."""
        address = message.meta.get("email")
        if not address:
            raise UnreachableError("no email address")
        now = self.clock()
        mail = self.composer.compose(message, str(address), self.links(message.meta, now), now)
        if self.printer is not None:
            body = mail.get_body(preferencelist=("plain",))
            text = body.get_content() if body is not None else ""
            self.printer(f"[email {address}] {mail['Subject']}\n{text.strip()}")
        if self.sender is not None:
            self.sender.send(mail)
        return str(mail["Message-ID"])


def composer_for(settings: Settings) -> MailComposer:
    """The composer for the deployment's sender and domain."""
    return MailComposer(MailIdentity(settings.mail_from, settings.invite_domain))


def sender_for(settings: Settings) -> SmtpSender | None:
    """An SMTP sender when SMTP_URL is set."""
    return SmtpSender(parse_smtp_url(settings.smtp_url)) if settings.smtp_url else None


def email_notifier(settings: Settings) -> EmailNotifier:
    """The worker's email notifier; LookupError when SMTP_URL is not set (email waits)."""
    sender = sender_for(settings)
    if sender is None:
        raise LookupError("SMTP_URL is not set")
    store = Store(make_engine(settings.database_url))
    return EmailNotifier(store, composer_for(settings), settings.public_url, sender=sender)
