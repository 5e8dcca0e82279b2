"""What each export kind holds: its columns, a row count and keyset batches of rows.

Every batch is one short read in its own session, so an export of a million rows neither
sits in memory nor holds a transaction open for the whole run.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from baton.analytics import reports
from baton.conversations.models import Conversation, Message
from baton.db.engine import Database
from baton.tickets import export as ticket_export
from baton.tickets.models import Ticket
from baton.users.models import User
from baton.visitors.models import Visitor

BATCH = 10_000
KINDS = ("conversations", "messages", "analytics", "tickets")
SUPPORTED_KINDS = ("conversations", "messages", "analytics", "tickets")


@dataclass(frozen=True)
class Window:
    start: datetime | None
    end: datetime | None
    tz: str = "UTC"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def _in(stmt: Any, column: Any, w: Window) -> Any:
    if w.start is not None:
        stmt = stmt.where(column >= w.start)
    if w.end is not None:
        stmt = stmt.where(column < w.end)
    return stmt


# -- messages ----------------------------------------------------------------------------
MESSAGE_COLUMNS = {
    "id": pl.String,
    "conversation_id": pl.String,
    "sender": pl.String,
    "internal": pl.Boolean,
    "author_id": pl.String,
    "author_name": pl.String,
    "text": pl.String,
    "created_at": pl.String,
}


def _messages_stmt(w: Window) -> Any:
    return _in(
        select(
            Message.id,
            Message.conversation_id,
            Message.sender,
            Message.internal,
            Message.author_id,
            Message.author_name,
            Message.text,
            Message.created_at,
        ),
        Message.created_at,
        w,
    )


def _messages_frame(rows: list[Any]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [str(r.id) for r in rows],
            "conversation_id": [str(r.conversation_id) for r in rows],
            "sender": [r.sender for r in rows],
            "internal": [bool(r.internal) for r in rows],
            "author_id": [_str(r.author_id) for r in rows],
            "author_name": [r.author_name for r in rows],
            "text": [r.text for r in rows],
            "created_at": [r.created_at.isoformat() for r in rows],
        },
        schema=MESSAGE_COLUMNS,
    )


# -- conversations -----------------------------------------------------------------------
CONVERSATION_COLUMNS = {
    "id": pl.String,
    "status": pl.String,
    "visitor_id": pl.String,
    "visitor_name": pl.String,
    "visitor_email": pl.String,
    "assignee_id": pl.String,
    "assignee_name": pl.String,
    "handoff_reason": pl.String,
    "created_at": pl.String,
    "updated_at": pl.String,
    "resolved_at": pl.String,
    "last_message_at": pl.String,
}


def _conversations_stmt(w: Window) -> Any:
    assignee = aliased(User)
    return _in(
        select(
            Conversation.id,
            Conversation.status,
            Conversation.visitor_id,
            Visitor.name.label("visitor_name"),
            Visitor.email.label("visitor_email"),
            Conversation.assignee_id,
            assignee.name.label("assignee_name"),
            Conversation.handoff_reason,
            Conversation.created_at,
            Conversation.updated_at,
            Conversation.resolved_at,
            Conversation.last_message_at,
        )
        .join(Visitor, Visitor.id == Conversation.visitor_id)
        .outerjoin(assignee, assignee.id == Conversation.assignee_id),
        Conversation.created_at,
        w,
    )


def _conversations_frame(rows: list[Any]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [str(r.id) for r in rows],
            "status": [r.status for r in rows],
            "visitor_id": [str(r.visitor_id) for r in rows],
            "visitor_name": [r.visitor_name for r in rows],
            "visitor_email": [r.visitor_email for r in rows],
            "assignee_id": [_str(r.assignee_id) for r in rows],
            "assignee_name": [r.assignee_name for r in rows],
            "handoff_reason": [r.handoff_reason for r in rows],
            "created_at": [r.created_at.isoformat() for r in rows],
            "updated_at": [_iso(r.updated_at) for r in rows],
            "resolved_at": [_iso(r.resolved_at) for r in rows],
            "last_message_at": [_iso(r.last_message_at) for r in rows],
        },
        schema=CONVERSATION_COLUMNS,
    )


@dataclass(frozen=True)
class TableSource:
    columns: dict[str, Any]
    stmt: Callable[[Window], Select[Any]]
    key: Any
    frame: Callable[[list[Any]], pl.DataFrame]


TABLES = {
    "messages": TableSource(MESSAGE_COLUMNS, _messages_stmt, Message.id, _messages_frame),
    "conversations": TableSource(
        CONVERSATION_COLUMNS, _conversations_stmt, Conversation.id, _conversations_frame
    ),
    "tickets": TableSource(
        ticket_export.TICKET_COLUMNS,
        lambda w: _in(ticket_export.tickets_stmt(), Ticket.created_at, w),
        Ticket.id,
        ticket_export.tickets_frame,
    ),
}

# -- analytics (one row per day) ---------------------------------------------------------
ANALYTICS_COLUMNS = {
    "day": pl.String,
    "conversations": pl.Int64,
    "messages": pl.Int64,
    "bot_resolved": pl.Int64,
    "handed_off": pl.Int64,
    "resolved": pl.Int64,
    "reopened": pl.Int64,
    "ai_containment_rate": pl.Float64,
    "handoff_rate": pl.Float64,
    "first_response_seconds_p50": pl.Float64,
    "first_response_seconds_p90": pl.Float64,
    "resolution_seconds_p50": pl.Float64,
    "csat_average": pl.Float64,
    "csat_responses": pl.Int64,
    "csat_satisfied": pl.Int64,
    "csat_satisfied_rate": pl.Float64,
}


def columns(kind: str) -> list[str]:
    return list(ANALYTICS_COLUMNS if kind == "analytics" else TABLES[kind].columns)


def analytics_range(w: Window) -> reports.Range:
    start = w.start.isoformat() if w.start else None
    end = w.end.isoformat() if w.end else None
    return reports.parse_range(start, end, w.tz)


async def count(db: Database, kind: str, w: Window) -> int:
    if kind == "analytics":
        return len(reports.buckets(analytics_range(w), "day"))
    src = TABLES[kind]
    async with db.session() as session:
        sub = src.stmt(w).subquery()
        return int(await session.scalar(select(func.count()).select_from(sub)) or 0)


async def batches(
    db: Database, kind: str, w: Window, *, batch: int | None = None
) -> AsyncIterator[pl.DataFrame]:
    """Rows oldest first (ids are UUIDv7), one short read per batch (``BATCH`` rows)."""
    batch = batch or BATCH
    if kind == "analytics":
        async with db.session() as session:
            rows = await reports.daily_table(session, analytics_range(w))
        yield pl.DataFrame(rows, schema=ANALYTICS_COLUMNS)
        return
    table = TABLES[kind]
    after: uuid.UUID | None = None
    while True:
        stmt = table.stmt(w).order_by(table.key).limit(batch)
        if after is not None:
            stmt = stmt.where(table.key > after)
        async with db.session() as session:
            found = list((await session.execute(stmt)).all())
        if not found:
            return
        yield table.frame(found)
        after = found[-1].id
        if len(found) < batch:
            return
