"""The ``tickets`` export kind: one row per ticket (read by ``exports.sources``)."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import aliased

from baton.tickets.models import Ticket
from baton.users.models import User

TICKET_COLUMNS = {
    "id": pl.String,
    "number": pl.Int64,
    "status": pl.String,
    "subject": pl.String,
    "source": pl.String,
    "requester_name": pl.String,
    "requester_email": pl.String,
    "assignee_id": pl.String,
    "assignee_name": pl.String,
    "conversation_id": pl.String,
    "source_conversation_id": pl.String,
    "created_at": pl.String,
    "updated_at": pl.String,
    "resolved_at": pl.String,
    "last_message_at": pl.String,
}


def tickets_stmt() -> Any:
    assignee = aliased(User)
    return select(
        Ticket.id,
        Ticket.number,
        Ticket.status,
        Ticket.subject,
        Ticket.source,
        Ticket.requester_name,
        Ticket.requester_email,
        Ticket.assignee_id,
        assignee.name.label("assignee_name"),
        Ticket.conversation_id,
        Ticket.source_conversation_id,
        Ticket.created_at,
        Ticket.updated_at,
        Ticket.resolved_at,
        Ticket.last_message_at,
    ).outerjoin(assignee, assignee.id == Ticket.assignee_id)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def tickets_frame(rows: list[Any]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [str(r.id) for r in rows],
            "number": [r.number for r in rows],
            "status": [r.status for r in rows],
            "subject": [r.subject for r in rows],
            "source": [r.source for r in rows],
            "requester_name": [r.requester_name for r in rows],
            "requester_email": [r.requester_email for r in rows],
            "assignee_id": [_str(r.assignee_id) for r in rows],
            "assignee_name": [r.assignee_name for r in rows],
            "conversation_id": [str(r.conversation_id) for r in rows],
            "source_conversation_id": [_str(r.source_conversation_id) for r in rows],
            "created_at": [r.created_at.isoformat() for r in rows],
            "updated_at": [_iso(r.updated_at) for r in rows],
            "resolved_at": [_iso(r.resolved_at) for r in rows],
            "last_message_at": [_iso(r.last_message_at) for r in rows],
        },
        schema=TICKET_COLUMNS,
    )
