"""visitors.external_id (identity verification) and the sealed identity secret

Revision ID: 0011_visitor_identity
Revises: 0010_roles_audit
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_visitor_identity"
down_revision: str | Sequence[str] | None = "0010_roles_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visitors") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.create_unique_constraint(op.f("uq_visitors_external_id"), ["external_id"])
    op.create_table(
        "identity_secrets",
        sa.Column("sealed", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_secrets")),
    )


def downgrade() -> None:
    op.drop_table("identity_secrets")
    with op.batch_alter_table("visitors") as batch:
        batch.drop_constraint(op.f("uq_visitors_external_id"), type_="unique")
        batch.drop_column("external_id")
