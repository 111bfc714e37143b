"""What the Teams bot keeps: conversation references and how to address each person."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.conversations import ConversationRef, PlatformUser
from storage.models import Meeting, Person, Workspace

PLATFORM = "teams"
MAX_KEY = 100
MAX_USER_KEY = 64


def conversation_key(conversation_id: str) -> str:
    """A conversation id short enough to be a channel name in the records (long ones hashed)."""
    if len(conversation_id) <= MAX_KEY:
        return conversation_id
    return "h:" + hashlib.sha256(conversation_id.encode()).hexdigest()[:64]


def user_key(aad_object_id: str | None, teams_user_id: str) -> str:
    """The id a Teams user is known by in the records: the Entra object id when Teams gives it."""
    if aad_object_id:
        return aad_object_id
    if len(teams_user_id) <= MAX_USER_KEY:
        return teams_user_id
    return "h:" + hashlib.sha256(teams_user_id.encode()).hexdigest()[:48]


@dataclass(frozen=True)
class Route:
    """Where to send to a conversation: the service URL and the full conversation id."""

    service_url: str
    conversation_id: str
    conversation_type: str


def remember_conversation(
    session: Session,
    *,
    tenant_id: str,
    conversation_id: str,
    conversation_type: str,
    service_url: str,
    bot_id: str,
    user_external_id: str | None,
    now: datetime,
) -> None:
    """Store or refresh a conversation reference."""
    key = conversation_key(conversation_id)
    row = session.scalar(
        select(ConversationRef).where(
            ConversationRef.platform == PLATFORM,
            ConversationRef.tenant_id == tenant_id,
            ConversationRef.conversation_key == key,
        )
    )
    if row is None:
        session.add(
            ConversationRef(
                platform=PLATFORM,
                tenant_id=tenant_id,
                conversation_key=key,
                conversation_id=conversation_id,
                conversation_type=conversation_type,
                service_url=service_url,
                bot_id=bot_id,
                user_external_id=user_external_id,
                updated_at=now,
            )
        )
        return
    if row.service_url != service_url or row.bot_id != bot_id:
        row.service_url, row.bot_id, row.updated_at = service_url, bot_id, now
    if user_external_id and row.user_external_id != user_external_id:
        row.user_external_id, row.updated_at = user_external_id, now


def remember_user(
    session: Session,
    *,
    tenant_id: str,
    external_id: str,
    teams_user_id: str,
    name: str,
    email: str | None,
    service_url: str,
    now: datetime,
) -> PlatformUser:
    """Store or refresh how a person is addressed in Teams."""
    row = session.scalar(
        select(PlatformUser).where(
            PlatformUser.platform == PLATFORM,
            PlatformUser.tenant_id == tenant_id,
            PlatformUser.external_id == external_id,
        )
    )
    if row is None:
        row = PlatformUser(
            platform=PLATFORM,
            tenant_id=tenant_id,
            external_id=external_id,
            platform_user_id=teams_user_id,
            display_name=name or external_id,
            email=email,
            service_url=service_url,
            updated_at=now,
        )
        session.add(row)
        return row
    changes = {
        "platform_user_id": teams_user_id,
        "display_name": name or row.display_name,
        "email": email or row.email,
        "service_url": service_url,
    }
    if any(getattr(row, k) != v for k, v in changes.items()):
        for attribute, value in changes.items():
            setattr(row, attribute, value)
        row.updated_at = now
    return row


def user_by_external_id(session: Session, tenant_id: str, external_id: str) -> PlatformUser | None:
    """A person's Teams addressing, by their id in the records."""
    return session.scalar(
        select(PlatformUser).where(
            PlatformUser.platform == PLATFORM,
            PlatformUser.tenant_id == tenant_id,
            PlatformUser.external_id == external_id,
        )
    )


def user_by_teams_id(session: Session, tenant_id: str, teams_user_id: str) -> PlatformUser | None:
    """A person's Teams addressing, by their Teams user id (`29:...`)."""
    return session.scalar(
        select(PlatformUser).where(
            PlatformUser.platform == PLATFORM,
            PlatformUser.tenant_id == tenant_id,
            PlatformUser.platform_user_id == teams_user_id,
        )
    )


def channel_route(session: Session, tenant_id: str, key: str) -> Route | None:
    """Where a channel (by its key in the records) is."""
    row = session.scalar(
        select(ConversationRef).where(
            ConversationRef.platform == PLATFORM,
            ConversationRef.tenant_id == tenant_id,
            ConversationRef.conversation_key == key,
        )
    )
    if row is None:
        return None
    return Route(row.service_url, row.conversation_id, row.conversation_type)


def personal_route(session: Session, tenant_id: str, external_id: str) -> Route | None:
    """The 1:1 chat with a person, if the bot has one."""
    row = session.scalar(
        select(ConversationRef)
        .where(
            ConversationRef.platform == PLATFORM,
            ConversationRef.tenant_id == tenant_id,
            ConversationRef.conversation_type == "personal",
            ConversationRef.user_external_id == external_id,
        )
        .order_by(ConversationRef.updated_at.desc())
        .limit(1)
    )
    if row is None:
        return None
    return Route(row.service_url, row.conversation_id, row.conversation_type)


def any_service_url(session: Session, tenant_id: str) -> str | None:
    """The most recent service URL the tenant's activities came from."""
    return session.scalar(
        select(ConversationRef.service_url)
        .where(ConversationRef.platform == PLATFORM, ConversationRef.tenant_id == tenant_id)
        .order_by(ConversationRef.updated_at.desc())
        .limit(1)
    )


def person(session: Session, tenant_id: str, external_id: str) -> Person | None:
    """The person row for a Teams user in the tenant's workspace."""
    return session.scalar(
        select(Person)
        .join(Workspace, Person.workspace_id == Workspace.id)
        .where(
            Workspace.platform == PLATFORM,
            Workspace.external_id == tenant_id,
            Person.external_id == external_id,
        )
    )


def meeting_chair(session: Session, tenant_id: str, number: int) -> Person | None:
    """The chair of a meeting in the tenant's workspace."""
    meeting = session.scalar(
        select(Meeting)
        .join(Workspace, Meeting.workspace_id == Workspace.id)
        .where(
            Workspace.platform == PLATFORM,
            Workspace.external_id == tenant_id,
            Meeting.number == number,
        )
    )
    return meeting.chair if meeting is not None else None
