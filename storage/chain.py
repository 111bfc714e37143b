"""The hash chain of the audit trail: each row's hash covers its content and the hash before it.

A row's hash is SHA-256 over the previous row's hash, the row's header (workspace, actor, time,
record, change) and a digest of its content (the stored JSON text of `before` and `after`). An
erased row keeps only that content digest, so the chain still verifies after retention.

Rows are appended under a lock: PostgreSQL takes a transaction-scoped advisory lock before reading
the chain's head; SQLite already serialises writers (the transaction holds the write lock from its
first write, before the head is read).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Table, Text, bindparam, cast, insert, select, text

from storage.models import AuditEntry

GENESIS = "0" * 64
CHAIN_LOCK = 0x4D445441  # "MDTA": the advisory lock key of the audit chain
ERASED_KEY = "$erased"
_SEP = "\x1f"
_AUDIT: Table = AuditEntry.__table__  # type: ignore[assignment]


def dumps(value: Any) -> str:
    """The JSON text stored for a value (None stored as JSON null)."""
    return json.dumps(value)


def content_digest(before_text: str | None, after_text: str | None) -> str:
    """SHA-256 of a row's content, as its stored JSON texts (SQL NULL counts as JSON null)."""
    data = f"{before_text or 'null'}\x1e{after_text or 'null'}".encode()
    return hashlib.sha256(data).hexdigest()


def erased_text(digest: str) -> str:
    """The `before` text of an erased row: only the digest of what was there."""
    return dumps({ERASED_KEY: digest})


def row_hash(prev: str, header: Sequence[Any], digest: str) -> str:
    """The hash of one row: the previous hash, its header fields and its content digest."""
    fields = [prev, *("" if f is None else str(f) for f in header), digest]
    return hashlib.sha256(_SEP.join(fields).encode()).hexdigest()


def at_text(at: datetime) -> str:
    """The row's time as hashed: ISO 8601 in UTC."""
    return at.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class PendingRow:
    """An audit row waiting to be appended at commit."""

    workspace_id: int | None
    actor_id: int | None
    at: datetime
    entity: str
    entity_id: int
    change: str
    before: Any
    after: Any

    def header(self) -> tuple[Any, ...]:
        """The fields the hash covers besides the content."""
        return (
            self.workspace_id,
            self.actor_id,
            at_text(self.at),
            self.entity,
            self.entity_id,
            self.change,
        )


def lock_chain(connection: Connection) -> None:
    """Hold the chain until this transaction ends (PostgreSQL; SQLite serialises writers)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def chain_head(connection: Connection) -> str:
    """The hash of the newest row, or the genesis hash of an empty trail."""
    head = connection.scalar(select(_AUDIT.c.hash).order_by(_AUDIT.c.id.desc()).limit(1))
    return head or GENESIS


def head_row(connection: Connection) -> tuple[int, str]:
    """The id and hash of the newest row (0 and the genesis hash for an empty trail): the anchor
    to record outside the database, so a later check can tell the chain was not cut back."""
    row = connection.execute(
        select(_AUDIT.c.id, _AUDIT.c.hash).order_by(_AUDIT.c.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else (0, GENESIS)


def _insert_statement(connection: Connection) -> Any:
    """An insert taking the JSON columns as text, stored exactly as hashed."""
    values: dict[str, Any]
    if connection.dialect.name == "postgresql":
        values = {
            "before": cast(bindparam("before_text", type_=Text), JSON),
            "after": cast(bindparam("after_text", type_=Text), JSON),
        }
    else:
        values = {
            "before": bindparam("before_text", type_=Text),
            "after": bindparam("after_text", type_=Text),
        }
    return insert(_AUDIT).values(
        workspace_id=bindparam("workspace_id"),
        actor_id=bindparam("actor_id"),
        at=bindparam("at", type_=_AUDIT.c.at.type),
        entity=bindparam("entity"),
        entity_id=bindparam("entity_id"),
        change=bindparam("change"),
        hash=bindparam("hash"),
        **values,
    )


def append(connection: Connection, rows: Iterable[PendingRow], *, locked: bool = False) -> int:
    """Append rows to the chain, taking its head under the lock; how many were written."""
    pending = list(rows)
    if not pending:
        return 0
    if not locked:
        lock_chain(connection)
    prev = chain_head(connection)
    params = []
    for row in pending:
        before_text, after_text = dumps(row.before), dumps(row.after)
        prev = row_hash(prev, row.header(), content_digest(before_text, after_text))
        params.append(
            {
                "workspace_id": row.workspace_id,
                "actor_id": row.actor_id,
                "at": row.at,
                "entity": row.entity,
                "entity_id": row.entity_id,
                "change": row.change,
                "before_text": before_text,
                "after_text": after_text,
                "hash": prev,
            }
        )
    connection.execute(_insert_statement(connection), params)
    return len(params)


# Verification -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What verification found: how many rows held, and the first that did not."""

    rows: int
    bad_id: int | None = None
    reason: str = ""

    @property
    def whole(self) -> bool:
        """The chain holds from the first row to the last."""
        return self.bad_id is None


def scan_query() -> Any:
    """Every audit row in chain order, with the JSON columns as their stored text."""
    return select(
        _AUDIT.c.id,
        _AUDIT.c.hash,
        _AUDIT.c.workspace_id,
        _AUDIT.c.actor_id,
        _AUDIT.c.at,
        _AUDIT.c.entity,
        _AUDIT.c.entity_id,
        _AUDIT.c.change,
        cast(_AUDIT.c.before, Text),
        cast(_AUDIT.c.after, Text),
        _AUDIT.c.erased_at,
    ).order_by(_AUDIT.c.id)


def stored_digest(before_text: str | None, after_text: str | None, erased: bool) -> str | None:
    """The content digest a row's stored content stands for; None when an erasure is malformed."""
    if not erased:
        return content_digest(before_text, after_text)
    try:
        marker = json.loads(before_text or "")
    except ValueError:
        return None
    if (
        not isinstance(marker, dict)
        or set(marker) != {ERASED_KEY}
        or after_text not in (None, "null")
    ):
        return None
    digest = marker[ERASED_KEY]
    return digest if isinstance(digest, str) else None


def check_rows(rows: Iterable[Sequence[Any]]) -> Verdict:
    """Walk rows (as `scan_query` returns them) and recompute every hash."""
    prev = GENESIS
    count = 0
    sha = hashlib.sha256
    for row_id, stored, ws, actor, at, entity, entity_id, change, before, after, erased in rows:
        if erased is None:
            digest: str | None = sha(
                f"{before or 'null'}\x1e{after or 'null'}".encode()
            ).hexdigest()
        else:
            digest = stored_digest(before, after, erased=True)
        if digest is None:
            return Verdict(count, row_id, "its erased content is not in the erased form")
        header = (ws, actor, at_text(at), entity, entity_id, change)
        if row_hash(prev, header, digest) != stored:
            return Verdict(
                count,
                row_id,
                "its hash does not match its content and the row before it"
                " (changed, moved, or a row before it is missing)",
            )
        prev = stored
        count += 1
    return Verdict(count)


def verify(connection: Connection, head: tuple[int, str] | None = None) -> Verdict:
    """Recompute the whole chain, streaming the rows in order; with a head recorded earlier
    (`head_row`), also that the row is still there with its hash, so the chain was not cut back
    to before it nor rebuilt."""
    result = connection.execution_options(stream_results=True, yield_per=5000).execute(scan_query())
    try:
        verdict = check_rows(result)
    finally:
        result.close()
    if head is None or not verdict.whole or head == (0, GENESIS):
        return verdict
    head_id, head_hash = head
    stored = connection.scalar(select(_AUDIT.c.hash).where(_AUDIT.c.id == head_id))
    if stored == head_hash:
        return verdict
    return Verdict(
        verdict.rows,
        head_id,
        "the recorded head is no longer in the chain"
        + (" (the row is gone: the trail was cut back)" if stored is None else " (it was rebuilt)"),
    )


def iter_scan(connection: Connection) -> Iterator[Sequence[Any]]:
    """The rows verification reads, without checking them (the benchmark's baseline)."""
    result = connection.execution_options(stream_results=True, yield_per=5000).execute(scan_query())
    try:
        yield from result
    finally:
        result.close()
