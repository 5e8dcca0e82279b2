"""Messages per day, aggregated in the database (the dashboard figures are in reports.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.conversations.models import Message
from baton.kit.errors import ValidationFailed


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
