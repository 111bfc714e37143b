"""Idempotent inbound: each Slack event or interaction id is handled once, across processes."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Store
from storage.models import ProcessedEvent

PLATFORM = "slack"
TABLE = cast(Table, ProcessedEvent.__table__)


def first_time(store: Store, event_id: str, now: datetime, platform: str = PLATFORM) -> bool:
    """Record the id (insert-or-ignore); True only for the first delivery of it."""
    values = {"platform": platform, "event_id": event_id[:100], "received_at": now}
    with store.transaction(now) as session:
        if session.get_bind().dialect.name == "postgresql":
            statement = postgresql.insert(TABLE).values(values).on_conflict_do_nothing()
            inserted = session.execute(statement.returning(TABLE.c.id)).first()
        else:
            lite = sqlite.insert(TABLE).values(values).on_conflict_do_nothing()
            inserted = session.execute(lite.returning(TABLE.c.id)).first()
        return inserted is not None
