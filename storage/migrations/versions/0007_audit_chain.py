"""audit chain: a hash on every audit row (existing rows chained in order), erasure time, and
triggers refusing UPDATE and DELETE of audit rows (an erasure by retention excepted)

Revision ID: 0007
Revises: 0006
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.chain import GENESIS, at_text, content_digest, row_hash
from storage.triggers import POSTGRES_TRIGGERS, SQLITE_TRIGGERS

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _backfill() -> None:
    """Chain the rows already written, oldest first."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, workspace_id, actor_id, at, entity, entity_id, change,"
            " CAST(before AS TEXT), CAST(after AS TEXT) FROM audit_entry ORDER BY id"
        )
    ).all()
    prev = GENESIS
    for row_id, ws, actor, at, entity, entity_id, change, before, after in rows:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else at
        if moment.tzinfo is None:  # SQLite keeps UTC without its zone
            moment = moment.replace(tzinfo=UTC)
        header = (ws, actor, at_text(moment), entity, entity_id, change)
        prev = row_hash(prev, header, content_digest(before, after))
        connection.execute(
            sa.text("UPDATE audit_entry SET hash = :hash WHERE id = :id"),
            {"hash": prev, "id": row_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    _backfill()
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("hash")
