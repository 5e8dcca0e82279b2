"""conversations: a priority (0 normal, 1 high, 2 urgent) and its reason, raised from the
visitor's sentiment while they wait; the queue is served by priority, then by waiting time

Revision ID: 0120_sentiment_priority
Revises: 0110_encryption_at_rest
Create Date: 2026-12-02 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0120_sentiment_priority"
down_revision: str | Sequence[str] | None = "0110_encryption_at_rest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("priority_reason", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_conversations_queue", ["status", "priority", "waiting_since"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_queue")
        batch_op.drop_column("priority_reason")
        batch_op.drop_column("priority")
