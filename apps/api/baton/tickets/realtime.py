"""Widget events of the tickets domain: the offline form and a transcript by email."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
import socketio

from baton.conversations.models import Message
from baton.kit.errors import Unauthorized
from baton.mail import outbox, templates
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.contract import Payload
from baton.realtime.rooms import VISITOR_NS
from baton.runtime import Runtime
from baton.tickets import form, service
from baton.tickets.schemas import TicketCreatedOut, TicketIn
from baton.visitors import limits
from baton.visitors.models import Visitor
from baton.visitors.sessions import live_session

actions = Actions(VISITOR_NS)


class TranscriptIn(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None


class TranscriptAck(Payload):
    ok: bool
    email_id: uuid.UUID
    to: str


@actions.on("submit_ticket", payload=TicketIn, ack=TicketCreatedOut)
async def submit_ticket(call: SocketCall, payload: TicketIn) -> dict[str, Any]:
    """Same body and ack as ``POST /api/v1/tickets``; the socket's session is the source."""
    state = await call.session()
    ticket = await form.submit(
        call.uow,
        payload,
        address=state.get("address", "unknown"),
        session_id=state.get("session_id"),
    )
    return {"id": str(ticket.id), "number": ticket.number, "status": ticket.status}


@actions.on("request_transcript", payload=TranscriptIn, ack=TranscriptAck)
async def request_transcript(call: SocketCall, payload: TranscriptIn) -> dict[str, Any]:
    """Email the visitor this conversation (to ``email`` or the one they gave before)."""
    state = await call.session()
    if not state.get("session_id"):
        raise Unauthorized("call start_session first", code="no_session")
    await limits.event(call.runtime, str(state["session_id"]))
    vs, conversation = await live_session(call.uow, state["session_id"])
    visitor = await call.uow.session.get(Visitor, vs.visitor_id)
    assert visitor is not None
    requester = service.check_requester(
        visitor.name, payload.email or conversation.follow_up_email or visitor.email
    )
    await form.limit(
        call.uow, "transcript", requester.email, call.runtime.settings.tickets_per_email
    )
    rows = await call.uow.session.scalars(_visible_messages(conversation.id))
    lines = [
        templates.Line(
            m.author_name
            or {"visitor": "You", "bot": "Assistant", "system": "Baton"}.get(m.sender, m.sender),
            m.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            m.text,
        )
        for m in rows
    ]
    email = outbox.queue(
        call.uow,
        kind="transcript",
        to=requester.email,
        rendered=templates.transcript(lines, requester.name),
    )
    return {"ok": True, "email_id": str(email.id), "to": requester.email}


def _visible_messages(conversation_id: Any) -> Any:
    from sqlalchemy import select

    return (
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.internal.is_(False))
        .order_by(Message.id)
        .limit(1000)
    )


def register(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    actions.register(sio, runtime)
