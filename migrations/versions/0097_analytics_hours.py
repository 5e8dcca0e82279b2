"""analytics: business-hours durations beside wall-clock ones

Revision ID: 0097_analytics_hours
Revises: 0095_attachments
Create Date: 2026-12-02 07:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0097_analytics_hours"
down_revision: str | Sequence[str] | None = "0095_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUPS = ("analytics_hourly", "analytics_daily")


def upgrade() -> None:
    with op.batch_alter_table("reporting_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("business_seconds", sa.Float(), nullable=True))
    for table in ROLLUPS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("first_response_business_hist", sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column("resolution_business_hist", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ROLLUPS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("resolution_business_hist")
            batch_op.drop_column("first_response_business_hist")
    with op.batch_alter_table("reporting_events", schema=None) as batch_op:
        batch_op.drop_column("business_seconds")
