"""dissent agency: the agency and sector a dissenting person spoke for, as at that moment

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dissent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("sector", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dissent", schema=None) as batch_op:
        batch_op.drop_column("sector")
        batch_op.drop_column("agency")
