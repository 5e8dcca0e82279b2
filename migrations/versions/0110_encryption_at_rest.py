"""encryption at rest: data keys, blind-index tokens, sealed columns become text

Existing plain-text rows stay readable (a value without the sealed prefix reads as it is)
and are sealed and indexed by ``baton keys encrypt-existing`` (resumable; scripts/run runs
it after the upgrade): a migration has no master key to seal with.

Revision ID: 0110_encryption_at_rest
Revises: 0106_analytics
Create Date: 2026-12-02 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import baton.db.base

revision: str = "0110_encryption_at_rest"
down_revision: str | Sequence[str] | None = "0106_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# columns that were bounded strings and now hold ciphertext (longer than the plain text)
WIDENED = {
    "conversations": {"last_message_text": 300, "follow_up_email": 320},
    "visitors": {"name": 120, "email": 320, "page_url": 2048, "page_title": 300, "referrer": 2048},
    "ai_reply_logs": {"question": 500},
    "notifications": {"text": 300},
}


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("wrapped", sa.String(length=200), nullable=False),
        sa.Column("master_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", baton.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rewrapped_at", baton.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
    )
    op.create_index(
        "ix_data_keys_active_purpose",
        "data_keys",
        ["purpose"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )
    for table, owner in (("message_tokens", "messages"), ("visitor_tokens", "visitors")):
        column = f"{owner[:-1]}_id"
        op.create_table(
            table,
            sa.Column("token", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column(column, sa.Uuid(), nullable=False),
            sa.ForeignKeyConstraint(
                [column],
                [f"{owner}.id"],
                name=op.f(f"fk_{table}_{column}_{owner}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("token", column, name=op.f(f"pk_{table}")),
        )
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for name, length in columns.items():
                batch.alter_column(name, existing_type=sa.String(length=length), type_=sa.Text())
    with op.batch_alter_table("webhook_deliveries") as batch:  # a JSON document, sealed
        batch.alter_column(
            "payload", existing_type=sa.JSON(), type_=sa.Text(), postgresql_using="payload::text"
        )


def downgrade() -> None:
    # the columns go back to their old bounds: run it only on plain-text data
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.alter_column(
            "payload", existing_type=sa.Text(), type_=sa.JSON(), postgresql_using="payload::json"
        )
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for name, length in columns.items():
                batch.alter_column(name, existing_type=sa.Text(), type_=sa.String(length=length))
    for table, column in (("visitor_tokens", "visitor_id"), ("message_tokens", "message_id")):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_data_keys_active_purpose", table_name="data_keys")
    op.drop_table("data_keys")
