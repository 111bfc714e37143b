"""Typed SQLAlchemy models: meetings, people, agencies, decisions, actions and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention for migrations."""

    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    """One Slack workspace, Teams tenant or console database: records never cross workspaces."""

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    holidays_nation: Mapped[str] = mapped_column(String(32), default="England and Wales")
    next_meeting_number: Mapped[int] = mapped_column(Integer, default=1)
    next_action_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Agency(Base):
    """A partner agency (council team, NHS trust, housing provider...) and its sector."""

    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(32))


class Person(Base):
    """A practitioner known to the bot; never a person being supported."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)

    agency: Mapped[Agency | None] = relationship(lazy="joined")


class Meeting(Base):
    """One MDT meeting; an occurrence of a series is a meeting of its own."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_meeting_channel_status", "workspace_id", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    case_ref: Mapped[str | None] = mapped_column(String(40))
    meeting_type: Mapped[str | None] = mapped_column(String(40))
    chair_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    channel: Mapped[str] = mapped_column(String(100))
    thread_id: Mapped[str | None] = mapped_column(String(100))
    series_interval: Mapped[str | None] = mapped_column(String(40))
    quorate: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    chair: Mapped[Person] = relationship(foreign_keys=[chair_id], lazy="joined")
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="meeting", order_by="Invitation.id"
    )
    agenda: Mapped[list[AgendaItem]] = relationship(order_by="AgendaItem.position")
    decisions: Mapped[list[Decision]] = relationship(order_by="Decision.id")
    notes: Mapped[list[Note]] = relationship(order_by="Note.id")
    actions: Mapped[list[Action]] = relationship(back_populates="meeting", order_by="Action.number")

    @property
    def ref(self) -> str:
        """The user-facing reference, e.g. M3."""
        return f"M{self.number}"


class Invitation(Base):
    """A person invited to a meeting, with their reply and attendance."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[str] = mapped_column(String(20), default="attendee")
    rsvp: Mapped[str] = mapped_column(String(16), default="invited")
    apology_reason: Mapped[str | None] = mapped_column(Text)
    deputy_for_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    attended: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    deputy_for: Mapped[Person | None] = relationship(foreign_keys=[deputy_for_id])


class AgendaItem(Base):
    """One item on a meeting's agenda."""

    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class Decision(Base):
    """A decision recorded at a meeting, with its rationale."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("source_channel", "source_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    to_ratify: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_channel: Mapped[str | None] = mapped_column(String(100))
    source_message_id: Mapped[str | None] = mapped_column(String(100))

    author: Mapped[Person] = relationship()


class Note(Base):
    """A note for the minutes captured in the meeting thread."""

    __tablename__ = "note"
    __table_args__ = (UniqueConstraint("source_channel", "source_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_channel: Mapped[str | None] = mapped_column(String(100))
    source_message_id: Mapped[str | None] = mapped_column(String(100))

    author: Mapped[Person] = relationship()


class Action(Base):
    """A SMART action with one owner and a due date."""

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        UniqueConstraint("source_channel", "source_message_id"),
        Index("ix_action_owner_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    number: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    description: Mapped[str] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    specific: Mapped[bool] = mapped_column(Boolean, default=False)
    measurable: Mapped[bool] = mapped_column(Boolean, default=False)
    relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    time_bound: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_requested: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    source_channel: Mapped[str | None] = mapped_column(String(100))
    source_message_id: Mapped[str | None] = mapped_column(String(100))

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    updates: Mapped[list[ActionUpdate]] = relationship(order_by="ActionUpdate.id")

    @property
    def ref(self) -> str:
        """The user-facing reference, e.g. A17."""
        return f"A{self.number}"


class ActionUpdate(Base):
    """Progress, extension, reassignment or completion of an action, kept for the record."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    old_due: Mapped[date | None] = mapped_column(Date)
    new_due: Mapped[date | None] = mapped_column(Date)
    old_owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    new_owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class AuditEntry(Base):
    """An append-only line of the audit trail: who changed what, when, before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
