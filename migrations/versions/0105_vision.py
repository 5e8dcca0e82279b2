"""ai providers: a vision flag (image turns skip providers without it)

Revision ID: 0105_vision
Revises: 0097_analytics_hours
Create Date: 2026-12-02 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0105_vision"
down_revision: str | Sequence[str] | None = "0097_analytics_hours"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ai_providers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vision", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    # the defaults new providers get: no images for the built-in responder, nor for an
    # OpenAI-compatible endpoint (many local models take none) until an admin says so
    providers = sa.table(
        "ai_providers",
        sa.column("kind", sa.String),
        sa.column("base_url", sa.String),
        sa.column("vision", sa.Boolean),
    )
    op.execute(
        providers.update()
        .where(
            (providers.c.kind == "builtin")
            | ((providers.c.kind == "openai") & providers.c.base_url.is_not(None))
        )
        .values(vision=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("ai_providers", schema=None) as batch_op:
        batch_op.drop_column("vision")
