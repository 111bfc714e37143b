"""Direct messages to email-only people become email: outbox rows for the `email` channel.

A message to an email-only person is written to the outbox, in the transaction that caused it,
under the platform `email`; the worker's email notifier sends it with the same leases and
retries as any direct message. Its `meta` says where it goes and which links it carries:
`email` (the address), `person_id`, and `links` (`action` with `action_id`, or `invitation`
with `invitation_id`). The links themselves are made when the email is sent.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.email.addressing import NOT_BY_EMAIL, as_email, email_recipient, message_ref
from commands.language.grammar import meeting_number
from commands.meetings.calendar_invite import ics_for
from commands.messages import Attachment, Message
from commands.outbox.queue import enqueue
from storage.models import Meeting, Workspace

CALENDAR_TEMPLATES = frozenset(
    {
        "meeting:invited",
        "meeting:deputy_asked",
        "meeting:moved",
        "meeting:venue_changed",
        "meeting:cancelled",
    }
)


def _with_invite(
    session: Session,
    workspace_id: int,
    message: Message,
    domain: str,
    now: datetime,
    *,
    organizer: str | None = None,
) -> Message:
    """An email about a meeting's time carries its calendar invite (REQUEST, or CANCEL)."""
    if message.template not in CALENDAR_TEMPLATES or message.attachments:
        return message
    number = meeting_number(message_ref(message.context, "meeting") or "")
    meeting = session.scalar(
        select(Meeting).where(Meeting.workspace_id == workspace_id, Meeting.number == number)
    )
    if meeting is None:
        return message
    ics = ics_for(meeting, domain=domain, issued=now, organizer=organizer)
    return replace(message, attachments=(Attachment(f"{meeting.ref}.ics", ics, "text/calendar"),))


def route_email(
    session: Session,
    workspace: Workspace,
    messages: list[Message],
    now: datetime,
    *,
    domain: str = "localhost",
    organizer: str | None = None,
) -> list[Message]:
    """Queue the messages for email-only people as email; the others, for the platform.

    An emailed calendar invite names `organizer` (the deployment's sender) as its ORGANIZER
    when given, the mail coming from the deployment; the chair stays the organizer's name.
    """
    kept: list[Message] = []
    batch = secrets.token_hex(6)
    for index, message in enumerate(messages):
        person = email_recipient(session, workspace.id, message)
        if person is None:
            kept.append(message)
            continue
        if message.kind in NOT_BY_EMAIL or not person.email:
            continue
        email = as_email(
            session,
            workspace.id,
            _with_invite(session, workspace.id, message, domain, now, organizer=organizer),
            person,
        )
        enqueue(
            session,
            workspace,
            email,
            key=f"email:{batch}:{index}",
            now=now,
            action_id=email.meta.get("action_id"),
            person_id=person.id,
        )
    return kept
