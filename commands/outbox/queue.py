"""The outbox: messages written with the change that caused them, and how their delivery went."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from commands.email.addressing import EMAIL, as_email, email_recipient
from commands.messages import Message, Recipient
from commands.outbox.codec import decode_message, encode_message
from commands.reminders.rows import zone_of
from storage.db import Store
from storage.models import Action, Meeting, OutboxMessage, Person, Workspace
from storage.status import OutboxStatus

NOTICE = ":notice"


def enqueue(
    session: Session,
    workspace: Workspace,
    message: Message,
    *,
    key: str,
    now: datetime,
    reminder_id: int | None = None,
    action_id: int | None = None,
    person_id: int | None = None,
) -> OutboxMessage:
    """Put a message in the outbox under a unique key (a second one with the key is refused).

    The message carries its workspace's platform id in `meta["workspace"]`, so a notifier
    serving several workspaces knows whose credentials to send it with.
    """
    message = replace(message, meta={**message.meta, "workspace": workspace.external_id})
    platform = workspace.platform
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None:
        person = email_recipient(session, workspace.id, message)
        person_id = person.id if person is not None else None
    if person is not None and person.email_only:
        platform = EMAIL  # an email-only person is reached by email, on the same policy
        if "email" not in message.meta:
            message = as_email(session, workspace.id, message, person)
    row = OutboxMessage(
        workspace_id=workspace.id,
        platform=platform,
        key=key,
        reminder_id=reminder_id,
        action_id=action_id,
        person_id=person_id,
        payload=encode_message(message),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def queued_message(row: OutboxMessage) -> Message:
    """The message an outbox row holds."""
    return decode_message(row.payload)


def dm_to(to: Person, workspace: Workspace, template: str, /, **context: object) -> Message:
    """A direct message to a person, in their own zone."""
    return Message(
        audience="dm",
        template=template,
        context=context,
        zone=str(zone_of(to, workspace)),
        recipient=Recipient(to.external_id, to.display_name),
    )


def delivered(
    session: Session, row: OutboxMessage, now: datetime, platform_id: str, *, attempts: int
) -> None:
    """Record a delivery, after how many attempts, and the platform's id for the message."""
    row.status, row.sent_at, row.platform_message_id = OutboxStatus.SENT, now, platform_id
    row.attempts = attempts
    row.claimed_by = row.claimed_until = None
    if row.person_id is not None:
        person = session.get(Person, row.person_id)
        if person is not None and person.unreachable:
            person.unreachable = False


DEFER_FIRST = timedelta(minutes=1)
DEFER_LONGEST = timedelta(days=1)


def delivery_deferred(
    session: Session,
    row: OutboxMessage,
    now: datetime,
    *,
    error: str,
    attempts: int,
    wait: timedelta | None = None,
) -> datetime:
    """Leave a message waiting (its service is down): tried again later, backing off to a day
    (or after `wait`, when the caller keeps its own backoff)."""
    del session
    if wait is None:
        wait = min(DEFER_FIRST * 2 ** min(max(attempts - 1, 0), 20), DEFER_LONGEST)
    row.status, row.last_error, row.attempts = OutboxStatus.PENDING, error[:1000], attempts
    row.next_at = now + wait
    row.claimed_by = row.claimed_until = None
    return row.next_at


def delivery_failed(
    session: Session,
    row: OutboxMessage,
    now: datetime,
    *,
    error: str,
    attempts: int,
    unreachable: bool = False,
) -> None:
    """Mark a message failed and tell the action's chair (about an unreachable person once)."""
    row.status, row.last_error, row.attempts = OutboxStatus.FAILED, error[:1000], attempts
    row.claimed_by = row.claimed_until = None
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    if unreachable and person is not None:
        if person.unreachable:
            return
        person.unreachable = True
    if row.key.endswith(NOTICE) or row.action_id is None:
        return
    action = session.get(Action, row.action_id)
    workspace = session.get(Workspace, row.workspace_id)
    if action is None or workspace is None:
        return
    meeting = session.get(Meeting, action.meeting_id)
    chair = session.get(Person, meeting.chair_id) if meeting is not None else None
    if chair is None or (person is not None and chair.id == person.id):
        return
    exists = session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == row.key + NOTICE))
    if exists is not None:
        return
    message = dm_to(
        chair,
        workspace,
        "reminders:unreachable" if unreachable and person is not None else "reminders:failed",
        action_ref=action.ref,
        person=person.display_name if person is not None else None,
        attempts=attempts,
    )
    enqueue(
        session,
        workspace,
        message,
        key=row.key + NOTICE,
        now=now,
        action_id=action.id,
        person_id=chair.id,
    )


def hand_over(
    store: Store, platform: str, external_id: str, message: Message, now: datetime
) -> None:
    """Queue a message a platform failed to take when it was first sent, for the worker."""
    with store.transaction(now) as session:
        workspace = session.scalar(
            select(Workspace).where(
                Workspace.platform == platform, Workspace.external_id == external_id
            )
        )
        if workspace is None:
            return
        person_id = None
        if message.recipient is not None:
            person_id = session.scalar(
                select(Person.id).where(
                    Person.workspace_id == workspace.id,
                    Person.external_id == message.recipient.external_id,
                )
            )
        enqueue(
            session,
            workspace,
            message,
            key=f"handover:{secrets.token_hex(8)}",
            now=now,
            person_id=person_id,
        )


def queue_for_platform(
    session: Session, workspace: Workspace, messages: list[Message], now: datetime
) -> list[Message]:
    """Queue every message but the private replies for the workspace's platform; those back."""
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
