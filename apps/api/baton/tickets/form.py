"""The offline form, shared by ``POST /api/v1/tickets`` and the widget's ``submit_ticket``:
rate limited per address and per email, validated, linked to the visitor's conversation."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from baton.conversations.models import Conversation
from baton.kit.errors import NotFound, RateLimited
from baton.kit.uow import UnitOfWork
from baton.tickets import service
from baton.tickets.models import Ticket
from baton.tickets.schemas import TicketIn
from baton.visitors.models import VisitorSession
from baton.visitors.sessions import hash_token

WINDOW_SECONDS = 3600


async def limit(uow: UnitOfWork, what: str, key: str, most: int) -> None:
    """At most ``most`` per ``key`` per hour, counted across processes (Redis when set)."""
    allowed, retry = await uow.runtime.limiter.hit(f"tickets:{what}:{key}", most, WINDOW_SECONDS)
    if not allowed:
        raise RateLimited(f"too many tickets; try again in {retry} s", retry_after=retry)


async def _source(
    uow: UnitOfWork, data: TicketIn, session_id: uuid.UUID | None
) -> tuple[Conversation | None, uuid.UUID | None]:
    """The widget conversation the form was sent from: the session's own, or none. A
    conversation id without the session that owns it is not confirmed to exist."""
    vs: VisitorSession | None = None
    if session_id is not None:
        vs = await uow.session.get(VisitorSession, session_id)
    elif data.session_token:
        vs = await uow.session.scalar(
            select(VisitorSession).where(
                VisitorSession.token_hash == hash_token(data.session_token[:200])
            )
        )
        if vs is None:
            raise NotFound("unknown session", code="unknown_session")
    if data.conversation_id is not None and (
        vs is None or str(vs.conversation_id) != data.conversation_id
    ):
        raise NotFound("no such conversation", code="unknown_conversation")
    if vs is None:
        return None, None
    return await uow.session.get(Conversation, vs.conversation_id), vs.visitor_id


async def submit(
    uow: UnitOfWork, data: TicketIn, *, address: str, session_id: uuid.UUID | None = None
) -> Ticket:
    settings = uow.runtime.settings
    await limit(uow, "ip", address, settings.tickets_per_ip)
    requester = service.check_requester(data.name, data.email)
    from baton.conversations.messages import check_text_within

    text = check_text_within(data.message, settings.max_message_chars)
    source, visitor_id = await _source(uow, data, session_id)
    await limit(uow, "email", requester.email, settings.tickets_per_email)
    ticket, _ = await service.create(
        uow,
        requester=requester,
        message=text,
        source="form",
        source_conversation=source,
        visitor_id=visitor_id,
    )
    if source is not None:
        from baton.conversations.messages import add_system_message

        source.follow_up_email = source.follow_up_email or requester.email
        await add_system_message(
            uow,
            source,
            f"Ticket #{ticket.number} created; we'll answer at {requester.email}.",
            {"kind": "ticket_created", "ticket_id": str(ticket.id), "number": ticket.number},
        )
    return ticket
