"""conversations.channel: widget | email | api (one inbound pipeline for every channel);
visitors.referrer (the live-visitors view)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default="widget")
        )

    with op.batch_alter_table("visitors") as batch:
        batch.add_column(sa.Column("referrer", sa.String(length=2048), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visitors") as batch:
        batch.drop_column("referrer")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("channel")
