"""Subject access and reviews: everything held about a case, or about one staff member.

The export of a case holds, for each of its meetings, the minutes as they read now and every row
of every record of the meeting (agenda, attendance, decisions, notes, actions and their history,
reviews, and whatever later features attach to a meeting, minutes versions among them), the
legal holds and disposals of the case, and the audit trail of all of it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.orm import Session

from commands.documents.render import render_document
from commands.governance.retention import meeting_records
from commands.language.workdays import WorkingCalendar
from commands.record.minutes import minutes_for
from storage.models import (
    AuditEntry,
    Base,
    Disposal,
    LegalHold,
    Meeting,
    Person,
    Workspace,
)

MARKING = "OFFICIAL-SENSITIVE"
# Columns that point at a person: shown with the person's name beside the id.
PERSON_COLUMNS = ("person_id", "author_id", "owner_id", "chair_id", "created_by_id")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    return str(value)


def _rows(session: Session, table: Table, ids: list[int]) -> list[dict[str, Any]]:
    result = session.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.id))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


def _audit(session: Session, clauses: list[Any]) -> list[dict[str, Any]]:
    if not clauses:
        return []
    entries = session.scalars(select(AuditEntry).where(or_(*clauses)).order_by(AuditEntry.id))
    names = _names(session)
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "actor": names.get(e.actor_id) if e.actor_id is not None else None,
            "record": e.entity,
            "record_id": e.entity_id,
            "change": e.change,
            "before": e.before,
            "after": e.after,
            "erased_at": e.erased_at.isoformat() if e.erased_at else None,
            "hash": e.hash,
        }
        for e in entries
    ]


def _names(session: Session) -> dict[int, str]:
    return {p.id: p.display_name for p in session.scalars(select(Person))}


def _records_clauses(records: dict[str, list[int]]) -> list[Any]:
    return [
        and_(AuditEntry.entity == name, AuditEntry.entity_id.in_(ids))
        for name, ids in records.items()
        if ids
    ]


def _minutes(session: Session, meeting: Meeting, zone: ZoneInfo, now: datetime) -> str:
    workspace = session.get(Workspace, meeting.workspace_id)
    assert workspace is not None
    record = minutes_for(
        session,
        meeting,
        now,
        marking=workspace.marking,
        calendar=WorkingCalendar(workspace.holidays_nation),
    )
    return render_document("minutes.txt.j2", minutes=record, zone=zone)


def export_case(
    session: Session, workspace: Workspace, case_ref: str, now: datetime
) -> dict[str, Any]:
    """Everything held about one case, as plain data (JSON-ready)."""
    zone = ZoneInfo(workspace.timezone)
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.workspace_id == workspace.id, Meeting.case_ref == case_ref.upper())
        .order_by(Meeting.number)
    ).all()
    names = _names(session)
    exported: list[dict[str, Any]] = []
    clauses: list[Any] = []
    for meeting in meetings:
        records = meeting_records(session, [meeting.id])
        clauses += _records_clauses(records)
        tables = {
            name: _rows(session, Base.metadata.tables[name], ids) for name, ids in records.items()
        }
        for rows in tables.values():
            for row in rows:
                for column in PERSON_COLUMNS:
                    if row.get(column) is not None:
                        row[column.removesuffix("_id") + "_name"] = names.get(row[column])
        exported.append(
            {
                "ref": meeting.ref,
                "title": meeting.title,
                "status": meeting.status,
                "starts_at": meeting.starts_at.isoformat(),
                "chair": meeting.chair.display_name,
                "minutes": [
                    {
                        "version": "as it reads now",
                        "format": "text",
                        "text": _minutes(session, meeting, zone, now),
                    }
                ],
                "records": tables,
            }
        )
    holds = session.scalars(
        select(LegalHold).where(
            LegalHold.workspace_id == workspace.id, LegalHold.case_ref == case_ref.upper()
        )
    ).all()
    hold_ids = [h.id for h in holds]
    disposals = session.scalars(
        select(Disposal).where(Disposal.meeting_id.in_([m.id for m in meetings]))
    ).all()
    if hold_ids:
        clauses.append(and_(AuditEntry.entity == "legal_hold", AuditEntry.entity_id.in_(hold_ids)))
    return {
        "kind": "case",
        "case": case_ref.upper(),
        "workspace": workspace.name,
        "marking": MARKING,
        "exported_at": now.isoformat(),
        "meetings": exported,
        "legal_holds": _rows(session, Base.metadata.tables["legal_hold"], hold_ids),
        "disposals": _rows(session, Base.metadata.tables["disposal"], [d.id for d in disposals]),
        "audit": _audit(session, clauses),
    }


def export_person(
    session: Session, workspace: Workspace, external_id: str, now: datetime
) -> dict[str, Any] | None:
    """What is held about one staff member (by their platform id): None when unknown."""
    person = session.scalar(
        select(Person).where(Person.workspace_id == workspace.id, Person.external_id == external_id)
    )
    if person is None:
        return None
    mine: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in {"audit_entry", "person"} or "id" not in table.c:
            continue
        columns = [c for c in table.c if c.name.endswith("_id") and _points_at_person(c)]
        if not columns:
            continue
        ids = list(
            session.scalars(select(table.c.id).where(or_(*(c == person.id for c in columns))))
        )
        if ids:
            mine[table.name] = _rows(session, table, ids)
    clauses = [
        AuditEntry.actor_id == person.id,
        and_(AuditEntry.entity == "person", AuditEntry.entity_id == person.id),
    ]
    return {
        "kind": "person",
        "person": _rows(session, Base.metadata.tables["person"], [person.id])[0],
        "workspace": workspace.name,
        "marking": MARKING,
        "exported_at": now.isoformat(),
        "records": mine,
        "audit": _audit(session, clauses),
    }


def _points_at_person(column: Any) -> bool:
    return any(fk.column.table.name == "person" for fk in column.foreign_keys)


def to_json(data: dict[str, Any]) -> str:
    """The export as indented JSON."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_html(data: dict[str, Any]) -> str:
    """The export as a printable HTML page."""
    return render_document("export.html.j2", export=data, dumps=_cell)


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)
