"""csat: one rating (1-5) and an optional comment per conversation

Revision ID: 0085_csat
Revises: 0080_ai_tools
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import baton.db.base

revision: str = "0085_csat"
down_revision: str | Sequence[str] | None = "0080_ai_tools"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "csat_responses",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["users.id"],
            name=op.f("fk_csat_responses_agent_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_csat_responses_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csat_responses")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_csat_responses_conversation_id")),
    )
    op.create_index(
        op.f("ix_csat_responses_created_at"), "csat_responses", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_csat_responses_created_at"), table_name="csat_responses")
    op.drop_table("csat_responses")
