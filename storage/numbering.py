"""Per-workspace numbers (M3, A17, D4, E2) handed out by one atomic statement on every database.

`UPDATE workspace SET next_x = next_x + 1 WHERE id = :id RETURNING next_x - 1` takes the row
lock and the number together, so two commands at the same instant never get the same number
(PostgreSQL holds the row lock to the end of the transaction; SQLite has one writer at a time).
The ORM's copy of the counter is expired afterwards, so nothing reads or writes a stale value.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import update
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.models import Workspace

Kind = Literal["meeting", "action", "decision", "disagreement"]

COUNTERS: dict[Kind, InstrumentedAttribute[int]] = {
    "meeting": Workspace.next_meeting_number,
    "action": Workspace.next_action_number,
    "decision": Workspace.next_decision_number,
    "disagreement": Workspace.next_disagreement_number,
}


def next_number(session: Session, workspace_id: int, kind: Kind) -> int:
    """The next number of this kind in the workspace, taken for good by this transaction."""
    counter = COUNTERS[kind]
    statement = (
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values({counter: counter + 1})
        .returning(counter - 1)
        .execution_options(synchronize_session=False)
    )
    number = session.execute(statement).scalar_one()
    cached = session.identity_map.get(session.identity_key(Workspace, workspace_id))
    if cached is not None:
        session.expire(cached, [counter.key])
    return int(number)
