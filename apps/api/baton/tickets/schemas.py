from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from baton.conversations.schemas import MessageOut
from baton.realtime.contract import WireText
from baton.tickets.models import Ticket


class TicketIn(msgspec.Struct):
    """The offline form (REST and the widget's ``submit_ticket``). Types are checked by the
    service, so each bad field gets its own clear error code."""

    name: WireText = None
    email: WireText = None
    message: WireText = None
    conversation_id: str | None = None
    session_token: str | None = None


class TicketCreatedOut(msgspec.Struct):
    id: uuid.UUID
    number: int
    status: str


class TicketOut(msgspec.Struct):
    id: uuid.UUID
    number: int
    status: str
    subject: str
    source: str
    requester_name: str | None
    requester_email: str
    assignee_id: uuid.UUID | None
    conversation_id: uuid.UUID
    source_conversation_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    last_message_at: datetime | None

    @classmethod
    def of(cls, t: Ticket) -> TicketOut:
        return cls(
            id=t.id,
            number=t.number,
            status=t.status,
            subject=t.subject,
            source=t.source,
            requester_name=t.requester_name,
            requester_email=t.requester_email,
            assignee_id=t.assignee_id,
            conversation_id=t.conversation_id,
            source_conversation_id=t.source_conversation_id,
            created_at=t.created_at,
            updated_at=t.updated_at,
            resolved_at=t.resolved_at,
            last_message_at=t.last_message_at,
        )


class TicketDetail(TicketOut, kw_only=True):
    messages: list[MessageOut]


class TicketPage(msgspec.Struct):
    items: list[TicketOut]
    next_cursor: str | None


class TicketReplyIn(msgspec.Struct):
    text: Any = None
    client_id: str | None = None


class TicketAssignIn(msgspec.Struct):
    agent_id: uuid.UUID | None = None


class ConvertIn(msgspec.Struct):
    conversation_id: uuid.UUID
    email: str | None = None  # when the visitor left none


class InboundAck(msgspec.Struct):
    ticket_id: uuid.UUID | None
    number: int | None
    created: bool
    ignored: bool = False


class GenericInboundIn(msgspec.Struct):
    """A parsed email from any provider that forwards mail as JSON."""

    to: list[str] | str
    text: str | None = None
    html: str | None = None
    subject: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: str | None = None
    headers: dict[str, str] | list[dict[str, str]] | None = None
    sender: str = msgspec.field(name="from", default="")
