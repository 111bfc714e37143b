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
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.language.grammar import action_number, meeting_number
from commands.meetings.calendar_invite import ics_for
from commands.messages import Attachment, Message
from commands.people.email_people import EXTERNAL_PREFIX
from storage.models import Action, Invitation, Meeting, Person, Workspace

EMAIL = "email"
# What an email-only person could only answer by a command they cannot type: not emailed.
NOT_BY_EMAIL = frozenset({"review_request", "review_prompt"})
ACTION_KINDS = frozenset({"action_card", "reminder"})
INVITATION_KINDS = frozenset({"invitation"})
CALENDAR_TEMPLATES = frozenset(
    {"meeting:invited", "meeting:deputy_asked", "meeting:moved", "meeting:cancelled"}
)


def email_recipient(session: Session, workspace_id: int, message: Message) -> Person | None:
    """The email-only person a direct message is for, or None when it is for a member."""
    recipient = message.recipient
    if message.audience != "dm" or recipient is None:
        return None
    if not recipient.external_id.startswith(EXTERNAL_PREFIX):
        return None
    return session.scalar(
        select(Person).where(
            Person.workspace_id == workspace_id,
            Person.external_id == recipient.external_id,
            Person.email_only.is_(True),
        )
    )


def _ref(context: Any, name: str) -> str | None:
    value = context.get(name) if hasattr(context, "get") else None
    ref = getattr(value, "ref", None)
    return ref if isinstance(ref, str) else None


def _links(session: Session, workspace_id: int, message: Message, person: Person) -> dict[str, Any]:
    """Which action or invitation the email's links act on, for this person."""
    if message.kind in ACTION_KINDS:
        number = action_number(_ref(message.context, "action") or "")
        action_id = session.scalar(
            select(Action.id).where(Action.workspace_id == workspace_id, Action.number == number)
        )
        if action_id is not None and number is not None:
            return {"links": "action", "action_id": action_id}
    if message.kind in INVITATION_KINDS:
        number = meeting_number(_ref(message.context, "meeting") or "")
        invitation_id = session.scalar(
            select(Invitation.id)
            .join(Meeting, Invitation.meeting_id == Meeting.id)
            .where(
                Meeting.workspace_id == workspace_id,
                Meeting.number == number,
                Invitation.person_id == person.id,
            )
        )
        if invitation_id is not None:
            return {"links": "invitation", "invitation_id": invitation_id}
    return {}


def as_email(session: Session, workspace_id: int, message: Message, person: Person) -> Message:
    """The message with what its email needs in `meta`: the address, the person, the links."""
    meta = {
        **message.meta,
        "email": person.email,
        "person_id": person.id,
        **_links(session, workspace_id, message, person),
    }
    return replace(message, meta=meta)


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
    number = meeting_number(_ref(message.context, "meeting") or "")
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
    from commands.outbox.queue import enqueue  # noqa: PLC0415 - the outbox routes back here

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


def queue_for_platform(
    session: Session, workspace: Workspace, messages: list[Message], now: datetime
) -> list[Message]:
    """Queue every message but the private replies for the workspace's platform; those back."""
    from commands.outbox.queue import enqueue  # noqa: PLC0415 - the outbox routes back here

    batch = secrets.token_hex(6)
    private = []
    for index, message in enumerate(messages):
        if message.audience == "private":
            private.append(message)
            continue
        person_id = None
        if message.recipient is not None:
            person_id = session.scalar(
                select(Person.id).where(
                    Person.workspace_id == workspace.id,
                    Person.external_id == message.recipient.external_id,
                )
            )
        enqueue(
            session, workspace, message, key=f"page:{batch}:{index}", now=now, person_id=person_id
        )
    return private
