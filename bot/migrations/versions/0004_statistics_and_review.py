"""walk-through events for the statistics; review of unanswered questions; client message ids

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 04:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "walkthrough_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_walkthrough_events_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walkthrough_events")),
    )
    with op.batch_alter_table("walkthrough_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_walkthrough_events_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_walkthrough_events_created_at"), ["created_at"], unique=False
        )
    with op.batch_alter_table("misses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_misses_reviewed_by_officers"),
            "officers",
            ["reviewed_by"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_misses_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_messages_client_id", ["conversation_id", "client_id"])


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_messages_client_id", type_="unique")
        batch_op.drop_column("client_id")
    with op.batch_alter_table("misses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_misses_created_at"))
        batch_op.drop_constraint(batch_op.f("fk_misses_reviewed_by_officers"), type_="foreignkey")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("reviewed_at")
    with op.batch_alter_table("walkthrough_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_walkthrough_events_created_at"))
        batch_op.drop_index(batch_op.f("ix_walkthrough_events_conversation_id"))
    op.drop_table("walkthrough_events")
