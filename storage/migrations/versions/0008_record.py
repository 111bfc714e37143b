"""the record: decision refs, dissent, ratification, corrections, addenda, approval and snapshot

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _number_existing_decisions() -> None:
    """Give decisions made before refs existed their D<n>, per workspace, in order made."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT d.id, m.workspace_id FROM decision d JOIN meeting m ON m.id = d.meeting_id "
            "ORDER BY d.id"
        )
    ).all()
    counters: dict[int, int] = {}
    for decision_id, workspace_id in rows:
        counters[workspace_id] = counters.get(workspace_id, 0) + 1
        bind.execute(
            sa.text("UPDATE decision SET workspace_id = :w, number = :n WHERE id = :i"),
            {"w": workspace_id, "n": counters[workspace_id], "i": decision_id},
        )
    for workspace_id, last in counters.items():
        bind.execute(
            sa.text("UPDATE workspace SET next_decision_number = :n WHERE id = :w"),
            {"n": last + 1, "w": workspace_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_decision_number", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "marking",
                sa.String(length=60),
                server_default="OFFICIAL-SENSITIVE",
                nullable=False,
            )
        )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("venue", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("minutes_status", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("minutes_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("approved_at", TZ, nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("record", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("window_reminded", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("late_flagged", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_approved_by_id_person"), "person", ["approved_by_id"], ["id"]
        )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sent_report", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_kind", sa.String(length=40), nullable=True))
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ratification", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("ratified_at", TZ, nullable=True))
        batch_op.add_column(sa.Column("ratified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ratified_in_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ratification_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_decision_workspace_id_workspace"), "workspace", ["workspace_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_decision_ratified_by_id_person"), "person", ["ratified_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_decision_ratified_in_id_meeting"), "meeting", ["ratified_in_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_decision_workspace_id_number"), ["workspace_id", "number"]
        )
    _number_existing_decisions()

    op.create_table(
        "dissent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("source_channel", sa.String(length=100), nullable=True),
        sa.Column("source_message_id", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_dissent_decision_id_decision")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_dissent_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dissent")),
        sa.UniqueConstraint(
            "source_channel",
            "source_message_id",
            name=op.f("uq_dissent_source_channel_source_message_id"),
        ),
    )
    with op.batch_alter_table("dissent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dissent_decision_id"), ["decision_id"], unique=False)

    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_correction_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["person.id"], name=op.f("fk_correction_decided_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_correction_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_correction_meeting_id_number")),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "addendum",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_addendum_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_addendum_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addendum")),
    )
    with op.batch_alter_table("addendum", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_addendum_meeting_id"), ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_table("addendum")
    op.drop_table("correction")
    op.drop_table("dissent")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_decision_workspace_id_number"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_decision_ratified_in_id_meeting"), "foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_decision_ratified_by_id_person"), "foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_decision_workspace_id_workspace"), "foreignkey")
        for column in (
            "ratification_reason",
            "ratified_in_id",
            "ratified_by_id",
            "ratified_at",
            "ratification",
            "number",
            "workspace_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_column("reason_kind")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("sent_report")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meeting_approved_by_id_person"), "foreignkey")
        for column in (
            "late_flagged",
            "window_reminded",
            "record",
            "approved_by_id",
            "approved_at",
            "minutes_version",
            "minutes_status",
            "venue",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("marking")
        batch_op.drop_column("next_decision_number")
