"""ai tools: integrations that serve tools, and the actions tool calls produce

Revision ID: 0080_ai_tools
Revises: 0070_webhooks
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import baton.db.base

revision: str = "0080_ai_tools"
down_revision: str | Sequence[str] | None = "0070_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tool_integrations",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("secret_sealed", sa.Text(), nullable=True),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("tools", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_tool_integrations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_integrations")),
    )
    op.create_table(
        "tool_actions",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("tool", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=120), nullable=True),
        sa.Column("decided_at", baton.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", baton.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_tool_actions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_tool_actions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_actions")),
    )
    op.create_index(
        "ix_tool_actions_conversation", "tool_actions", ["conversation_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_tool_actions_conversation", table_name="tool_actions")
    op.drop_table("tool_actions")
    op.drop_table("tool_integrations")
