"""Who a direct message by email is for, and what its email needs: address, person, links.

No outbox here: the outbox (`commands.outbox.queue`) and email routing both build on this.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.language.grammar import action_number, meeting_number
from commands.messages import Message
from commands.people.email_people import EXTERNAL_PREFIX
from storage.models import Action, Invitation, Meeting, Person

EMAIL = "email"
# What an email-only person could only answer by a command they cannot type: not emailed.
NOT_BY_EMAIL = frozenset({"review_request", "review_prompt"})
ACTION_KINDS = frozenset({"action_card", "reminder"})
INVITATION_KINDS = frozenset({"invitation"})


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


def message_ref(context: Any, name: str) -> str | None:
    value = context.get(name) if hasattr(context, "get") else None
    ref = getattr(value, "ref", None)
    return ref if isinstance(ref, str) else None


def _links(session: Session, workspace_id: int, message: Message, person: Person) -> dict[str, Any]:
    """Which action or invitation the email's links act on, for this person."""
    if message.kind in ACTION_KINDS:
        number = action_number(message_ref(message.context, "action") or "")
        action_id = session.scalar(
            select(Action.id).where(Action.workspace_id == workspace_id, Action.number == number)
        )
        if action_id is not None and number is not None:
            return {"links": "action", "action_id": action_id}
    if message.kind in INVITATION_KINDS:
        number = meeting_number(message_ref(message.context, "meeting") or "")
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
