"""Typed SQLAlchemy models: meetings, people, agencies, decisions, actions and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.status import ActionStatus, MeetingStatus, OutboxStatus, ReminderStatus, ReviewStatus
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
    next_decision_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    marking: Mapped[str] = mapped_column(
        String(60), default="OFFICIAL-SENSITIVE", server_default="OFFICIAL-SENSITIVE"
    )
    next_disagreement_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
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
    email_only: Mapped[bool] = mapped_column(Boolean, default=False)

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
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.SCHEDULED)
    channel: Mapped[str] = mapped_column(String(100))
    thread_id: Mapped[str | None] = mapped_column(String(100))
    series_interval: Mapped[str | None] = mapped_column(String(40))
    series_id: Mapped[int | None] = mapped_column(Integer, index=True)
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quorate: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue: Mapped[str | None] = mapped_column(Text)
    minutes_status: Mapped[str | None] = mapped_column(String(12))
    minutes_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    window_reminded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    late_flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    chair: Mapped[Person] = relationship(foreign_keys=[chair_id], lazy="joined")
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="meeting", order_by="Invitation.id"
    )
    agenda: Mapped[list[AgendaItem]] = relationship(order_by="AgendaItem.position")
    decisions: Mapped[list[Decision]] = relationship(
        order_by="Decision.id", foreign_keys="Decision.meeting_id"
    )
    notes: Mapped[list[Note]] = relationship(order_by="Note.id")
    actions: Mapped[list[Action]] = relationship(back_populates="meeting", order_by="Action.number")

    @property
    def ref(self) -> str:
        """The user-facing reference, e.g. M3."""
        return f"M{self.number}"

    @property
    def locked(self) -> bool:
        """The minutes are approved: the record is fixed, only an addendum may follow."""
        return self.minutes_status == "approved"


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
    sent_report: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

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
    """A decision recorded at a meeting, with its rationale; ref D<n>, numbered per workspace."""

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("source_channel", "source_message_id"),
        UniqueConstraint("workspace_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id"))
    number: Mapped[int | None] = mapped_column(Integer)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    to_ratify: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_channel: Mapped[str | None] = mapped_column(String(100))
    source_message_id: Mapped[str | None] = mapped_column(String(100))
    ratification: Mapped[str | None] = mapped_column(String(12))
    ratified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ratified_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    ratified_in_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    ratification_reason: Mapped[str | None] = mapped_column(Text)

    author: Mapped[Person] = relationship(foreign_keys=[author_id])
    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id], viewonly=True)
    dissents: Mapped[list[Dissent]] = relationship(order_by="Dissent.id", viewonly=True)

    @property
    def ref(self) -> str:
        """The user-facing reference, e.g. D4."""
        return f"D{self.number}"


class Dissent(Base):
    """One attendee's recorded disagreement with a decision, with their reason."""

    __tablename__ = "dissent"
    __table_args__ = (UniqueConstraint("source_channel", "source_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(Text)
    escalate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_channel: Mapped[str | None] = mapped_column(String(100))
    source_message_id: Mapped[str | None] = mapped_column(String(100))
    # The agency the person spoke for when they disagreed, kept if they later move agency.
    agency: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(32))

    person: Mapped[Person] = relationship(lazy="joined")


class Correction(Base):
    """A correction to draft minutes proposed by an attendee, accepted or declined by the chair."""

    __tablename__ = "correction"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str | None] = mapped_column(Text)

    author: Mapped[Person] = relationship(foreign_keys=[author_id], lazy="joined")


class Addendum(Base):
    """A dated, signed addition below approved minutes: the only change a locked record takes."""

    __tablename__ = "addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    author: Mapped[Person] = relationship(lazy="joined")


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
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN)
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
    reason_kind: Mapped[str | None] = mapped_column(String(40))

    author: Mapped[Person] = relationship(foreign_keys=[author_id], lazy="joined", viewonly=True)
    old_owner: Mapped[Person | None] = relationship(
        foreign_keys=[old_owner_id], lazy="joined", viewonly=True
    )
    new_owner: Mapped[Person | None] = relationship(
        foreign_keys=[new_owner_id], lazy="joined", viewonly=True
    )


class ProcessedEvent(Base):
    """An inbound platform event already handled: a redelivery with the same id is ignored."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Slack's OAuth installations and states, in the shape slack_sdk's SQLAlchemy stores read and
# write (naive UTC timestamps, their own index names); created by our migrations, not by slack_sdk.
slack_installations = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)


class AuditEntry(Base):
    """An append-only line of the audit trail: who changed what, when, before and after.

    `hash` chains the row to the one before it (storage.chain); an erased row keeps only the
    digest of its content, and `erased_at` says when retention took it.
    """

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
    hash: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Review(Base):
    """The KEEP / STOP / START review of one meeting: open after it ends, closed once."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    meeting: Mapped[Meeting] = relationship()
    items: Mapped[list[ReviewItem]] = relationship(order_by="ReviewItem.position")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own form


class ReviewItem(Base):
    """One thing someone said the partnership should KEEP, STOP or START doing."""

    __tablename__ = "review_item"
    __table_args__ = (UniqueConstraint("review_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))


class ReminderSettings(Base):
    """A workspace's own reminder policy; settings left out take the contract's defaults."""

    __tablename__ = "reminder_settings"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), primary_key=True)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)


class Reminder(Base):
    """One reminder an action's owner is owed: a row with a due time, claimed by one worker."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer, default=0)
    escalate: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=ReminderStatus.PENDING)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A message to deliver, written in the transaction that caused it, and what came of it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next_at", "status", "next_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    platform: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminder.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform_message_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Disagreement(Base):
    """A professional disagreement `E<n>` about a decision, taken through a protocol's stages."""

    __tablename__ = "disagreement"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    number: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    protocol: Mapped[str] = mapped_column(String(40))
    stage: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="open")
    reason: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stage_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stage_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_text: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    raised_by: Mapped[Person] = relationship(foreign_keys=[raised_by_id])
    meeting: Mapped[Meeting] = relationship()
    decision: Mapped[Decision] = relationship()
    members: Mapped[list[DisagreementMember]] = relationship(order_by="DisagreementMember.id")
    steps: Mapped[list[DisagreementStep]] = relationship(order_by="DisagreementStep.id")

    @property
    def ref(self) -> str:
        """The disagreement's reference, `E<n>`."""
        return f"E{self.number}"


class DisagreementMember(Base):
    """Someone involved in a disagreement, from the stage they were brought in at."""

    __tablename__ = "disagreement_member"
    __table_args__ = (UniqueConstraint("disagreement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disagreement_id: Mapped[int] = mapped_column(ForeignKey("disagreement.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    stage: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(12))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")


class DisagreementStep(Base):
    """One step of a disagreement's history: opened, someone added, escalated, overdue, resolved."""

    __tablename__ = "disagreement_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    disagreement_id: Mapped[int] = mapped_column(ForeignKey("disagreement.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    stage: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    author: Mapped[Person | None] = relationship(foreign_keys=[author_id], lazy="joined")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id], lazy="joined")


class StageNotice(Base):
    """The worker's notice that a stage ran out of time: a row claimed under a lease."""

    __tablename__ = "stage_notice"
    __table_args__ = (Index("ix_stage_notice_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    disagreement_id: Mapped[int] = mapped_column(ForeignKey("disagreement.id"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkToken(Base):
    """A link sent by email: stored only as the hash of its 32 random bytes, for one person and
    one action or one invitation, until it expires or is used up."""

    __tablename__ = "link_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LegalHold(Base):
    """A legal hold on a case: nothing of it is erased until the hold is released."""

    __tablename__ = "legal_hold"
    __table_args__ = (Index("ix_legal_hold_case", "workspace_id", "case_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    case_ref: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    held_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    held_by: Mapped[Person] = relationship(foreign_keys=[held_by_id])


class Disposal(Base):
    """The disposal log: what retention erased, under which rule, and when."""

    __tablename__ = "disposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    rule: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(60))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"), index=True)
    due_since: Mapped[datetime] = mapped_column(UTCDateTime())
    disposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    records: Mapped[dict[str, Any]] = mapped_column(JSON)


class RetentionRun(Base):
    """One run of retention (the worker runs it once a day)."""

    __tablename__ = "retention_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    erased: Mapped[int] = mapped_column(Integer, default=0)


class Absence(Base):
    """A practitioner away from one date to another (both inclusive), with who covers, if anyone.

    A cancelled absence (the person came back early, or changed their plans) keeps its row with
    `cancelled_at` set, so the audit trail and the history read the same.
    """

    __tablename__ = "absence"
    __table_args__ = (Index("ix_absence_person_dates", "person_id", "ends_on", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    cover: Mapped[Person | None] = relationship(foreign_keys=[cover_id])
