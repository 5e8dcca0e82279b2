"""Tickets REST: the public offline form, the inbox's ticket operations, inbound email."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from baton.auth.edge import PUBLIC, requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.conversations import policy
from baton.conversations import queries as conversation_queries
from baton.kit.errors import ValidationFailed
from baton.kit.http import errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork
from baton.tickets import form, inbound, queries, service
from baton.tickets.schemas import (
    ConvertIn,
    GenericInboundIn,
    InboundAck,
    TicketAssignIn,
    TicketCreatedOut,
    TicketDetail,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketReplyIn,
)


def _address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


async def detail(uow: UnitOfWork, ticket_id: uuid.UUID) -> TicketDetail:
    ticket = await service.get_ticket(uow, ticket_id)
    messages, _ = await conversation_queries.messages_of(
        uow.session, ticket.conversation_id, include_internal=True, limit=500
    )
    out = TicketOut.of(ticket)
    return TicketDetail(
        **{f: getattr(out, f) for f in out.__struct_fields__},
        messages=conversation_queries.message_views(messages),
    )


_read = [requires(Permission.TICKETS_READ)]


def _action(name: str) -> Any:
    return post(
        f"/{{ticket_id:uuid}}/{name}",
        guards=[requires(Permission.TICKETS_REPLY)],
        status_code=HTTP_200_OK,
        responses=errors(403, 404, 409, 422),
    )


class TicketsController(Controller):
    path = "/api/v1/tickets"
    tags = ["tickets"]

    @post(
        "/",
        opt=PUBLIC,
        status_code=HTTP_201_CREATED,
        responses=errors(404, 422, 429),
        summary="Submit the offline form (public, rate limited per address and per email)",
    )
    async def submit_ticket(
        self, request: Request[Any, Any, Any], uow: UnitOfWork, data: TicketIn
    ) -> TicketCreatedOut:
        ticket = await form.submit(uow, data, address=_address(request))
        return TicketCreatedOut(ticket.id, ticket.number, ticket.status)

    @get("/", guards=_read, responses=errors(403, 422))
    async def list_tickets(
        self,
        uow: UnitOfWork,
        principal: Principal,
        status: str | None = Parameter(default=None, description="open, pending, resolved"),
        assignee: str | None = Parameter(default=None, description="me, none or a user id"),
        q: str | None = Parameter(
            default=None, max_length=200, description="subject, requester or #number"
        ),
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = Parameter(default=None, max_length=64),
    ) -> TicketPage:
        items, next_cursor = await queries.list_tickets(
            uow,
            principal,
            status=status,
            assignee=assignee,
            q=q,
            limit=check_limit(limit),
            cursor=cursor,
        )
        return TicketPage([TicketOut.of(t) for t in items], next_cursor)

    @get("/{ticket_id:uuid}", guards=_read, responses=errors(403, 404))
    async def get_ticket(self, uow: UnitOfWork, ticket_id: uuid.UUID) -> TicketDetail:
        """The ticket with its thread (oldest first)."""
        return await detail(uow, ticket_id)

    @post(
        "/{ticket_id:uuid}/replies",
        guards=[requires(Permission.TICKETS_REPLY)],
        status_code=HTTP_201_CREATED,
        responses=errors(403, 404, 409, 422),
    )
    async def reply(
        self, uow: UnitOfWork, principal: Principal, ticket_id: uuid.UUID, data: TicketReplyIn
    ) -> TicketDetail:
        """Add an agent's reply and email it to the requester (threaded); the ticket becomes
        pending."""
        ticket = await service.get_ticket(uow, ticket_id)
        await service.reply(uow, ticket, principal, text=data.text, client_id=data.client_id)
        return await detail(uow, ticket_id)

    @_action("resolve")
    async def resolve(
        self, uow: UnitOfWork, principal: Principal, ticket_id: uuid.UUID
    ) -> TicketOut:
        ticket = await service.resolve(uow, await service.get_ticket(uow, ticket_id), principal)
        return TicketOut.of(ticket)

    @_action("reopen")
    async def reopen(
        self, uow: UnitOfWork, principal: Principal, ticket_id: uuid.UUID
    ) -> TicketOut:
        ticket = await service.reopen(uow, await service.get_ticket(uow, ticket_id), principal)
        return TicketOut.of(ticket)

    @_action("assign")
    async def assign(
        self, uow: UnitOfWork, principal: Principal, ticket_id: uuid.UUID, data: TicketAssignIn
    ) -> TicketOut:
        """``agent_id`` null unassigns."""
        ticket = await service.assign(
            uow, await service.get_ticket(uow, ticket_id), principal, data.agent_id
        )
        return TicketOut.of(ticket)

    @post(
        "/convert",
        guards=[requires(Permission.TICKETS_REPLY)],
        status_code=HTTP_201_CREATED,
        responses=errors(403, 404, 409, 422),
    )
    async def convert(
        self, uow: UnitOfWork, principal: Principal, data: ConvertIn
    ) -> TicketCreatedOut:
        """Turn a conversation into a ticket answered by email (the visitor's email, or
        ``email``); its visitor messages so far become the ticket's first message."""
        conversation = await conversation_queries.get_conversation(
            uow.session, data.conversation_id
        )
        policy.check_read(principal, conversation)
        ticket = await service.convert(uow, conversation, principal, email=data.email)
        return TicketCreatedOut(ticket.id, ticket.number, ticket.status)


class InboundEmailController(Controller):
    """Webhooks that bring customers' email in (see docs/tickets.md, "Inbound setup")."""

    path = "/api/v1/inbound/email"
    tags = ["tickets"]

    @post("/resend", opt=PUBLIC, status_code=HTTP_200_OK, responses=errors(400, 404, 409, 422, 503))
    async def resend_inbound(self, request: Request[Any, Any, Any], uow: UnitOfWork) -> InboundAck:
        """Resend's ``email.received`` webhook, verified by its Svix signature
        (``BATON_RESEND_WEBHOOK_SECRET``); other event types are acknowledged and ignored."""
        body = await request.body()
        inbound.verify_svix(
            uow.runtime.settings.resend_webhook_secret,
            {k.lower(): v for k, v in request.headers.items()},
            body,
        )
        try:
            payload = msgspec.json.decode(body)
        except msgspec.DecodeError:
            raise ValidationFailed("the body is not JSON", code="invalid_payload") from None
        if not isinstance(payload, dict):
            raise ValidationFailed("the body must be an object", code="invalid_payload")
        email = await inbound.from_resend(uow, payload)
        if email is None:
            return InboundAck(None, None, created=False, ignored=True)
        ticket, created = await inbound.receive(uow, email)
        return InboundAck(ticket.id, ticket.number, created)

    @post("/", opt=PUBLIC, status_code=HTTP_200_OK, responses=errors(401, 404, 409, 422))
    async def generic_inbound(
        self,
        request: Request[Any, Any, Any],
        uow: UnitOfWork,
        data: GenericInboundIn,
    ) -> InboundAck:
        """Any provider that forwards parsed mail as JSON; authenticated by
        ``BATON_INBOUND_EMAIL_TOKEN`` in the ``X-Baton-Inbound-Token`` header."""
        inbound.check_token(
            uow.runtime.settings.inbound_email_token, request.headers.get("x-baton-inbound-token")
        )
        email = inbound.parsed(msgspec.to_builtins(data))
        ticket, created = await inbound.receive(uow, email)
        return InboundAck(ticket.id, ticket.number, created)
