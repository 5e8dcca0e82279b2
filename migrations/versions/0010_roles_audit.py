"""roles and audit: stored roles, API key scopes and expiry, the audit log

Revision ID: 0010_roles_audit
Revises: 0005
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import baton.db.base

revision: str = "0010_roles_audit"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("created_at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_roles")),
    )
    op.create_table(
        "audit_log",
        sa.Column("at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_action_id", "audit_log", ["action", "id"], unique=False)
    op.create_index("ix_audit_log_actor_id_id", "audit_log", ["actor_id", "id"], unique=False)
    op.create_index(
        "ix_audit_log_target", "audit_log", ["target_type", "target_id", "id"], unique=False
    )
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("scopes", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("expires_at", baton.db.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("scopes")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_id_id", table_name="audit_log")
    op.drop_index("ix_audit_log_action_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("roles")
