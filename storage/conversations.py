"""Platform delivery records: conversation references, platform users and calendar events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime


class ConversationRef(Base):
    """Where the bot can write proactively: a chat, a group chat or a channel."""

    __tablename__ = "conversation_ref"
    __table_args__ = (UniqueConstraint("platform", "tenant_id", "conversation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str] = mapped_column(String(64))
    conversation_key: Mapped[str] = mapped_column(String(100))
    conversation_id: Mapped[str] = mapped_column(Text)
    conversation_type: Mapped[str] = mapped_column(String(20))
    service_url: Mapped[str] = mapped_column(String(500))
    bot_id: Mapped[str] = mapped_column(String(200))
    user_external_id: Mapped[str | None] = mapped_column(String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlatformUser(Base):
    """How the platform addresses a person: its own user id, name, email and service endpoint."""

    __tablename__ = "platform_user"
    __table_args__ = (UniqueConstraint("platform", "tenant_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(64))
    platform_user_id: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    service_url: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarEvent(Base):
    """The calendar event (with its online meeting) that stands for a meeting in a calendar."""

    __tablename__ = "calendar_event"
    __table_args__ = (UniqueConstraint("meeting_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(Text)
    join_url: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
