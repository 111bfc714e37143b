"""The audit trail: every insert, update and delete of a record is written down by the session.

Each flush notes its changes; at commit they are appended to the hash chain (storage.chain) under
its lock, so the lock is held only for the moment the rows are written. A rollback drops them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from storage.chain import PendingRow, append
from storage.models import AuditEntry, Base

NOT_AUDITED = frozenset({"audit_entry", "outbox_message"})
PENDING = "audit_pending"


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _columns(obj: Base) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in mapper.column_attrs}


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            before[attr.key] = _plain(history.deleted[0]) if history.deleted else None
            after[attr.key] = _plain(history.added[0]) if history.added else None
    return before, after


def _row(session: Session, obj: Base, change: str, before: Any, after: Any) -> PendingRow:
    # A row just inserted has its primary key but not yet its identity key in after_flush.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return PendingRow(
        workspace_id=getattr(obj, "workspace_id", session.info.get("workspace_id")),
        actor_id=session.info.get("actor_id"),
        at=session.info["now"],
        entity=obj.__tablename__,
        entity_id=key[0] if key and key[0] is not None else 0,
        change=change,
        before=before,
        after=after,
    )


def _audited(objs: Any) -> list[Base]:
    return [o for o in objs if isinstance(o, Base) and o.__tablename__ not in NOT_AUDITED]


def _refuse_audit_edits(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("the audit trail is append-only")


def _note_audit(session: Session, _ctx: UOWTransaction) -> None:
    rows = [_row(session, o, "created", None, _columns(o)) for o in _audited(session.new)]
    for obj in _audited(session.dirty):
        if session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                rows.append(_row(session, obj, "updated", before, after))
    rows += [_row(session, o, "deleted", _columns(o), None) for o in _audited(session.deleted)]
    if rows:
        session.info.setdefault(PENDING, []).extend(rows)


def _append_audit(session: Session) -> None:
    """Flush what is left, then chain this transaction's audit rows onto the trail."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    rows = session.info.pop(PENDING, None)
    if rows:
        append(session.connection(), rows)


def _drop_pending(session: Session, *_args: Any) -> None:
    session.info.pop(PENDING, None)


def install(session_factory: Any) -> None:
    """Attach the audit listeners to a sessionmaker."""
    event.listen(session_factory, "before_flush", _refuse_audit_edits)
    event.listen(session_factory, "after_flush", _note_audit)
    event.listen(session_factory, "before_commit", _append_audit)
    event.listen(session_factory, "after_rollback", _drop_pending)
