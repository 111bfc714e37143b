"""Retention: erase what is due, keep what is held, and log every disposal.

Rules (periods from the governance settings: the workspace's own, or the deployment's):
- `case`: a case's records, a period after its last meeting (a meeting without a case reference
  is a case of its own, under the rule `meeting`);
- `review`: the answers of a closed KEEP / STOP / START review, a period after it closed.

Erasing replaces every free text of the records with "[erased]" (a stored document such as
the approved minutes' snapshot goes altogether) and each of their audit rows'
content with the digest of what was there, so the audit chain still verifies. A case on legal
hold is not erased. Each erasure is written to the disposal log and to the audit trail.

What was sent about the erased records goes too: an outbox message that points at one of their
actions or reminders, or whose words hold one of their texts (of at least `QUOTED` characters),
keeps its shape but every word of its content becomes "[erased]" and its attachments go.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Table, Text, bindparam, case, cast, select, update
from sqlalchemy.orm import Session

from commands.governance.policy import Governance
from storage.audit import PENDING
from storage.chain import PendingRow, content_digest, erased_text, lock_chain
from storage.db import Store
from storage.models import (
    Base,
    Disposal,
    LegalHold,
    Meeting,
    OutboxMessage,
    RetentionRun,
    Review,
    ReviewItem,
    Workspace,
)
from storage.status import ReviewStatus

ERASED = "[erased]"
# A text of an erased record this long, found in a message, makes the message one about it.
QUOTED = 12
# What a message's meta keeps when its words go: how it is routed, never what it said.
ROUTING = frozenset({"workspace", "key"})
# Tables whose rows are not a meeting's content, though they point at one.
NOT_CONTENT = frozenset({"audit_entry", "disposal", "outbox_message", "legal_hold"})


@dataclass(frozen=True)
class Hold:
    """An active legal hold, as a report shows it."""

    case_ref: str
    reason: str
    held_by: str
    held_at: datetime


@dataclass
class Due:
    """Records one rule says are due for erasure."""

    workspace_id: int
    rule: str
    subject: str
    due_since: datetime
    meetings: list[Meeting] = field(default_factory=list)
    review: Review | None = None
    hold: Hold | None = None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class RetentionReport:
    """What a run erased, what it would have erased (dry run), and what a hold kept."""

    dry_run: bool
    now: datetime
    erased: list[Due] = field(default_factory=list)
    held: list[Due] = field(default_factory=list)

    @property
    def records(self) -> int:
        """How many records were (or would be) erased."""
        return sum(sum(d.counts.values()) for d in self.erased)


def add_years(moment: datetime, years: int) -> datetime:
    """The same moment `years` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _holds(session: Session, workspace_id: int) -> dict[str, Hold]:
    rows = session.scalars(
        select(LegalHold).where(
            LegalHold.workspace_id == workspace_id, LegalHold.released_at.is_(None)
        )
    ).all()
    return {h.case_ref: Hold(h.case_ref, h.reason, h.held_by.display_name, h.held_at) for h in rows}


def _disposed(session: Session, column: Any) -> set[int]:
    return {i for i in session.scalars(select(column).where(column.is_not(None))) if i}


def due_records(session: Session, governance: Governance, now: datetime) -> list[Due]:
    """Everything due for erasure at `now`, held or not, across every workspace."""
    disposed_meetings = _disposed(session, Disposal.meeting_id)
    disposed_reviews = _disposed(session, Disposal.review_id)
    found: list[Due] = []
    meetings = session.scalars(select(Meeting).order_by(Meeting.workspace_id, Meeting.number))
    groups: dict[tuple[int, str], list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        groups[(meeting.workspace_id, meeting.case_ref or meeting.ref)].append(meeting)
    holds: dict[int, dict[str, Hold]] = {}
    workspaces: dict[int, str] = dict(
        session.execute(select(Workspace.id, Workspace.external_id)).all()
    )

    def years(workspace_id: int) -> tuple[int, int]:
        return governance.retention_years(workspaces.get(workspace_id, ""))

    for (workspace_id, key), group in groups.items():
        held = holds.setdefault(workspace_id, _holds(session, workspace_id))
        due = add_years(max(m.ends_at for m in group), years(workspace_id)[0])
        waiting = [m for m in group if m.id not in disposed_meetings]
        if due > now or not waiting:
            continue
        case_ref = group[0].case_ref
        found.append(
            Due(
                workspace_id,
                "case" if case_ref else "meeting",
                f"case {case_ref}" if case_ref else key,
                due,
                meetings=waiting,
                hold=held.get(case_ref) if case_ref else None,
            )
        )
    reviews = session.scalars(
        select(Review).where(Review.status == ReviewStatus.CLOSED, Review.closed_at.is_not(None))
    )
    for review in reviews:
        assert review.closed_at is not None
        due = add_years(review.closed_at, years(review.workspace_id)[1])
        if due > now or review.id in disposed_reviews or review.meeting_id in disposed_meetings:
            continue
        if any(review.meeting in d.meetings for d in found if d.hold is None):
            continue  # erased with its case
        held = holds.setdefault(review.workspace_id, _holds(session, review.workspace_id))
        case_ref = review.meeting.case_ref
        found.append(
            Due(
                review.workspace_id,
                "review",
                f"review of {review.meeting.ref}",
                due,
                review=review,
                hold=held.get(case_ref) if case_ref else None,
            )
        )
    return found


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def meeting_records(session: Session, meeting_ids: Iterable[int]) -> dict[str, list[int]]:
    """Every row of these meetings (table -> ids): theirs, and their children's, to any depth.

    A row belongs to a meeting when a foreign key leads from it to the meeting or to a row that
    belongs to it (an action's history, a decision's dissent, a disagreement's steps...).
    """
    records: dict[str, set[int]] = {"meeting": set(meeting_ids)}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_CONTENT or "id" not in table.c:
                continue
            for column in table.c:
                for key in column.foreign_keys:
                    parent = key.column.table.name
                    if parent == table.name or not records.get(parent):
                        continue
                    if parent == "meeting" and column.name != "meeting_id":
                        continue  # e.g. where a decision was ratified: it stays its own meeting's
                    rows = set(
                        session.scalars(
                            select(table.c.id).where(column.in_(sorted(records[parent])))
                        )
                    )
                    if rows - records.get(table.name, set()):
                        records.setdefault(table.name, set()).update(rows)
                        changed = True
    return {name: sorted(rows) for name, rows in records.items() if rows}


def _erase_rows(session: Session, records: dict[str, list[int]]) -> None:
    """Every free text of these rows becomes "[erased]" (an empty one stays empty)."""
    for name, ids in records.items():
        table = _table(name)
        columns = [c for c in table.c if isinstance(c.type, Text)]
        if name == "meeting":
            columns.append(table.c.title)
        documents = [c for c in table.c if isinstance(c.type, JSON) and c.nullable]
        if not columns and not documents:
            continue
        values: dict[str, Any] = {c.name: case((c.is_(None), None), else_=ERASED) for c in columns}
        values.update({c.name: None for c in documents})  # e.g. an approved record's snapshot
        session.execute(update(table).where(table.c.id.in_(ids)).values(values))


def _erase_audit(session: Session, records: dict[str, list[int]], now: datetime) -> None:
    """The audit rows of these records keep only the digest of their content."""
    audit = _table("audit_entry")
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    for name, ids in records.items():
        rows = connection.execute(
            select(audit.c.id, cast(audit.c.before, Text), cast(audit.c.after, Text)).where(
                audit.c.entity == name, audit.c.entity_id.in_(ids), audit.c.erased_at.is_(None)
            )
        ).all()
        if not rows:
            continue
        before: Any = bindparam("marker", type_=Text)
        after: Any = bindparam("empty", type_=Text)
        if postgres:
            before, after = cast(before, JSON), cast(after, JSON)
        statement = (
            update(audit)
            .where(audit.c.id == bindparam("row_id"))
            .values(
                before=before,
                after=after,
                erased_at=bindparam("erased", type_=audit.c.erased_at.type),
            )
        )
        connection.execute(
            statement,
            [
                {
                    "row_id": row_id,
                    "marker": erased_text(content_digest(b, a)),
                    "empty": "null",
                    "erased": now,
                }
                for row_id, b, a in rows
            ],
        )


def _free_texts(session: Session, records: dict[str, list[int]]) -> set[str]:
    """The free texts of these rows long enough to recognise in a message."""
    texts: set[str] = set()
    for name, ids in records.items():
        table = _table(name)
        columns = [c for c in table.c if isinstance(c.type, Text)]
        if name == "meeting":
            columns.append(table.c.title)
        if columns:
            for row in session.execute(select(*columns).where(table.c.id.in_(ids))):
                texts.update(v for v in row if isinstance(v, str) and len(v) >= QUOTED)
    return texts


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _blank(value: Any) -> Any:
    """The same shape with every text "[erased]"."""
    if isinstance(value, str):
        return ERASED
    if isinstance(value, dict):
        if set(value) in ({"$datetime"}, {"$date"}):
            return value
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value


def outbox_about(
    session: Session, workspace_id: int, records: dict[str, list[int]], texts: set[str]
) -> list[OutboxMessage]:
    """The workspace's outbox messages about these records (see the module's note)."""
    actions, reminders = set(records.get("action", ())), set(records.get("reminder", ()))
    found = []
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.workspace_id == workspace_id))
    for row in rows:
        payload = row.payload or {}
        if payload.get("erased"):
            continue
        words = [*_strings(payload.get("context")), *_strings(payload.get("meta"))]
        if (
            row.action_id in actions
            or row.reminder_id in reminders
            or any(t in w for w in words for t in texts)
        ):
            found.append(row)
    return found


def _erase_outbox(session: Session, rows: list[OutboxMessage]) -> None:
    for row in rows:
        payload = dict(row.payload)
        meta = payload.get("meta") or {}
        payload["context"] = _blank(payload.get("context") or {})
        payload["meta"] = {k: v if k in ROUTING else _blank(v) for k, v in meta.items()}
        payload["attachments"] = []
        payload["erased"] = True
        row.payload = payload


def _records(session: Session, due: Due) -> dict[str, list[int]]:
    if due.review is not None:
        items = session.scalars(
            select(ReviewItem.id).where(ReviewItem.review_id == due.review.id)
        ).all()
        return {"review_item": list(items)} if items else {}
    return meeting_records(session, (m.id for m in due.meetings))


def _erase(session: Session, due: Due, now: datetime) -> None:
    records = _records(session, due)
    sent = outbox_about(session, due.workspace_id, records, _free_texts(session, records))
    _erase_rows(session, records)
    _erase_audit(session, records, now)
    _erase_outbox(session, sent)
    due.counts = {name: len(ids) for name, ids in records.items()}
    if sent:
        due.counts["outbox_message"] = len(sent)
    pending = session.info.setdefault(PENDING, [])
    for meeting in due.meetings or ([due.review.meeting] if due.review else []):
        session.add(
            Disposal(
                workspace_id=due.workspace_id,
                rule=due.rule,
                subject=due.subject,
                meeting_id=meeting.id if due.review is None else None,
                review_id=due.review.id if due.review is not None else None,
                due_since=due.due_since,
                disposed_at=now,
                records=due.counts,
            )
        )
        pending.append(
            PendingRow(
                workspace_id=due.workspace_id,
                actor_id=None,
                at=now,
                entity="meeting" if due.review is None else "review",
                entity_id=meeting.id if due.review is None else due.review.id,
                change="erased",
                before=None,
                after={"rule": due.rule, "records": due.counts},
            )
        )


def run_retention(
    store: Store, governance: Governance, now: datetime, *, dry_run: bool = False
) -> RetentionReport:
    """Erase (or, dry, only list) everything due at `now` that no legal hold keeps."""
    report = RetentionReport(dry_run=dry_run, now=now)
    with store.transaction(now) as session:
        lock_chain(session.connection())  # one retention run at a time, and the chain steady
        for due in due_records(session, governance, now):
            if due.hold is not None:
                report.held.append(due)
                continue
            if dry_run:
                due.counts = _counts(session, due)
            else:
                _erase(session, due, now)
            report.erased.append(due)
        if not dry_run:
            session.add(RetentionRun(ran_at=now, erased=report.records))
    return report


def _counts(session: Session, due: Due) -> dict[str, int]:
    records = _records(session, due)
    counts = {name: len(ids) for name, ids in records.items()}
    if sent := outbox_about(session, due.workspace_id, records, _free_texts(session, records)):
        counts["outbox_message"] = len(sent)
    return counts


def daily_retention(store: Store, governance: Governance, now: datetime) -> RetentionReport | None:
    """The worker's step: run retention when it has not run in the last day."""
    with store.transaction(now) as session:
        last = session.scalar(select(RetentionRun.ran_at).order_by(RetentionRun.ran_at.desc()))
    if last is not None and now - last < timedelta(days=1):
        return None
    return run_retention(store, governance, now)
