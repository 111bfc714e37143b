"""Who did what, when: the audit rows of one meeting, action or decision, oldest first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from storage.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    AuditEntry,
    Base,
    Decision,
    Invitation,
    Meeting,
    Note,
    Person,
    Review,
    ReviewItem,
)

REF = re.compile(r"^([MAD])(\d{1,9})$", re.IGNORECASE)
RECORD_NAMES = {
    "meeting": "the meeting",
    "invitation": "an invitation",
    "agenda_item": "an agenda item",
    "decision": "a decision",
    "note": "a note",
    "action": "an action",
    "action_update": "an action's history",
    "review": "the review",
    "review_item": "a review item",
}
VERBS = {"created": "created", "updated": "changed", "deleted": "deleted", "erased": "erased"}


class TrailError(Exception):
    """A ref that names nothing: `reason` is bad_ref or unknown, `ref` what was asked."""

    def __init__(self, reason: str, ref: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ref = ref


@dataclass(frozen=True)
class TrailLine:
    """One audit row as a reader sees it."""

    id: int
    at: datetime
    actor: str | None
    change: str
    record: str
    fields: tuple[str, ...]


def decision_refs() -> bool:
    """Decisions have refs (D4) once the record lifecycle numbers them."""
    return hasattr(Decision, "number")


def _ids(session: Session, query: Any) -> list[int]:
    return list(session.scalars(query).all())


def _meeting_records(session: Session, meeting: Meeting) -> dict[str, list[int]]:
    action_ids = _ids(session, select(Action.id).where(Action.meeting_id == meeting.id))
    review_ids = _ids(session, select(Review.id).where(Review.meeting_id == meeting.id))
    records: dict[str, list[int]] = {
        "meeting": [meeting.id],
        "invitation": _ids(
            session, select(Invitation.id).where(Invitation.meeting_id == meeting.id)
        ),
        "agenda_item": _ids(
            session, select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id)
        ),
        "decision": _ids(session, select(Decision.id).where(Decision.meeting_id == meeting.id)),
        "note": _ids(session, select(Note.id).where(Note.meeting_id == meeting.id)),
        "action": action_ids,
        "action_update": _ids(
            session, select(ActionUpdate.id).where(ActionUpdate.action_id.in_(action_ids))
        ),
        "review": review_ids,
        "review_item": _ids(
            session, select(ReviewItem.id).where(ReviewItem.review_id.in_(review_ids))
        ),
    }
    for table, (column, parent) in extra_children().items():
        if parent == "meeting":
            records[table] = _ids(
                session, select(column).where(column.table.c.meeting_id == meeting.id)
            )
    return records


def extra_children() -> dict[str, tuple[Any, str]]:
    """Tables added by later features whose rows belong to a meeting: their id column."""
    found: dict[str, tuple[Any, str]] = {}
    known = set(RECORD_NAMES) | {"audit_entry"}
    for table in Base.metadata.sorted_tables:
        if table.name in known or "id" not in table.c:
            continue
        if "meeting_id" in table.c:
            found[table.name] = (table.c.id, "meeting")
    return found


def resolve(session: Session, workspace_id: int, ref: str) -> tuple[str, dict[str, list[int]]]:
    """The canonical ref and the records (table -> ids) whose audit rows it covers."""
    match = REF.match(ref.strip())
    if not match or (match.group(1).upper() == "D" and not decision_refs()):
        raise TrailError("bad_ref", ref)
    kind, number = match.group(1).upper(), int(match.group(2))
    canonical = f"{kind}{number}"
    if kind == "M":
        meeting = session.scalar(
            select(Meeting).where(Meeting.workspace_id == workspace_id, Meeting.number == number)
        )
        if meeting is None:
            raise TrailError("unknown", canonical)
        return canonical, _meeting_records(session, meeting)
    if kind == "A":
        action = session.scalar(
            select(Action).where(Action.workspace_id == workspace_id, Action.number == number)
        )
        if action is None:
            raise TrailError("unknown", canonical)
        updates = _ids(session, select(ActionUpdate.id).where(ActionUpdate.action_id == action.id))
        return canonical, {"action": [action.id], "action_update": updates}
    number_column = getattr(Decision, "number")  # noqa: B009 - present once decisions are numbered
    decision = session.scalar(
        select(Decision)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .where(Meeting.workspace_id == workspace_id, number_column == number)
    )
    if decision is None:
        raise TrailError("unknown", canonical)
    records: dict[str, list[int]] = {"decision": [decision.id]}
    for table in Base.metadata.sorted_tables:
        if "decision_id" in table.c and "id" in table.c and table.name != "action":
            records[table.name] = _ids(
                session, select(table.c.id).where(table.c.decision_id == decision.id)
            )
    return canonical, records


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Person.id, Person.display_name).where(Person.id.in_(wanted)))
    return {row.id: row.display_name for row in rows}


def trail(session: Session, records: dict[str, list[int]]) -> list[TrailLine]:
    """The audit rows of these records, oldest first, with who made each change."""
    clauses = [
        and_(AuditEntry.entity == table, AuditEntry.entity_id.in_(ids))
        for table, ids in records.items()
        if ids
    ]
    if not clauses:
        return []
    entries = session.scalars(select(AuditEntry).where(or_(*clauses)).order_by(AuditEntry.id)).all()
    names = _names(session, (e.actor_id for e in entries))
    return [
        TrailLine(
            id=entry.id,
            at=entry.at,
            actor=names.get(entry.actor_id) if entry.actor_id is not None else None,
            change=VERBS.get(entry.change, entry.change),
            record=RECORD_NAMES.get(entry.entity, entry.entity.replace("_", " ")),
            fields=tuple(sorted((entry.after or {}).keys()))
            if entry.change == "updated" and entry.erased_at is None
            else (),
        )
        for entry in entries
    ]
