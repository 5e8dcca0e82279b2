"""Aggregations run in the database; exports stream in short keyset batches, so a million
rows neither sit in memory nor hold one transaction open for the whole download."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.conversations.models import Message
from baton.db.engine import Database
from baton.kit.errors import ValidationFailed

EXPORT_BATCH = 5_000
EXPORT_COLUMNS = ("id", "conversation_id", "sender", "internal", "text", "created_at")


def check_range(since: datetime | None, until: datetime | None) -> None:
    for value in (since, until):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed("since/until need a timezone (e.g. 2026-11-01T00:00:00Z)")
    if since is not None and until is not None and since >= until:
        raise ValidationFailed("since must be before until")


def _in_range(stmt: Any, since: datetime | None, until: datetime | None) -> Any:
    if since is not None:
        stmt = stmt.where(Message.created_at >= since)
    if until is not None:
        stmt = stmt.where(Message.created_at < until)
    return stmt


async def messages_by_day(
    session: AsyncSession, *, since: datetime | None, until: datetime | None
) -> list[dict[str, Any]]:
    """Messages per UTC day and sender: count, conversations touched, average length."""
    day = func.date(Message.created_at)
    stmt = _in_range(
        select(
            day.label("day"),
            Message.sender,
            func.count().label("messages"),
            func.count(distinct(Message.conversation_id)).label("conversations"),
            func.avg(func.length(Message.text)).label("avg_chars"),
        )
        .group_by(day, Message.sender)
        .order_by(day, Message.sender),
        since,
        until,
    )
    rows = (await session.execute(stmt)).all()
    return [
        {
            # PostgreSQL answers a date, SQLite a string
            "day": r.day.isoformat() if isinstance(r.day, date) else str(r.day),
            "sender": r.sender,
            "messages": int(r.messages),
            "conversations": int(r.conversations),
            "avg_chars": round(float(r.avg_chars or 0), 1),
        }
        for r in rows
    ]


async def export_messages_csv(
    db: Database, *, since: datetime | None, until: datetime | None, batch: int = EXPORT_BATCH
) -> AsyncIterator[bytes]:
    """CSV of every message (oldest first), one short read per batch of rows."""
    after: uuid.UUID | None = None
    header = True
    while True:
        stmt = _in_range(
            select(*(getattr(Message, c) for c in EXPORT_COLUMNS))
            .order_by(Message.id)
            .limit(batch),
            since,
            until,
        )
        if after is not None:
            stmt = stmt.where(Message.id > after)
        async with db.session() as session:
            rows = (await session.execute(stmt)).all()
        if not rows:
            if header:  # an empty export is still a valid CSV with its header
                yield (",".join(EXPORT_COLUMNS) + "\n").encode()
            return
        frame = pl.DataFrame(
            {
                "id": [str(r.id) for r in rows],
                "conversation_id": [str(r.conversation_id) for r in rows],
                "sender": [r.sender for r in rows],
                "internal": [bool(r.internal) for r in rows],
                "text": [r.text for r in rows],
                "created_at": [r.created_at.isoformat() for r in rows],
            }
        )
        out = io.BytesIO()
        frame.write_csv(out, include_header=header)
        yield out.getvalue()
        header = False
        after = rows[-1].id
        if len(rows) < batch:
            return
