"""Messages per day, aggregated in the database (the dashboard figures are in reports.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, case, distinct, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from baton.conversations.models import Message
from baton.kit.crypto import SEALED_PREFIX
from baton.kit.errors import ValidationFailed


def _plain_length(column: Any, dialect: str) -> Any:
    """The length of a sealed text without opening it: its AES-GCM body (base64url of nonce,
    ciphertext, tag) minus 28 bytes of nonce and tag. Bytes of UTF-8, so characters for
    ASCII and a little more than them for accented text; a value written before encryption
    counts as it is."""
    raw = type_coerce(column, Text())
    find = func.strpos if dialect == "postgresql" else func.instr
    header = len(SEALED_PREFIX) + find(func.substr(raw, len(SEALED_PREFIX) + 1), "$")
    body = func.length(raw) - header
    return case(
        (raw.like(f"{SEALED_PREFIX}%"), body * 3 // 4 - 28),
        else_=func.length(raw),
    )


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
            func.avg(_plain_length(Message.text, session.get_bind().dialect.name)).label(
                "avg_chars"
            ),
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
