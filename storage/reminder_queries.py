"""Claiming due reminders and outbox messages under a lease, so workers never take the same row.

On PostgreSQL the candidates are first locked with `FOR UPDATE SKIP LOCKED`, so concurrent
workers pass over each other's rows, then leased in the same transaction; on SQLite (one
writer at a time) the UPDATE is a compare-and-set on the row's status and lease. Either way
a claimed row carries `claimed_by` and `claimed_until`; a worker that dies leaves its lease
to expire, and the row is claimed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.models import OutboxMessage, Reminder
from storage.status import OutboxStatus, ReminderStatus

PENDING = ReminderStatus.PENDING  # the same word as OutboxStatus.PENDING


def _claim(
    session: Session,
    model: type[Reminder] | type[OutboxMessage],
    ready: Iterable[ColumnElement[bool]],
    order: Iterable[InstrumentedAttribute[Any]],
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[int]:
    """Lease up to `limit` pending rows of `model` that are `ready` and free, in `order`.

    The candidates are locked first (passing over rows another worker holds), then leased
    only where still pending and free: no two workers ever take one row.
    """
    free = or_(model.claimed_until.is_(None), model.claimed_until < now)
    candidates = (
        select(model.id)
        .where(model.status == PENDING, *ready, free)
        .order_by(*order)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    picked = list(session.scalars(candidates))
    if not picked:
        return []
    claim = (
        update(model)
        .where(model.id.in_(picked), model.status == PENDING, free)
        .values(claimed_by=worker, claimed_until=now + lease)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(session.scalars(claim))


def claim_due_reminders(
    session: Session, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[int]:
    """Claim up to `limit` pending reminders due by `now`, earliest first; their ids."""
    return _claim(
        session,
        Reminder,
        [Reminder.due_at <= now],
        [Reminder.due_at, Reminder.id],
        worker=worker,
        now=now,
        lease=lease,
        limit=limit,
    )


def claim_outbox(
    session: Session,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    *,
    platforms: Iterable[str],
) -> list[int]:
    """Claim up to `limit` outbox messages ready to send on the given platforms; their ids."""
    return _claim(
        session,
        OutboxMessage,
        [OutboxMessage.next_at <= now, OutboxMessage.platform.in_(list(platforms))],
        [OutboxMessage.next_at, OutboxMessage.id],
        worker=worker,
        now=now,
        lease=lease,
        limit=limit,
    )


def renew_outbox(
    session: Session, worker: str, ids: Iterable[int], now: datetime, lease: timedelta
) -> list[int]:
    """Extend this worker's lease on the messages it still holds; the ids it still holds.

    A message whose lease ran out and was claimed by another worker is not among them: the
    worker must not send it (the fence that keeps two workers from sending one message).
    """
    wanted = list(ids)
    if not wanted:
        return []
    renew = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(wanted),
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == "pending",
        )
        .values(claimed_until=now + lease)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(session.scalars(renew))


def mark_in_flight(session: Session, outbox_id: int, note: str) -> None:
    """Note on a message that it is about to be sent, unless an earlier error is noted."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.last_error.is_(None))
        .values(last_error=note)
        .execution_options(synchronize_session=False)
    )


def held_reminders(session: Session, worker: str, ids: Iterable[int]) -> list[Reminder]:
    """The claimed reminders this worker still holds, locked for this transaction."""
    query = (
        select(Reminder)
        .where(
            Reminder.id.in_(list(ids)),
            Reminder.claimed_by == worker,
            Reminder.status == ReminderStatus.PENDING,
        )
        .order_by(Reminder.action_id, Reminder.due_at, Reminder.id)
        .with_for_update()
    )
    return list(session.scalars(query))


def claimed_outbox(session: Session, worker: str, ids: Iterable[int]) -> list[OutboxMessage]:
    """The outbox messages this worker has just claimed, in order (read without locking)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.claimed_by == worker)
        .order_by(OutboxMessage.next_at, OutboxMessage.id)
    )
    return list(session.scalars(query))


def held_outbox(session: Session, worker: str, outbox_id: int) -> OutboxMessage | None:
    """One claimed outbox message this worker still holds, locked for this transaction."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .with_for_update()
    )
    return session.scalar(query)


def newest_due_of(
    session: Session, action_ids: Iterable[int], now: datetime
) -> dict[int, datetime]:
    """Per action, the latest due time by `now` among its pending or sent reminders."""
    query = (
        select(Reminder.action_id, func.max(Reminder.due_at))
        .where(
            Reminder.action_id.in_(list(action_ids)),
            Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.SENT)),
            Reminder.due_at <= now,
        )
        .group_by(Reminder.action_id)
    )
    return {row[0]: row[1] for row in session.execute(query) if row[1] is not None}


def rows_of(session: Session, action_ids: Iterable[int]) -> dict[int, list[Reminder]]:
    """Every reminder row of several actions, by action."""
    found: dict[int, list[Reminder]] = {}
    query = select(Reminder).where(Reminder.action_id.in_(list(action_ids)))
    for row in session.scalars(query):
        found.setdefault(row.action_id, []).append(row)
    return found


def reminders_of(session: Session, action_id: int) -> list[Reminder]:
    """Every reminder row of one action."""
    return list(session.scalars(select(Reminder).where(Reminder.action_id == action_id)))
