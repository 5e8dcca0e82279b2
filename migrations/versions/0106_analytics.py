"""analytics: the count of satisfied CSAT ratings (4 or 5) in the rollups; messages and
status moves indexed by time

Revision ID: 0106_analytics
Revises: 0105_vision
Create Date: 2026-12-02 10:30:00

Existing rollup rows are filled from the stored ``csat_given`` facts, so the "percent
satisfied" figure is right without a rebuild. The rollups read messages and status moves by
``created_at`` (a day at a time, and since the last watermark): without an index each read
scanned the whole table. On PostgreSQL the indexes are built ``CONCURRENTLY`` (writes go on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from baton.db.base import UTCDateTime

revision: str = "0106_analytics"
down_revision: str | Sequence[str] | None = "0105_vision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUPS = ("analytics_hourly", "analytics_daily")
TIME_INDEXES = (
    ("ix_messages_created_at", "messages"),
    ("ix_conversation_events_created_at", "conversation_events"),
)
SATISFIED_MIN_RATING = 4


def _rollup(name: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("bucket_start", UTCDateTime()),
        sa.column("channel", sa.String()),
        sa.column("agent_id", sa.Uuid()),
        sa.column("csat_satisfied", sa.Integer()),
    )


def _backfill() -> None:
    facts = sa.table(
        "reporting_events",
        sa.column("kind", sa.String()),
        sa.column("at", UTCDateTime()),
        sa.column("channel", sa.String()),
        sa.column("agent_id", sa.Uuid()),
        sa.column("value", sa.Float()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(facts.c.at, facts.c.channel, facts.c.agent_id).where(
            facts.c.kind == "csat_given", facts.c.value >= SATISFIED_MIN_RATING
        )
    ).all()
    buckets: dict[str, Counter[tuple[datetime, str, object]]] = {n: Counter() for n in ROLLUPS}
    for at, channel, agent_id in rows:
        hour = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        day = hour.replace(hour=0)
        for agent in {None, agent_id}:
            buckets["analytics_hourly"][(hour, channel, agent)] += 1
            buckets["analytics_daily"][(day, channel, agent)] += 1
    for name, counts in buckets.items():
        table = _rollup(name)
        for (bucket, channel, agent), n in counts.items():
            agent_match = table.c.agent_id.is_(None) if agent is None else table.c.agent_id == agent
            bind.execute(
                sa.update(table)
                .where(table.c.bucket_start == bucket, table.c.channel == channel, agent_match)
                .values(csat_satisfied=n)
            )


def upgrade() -> None:
    for table in ROLLUPS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("csat_satisfied", sa.Integer(), nullable=False, server_default="0")
            )
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table in TIME_INDEXES:
                op.create_index(
                    name, table, ["created_at"], postgresql_concurrently=True, if_not_exists=True
                )
    else:
        for name, table in TIME_INDEXES:
            op.create_index(name, table, ["created_at"])


def downgrade() -> None:
    for name, table in TIME_INDEXES:
        op.drop_index(name, table_name=table)
    for table in ROLLUPS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("csat_satisfied")
