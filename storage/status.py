"""The status words stored on rows, as `StrEnum`s: equal to the plain strings in the database."""

from __future__ import annotations

from enum import StrEnum


class MeetingStatus(StrEnum):
    """Where a meeting is in its life."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    CANCELLED = "cancelled"


class ActionStatus(StrEnum):
    """Whether an action is still to do."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ReminderStatus(StrEnum):
    """A planned reminder: waiting, sent, or settled without sending."""

    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class OutboxStatus(StrEnum):
    """A message waiting in the outbox, sent, or given up on."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ReviewStatus(StrEnum):
    """A KEEP/STOP/START review: taking items, or closed."""

    OPEN = "open"
    CLOSED = "closed"
