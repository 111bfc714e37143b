"""escalation: professional disagreements, their people, steps and stage notices

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disagreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_text", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_disagreement_decision_id_decision")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_disagreement_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["person.id"], name=op.f("fk_disagreement_raised_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["person.id"], name=op.f("fk_disagreement_resolved_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_disagreement_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreement")),
        sa.UniqueConstraint(
            "workspace_id", "number", name=op.f("uq_disagreement_workspace_id_number")
        ),
    )
    with op.batch_alter_table("disagreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disagreement_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_disagreement_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "disagreement_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disagreement_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["person.id"], name=op.f("fk_disagreement_member_added_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["disagreement_id"],
            ["disagreement.id"],
            name=op.f("fk_disagreement_member_disagreement_id_disagreement"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_disagreement_member_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreement_member")),
        sa.UniqueConstraint(
            "disagreement_id",
            "person_id",
            name=op.f("uq_disagreement_member_disagreement_id_person_id"),
        ),
    )
    with op.batch_alter_table("disagreement_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disagreement_member_disagreement_id"), ["disagreement_id"], unique=False
        )

    op.create_table(
        "disagreement_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disagreement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_disagreement_step_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["disagreement_id"],
            ["disagreement.id"],
            name=op.f("fk_disagreement_step_disagreement_id_disagreement"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_disagreement_step_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreement_step")),
    )
    with op.batch_alter_table("disagreement_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disagreement_step_disagreement_id"), ["disagreement_id"], unique=False
        )

    op.create_table(
        "stage_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("disagreement_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["disagreement_id"],
            ["disagreement.id"],
            name=op.f("fk_stage_notice_disagreement_id_disagreement"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_stage_notice_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_notice")),
        sa.UniqueConstraint("key", name=op.f("uq_stage_notice_key")),
    )
    with op.batch_alter_table("stage_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stage_notice_disagreement_id"), ["disagreement_id"], unique=False
        )
        batch_op.create_index("ix_stage_notice_status_due_at", ["status", "due_at"], unique=False)

    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_disagreement_number", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("next_disagreement_number")

    with op.batch_alter_table("stage_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_notice_status_due_at")
        batch_op.drop_index(batch_op.f("ix_stage_notice_disagreement_id"))

    op.drop_table("stage_notice")
    with op.batch_alter_table("disagreement_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disagreement_step_disagreement_id"))

    op.drop_table("disagreement_step")
    with op.batch_alter_table("disagreement_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disagreement_member_disagreement_id"))

    op.drop_table("disagreement_member")
    with op.batch_alter_table("disagreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disagreement_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_disagreement_decision_id"))

    op.drop_table("disagreement")
