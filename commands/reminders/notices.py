"""The chairs' one-off notices the sweep sends (an action not accepted, minutes waiting).

Each kind finds its candidates, then tells each in a transaction of its own under a unique
outbox key: a notice another worker queued a moment ago is refused by the key, not sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commands.reminders.policy import ReminderPolicy
from storage.db import Store

PolicyOf = Callable[[Session, int], ReminderPolicy]
Candidates = Callable[[Session, datetime, int], list[int]]
Tell = Callable[[Session, int, datetime, PolicyOf], int]


def queue_each(
    store: Store,
    now: datetime,
    policy_of: PolicyOf,
    candidates: Candidates,
    tell: Tell,
    *,
    limit: int,
) -> tuple[int, int]:
    """Tell each candidate its notice; (queued, refused as already queued)."""
    with store.transaction(now) as session:
        ids = candidates(session, now, limit)
    queued = refused = 0
    for row_id in ids:
        try:
            with store.transaction(now) as session:
                queued += tell(session, row_id, now, policy_of)
        except IntegrityError:
            refused += 1  # another worker queued this notice a moment ago
    return queued, refused
