"""Tickets: created from the offline form, inbound email or a conversation; answered by
email; resolved and reopened. Every customer message enters through
``conversations.inbound.receive_visitor_message(channel="email")``; every email leaves
through the outbox in the same unit of work."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from baton.auth.principal import Principal
from baton.conversations import lifecycle
from baton.conversations.events import ConversationChanged, ConversationOpened
from baton.conversations.inbound import receive_visitor_message
from baton.conversations.messages import check_text_within, existing
from baton.conversations.models import Conversation, Message
from baton.conversations.replies import add_agent_message
from baton.conversations.state import Actor, transition
from baton.db.base import utcnow
from baton.db.savepoint import savepoint
from baton.kit.errors import Conflict, NotFound, ValidationFailed
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork
from baton.mail import addresses, outbox, templates
from baton.tickets import state
from baton.tickets.events import TicketAssigned, TicketCreated, TicketReplied
from baton.tickets.models import Ticket
from baton.users.models import User
from baton.users.service import normalise_email
from baton.visitors.models import Visitor

NAME_MAX = 120
SUBJECT_MAX = 200


@dataclass(frozen=True)
class Requester:
    name: str | None
    email: str


def check_requester(name: Any, email: Any) -> Requester:
    if not isinstance(email, str):
        raise ValidationFailed("a valid email address is required", code="invalid_email")
    try:
        address = normalise_email(email)
    except ValidationFailed:
        raise ValidationFailed("a valid email address is required", code="invalid_email") from None
    clean: str | None = None
    if name is not None:
        if not isinstance(name, str) or len(name.strip()) > NAME_MAX:
            raise ValidationFailed(
                f"name must be at most {NAME_MAX} characters", code="invalid_name"
            )
        clean = " ".join(name.split()) or None
    return Requester(clean, address)


def subject_of(message: str) -> str:
    first = " ".join(message.split())
    return first if len(first) <= 80 else first[:77].rstrip() + "..."


async def get_ticket(uow: UnitOfWork, ticket_id: uuid.UUID) -> Ticket:
    ticket = await uow.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("no such ticket", code="unknown_ticket")
    return ticket


async def by_token(uow: UnitOfWork, token: str) -> Ticket | None:
    found: Ticket | None = await uow.session.scalar(
        select(Ticket).where(Ticket.reply_token == token)
    )
    return found


async def conversation_of(uow: UnitOfWork, ticket: Ticket) -> Conversation:
    conversation = await uow.session.get(Conversation, ticket.conversation_id)
    assert conversation is not None
    return conversation


async def _insert(uow: UnitOfWork, ticket: Ticket) -> None:
    """Take the next number; two tickets created at once retry on the unique number."""
    for _ in range(8):
        ticket.number = (
            int(
                await uow.session.scalar(select(func.coalesce(func.max(Ticket.number), 1000)))
                or 1000
            )
            + 1
        )
        try:
            async with savepoint(uow.session):
                uow.session.add(ticket)
                await uow.session.flush()
            return
        except IntegrityError:
            continue
    raise Conflict("could not number the ticket; try again", code="busy")


async def create(
    uow: UnitOfWork,
    *,
    requester: Requester,
    message: Any,
    source: str,
    subject: str | None = None,
    source_conversation: Conversation | None = None,
    visitor_id: uuid.UUID | None = None,
    client_id: str | None = None,
    meta: dict[str, Any] | None = None,
    confirm: bool = True,
) -> tuple[Ticket, Message]:
    """A new ticket with the customer's first message, and (``confirm``) its confirmation."""
    text = check_text_within(message, uow.runtime.settings.max_message_chars)
    if visitor_id is None:
        visitor = Visitor(name=requester.name, email=requester.email)
        uow.session.add(visitor)
        await uow.session.flush()
        visitor_id = visitor.id
    # a human's from the start (status agent, nobody assigned): the AI does not answer email
    conversation = Conversation(visitor_id=visitor_id, status="agent", channel="email")
    uow.session.add(conversation)
    await uow.session.flush()
    uow.record(ConversationOpened(conversation.id, visitor_id, channel="email", status="agent"))
    uow.keep(conversation)
    ticket = Ticket(
        conversation_id=conversation.id,
        source_conversation_id=source_conversation.id if source_conversation else None,
        source=source,
        requester_name=requester.name,
        requester_email=requester.email,
        subject=(" ".join((subject or "").split())[:SUBJECT_MAX] or subject_of(text)),
        status="open",
        reply_token=secrets.token_urlsafe(18),
    )
    ticket.id = uuid7()
    await _insert(uow, ticket)
    first, _ = await receive_visitor_message(
        uow,
        conversation,
        text=text,
        client_id=client_id or f"ticket-{ticket.id}",
        channel="email",
        meta={**(meta or {}), "ticket_id": str(ticket.id)},
    )
    ticket.last_message_at = first.created_at
    uow.keep(ticket)
    if confirm:
        _email(
            uow,
            ticket,
            kind="ticket_confirmation",
            rendered=templates.ticket_confirmation(
                ticket.number, ticket.subject, requester.name or "there", text
            ),
            in_reply_to=(meta or {}).get("email", {}).get("message_id"),
        )
    uow.record(
        TicketCreated(
            ticket.id, ticket.number, source, requester.name or requester.email, ticket.subject
        )
    )
    return ticket, first


async def _thread_ids(uow: UnitOfWork, ticket: Ticket) -> list[str]:
    """Every Message-ID of the thread, oldest first: the customer's mail and ours."""
    from baton.mail.models import OutboxEmail

    found: list[tuple[Any, str]] = []
    for created_at, meta in await uow.session.execute(
        select(Message.created_at, Message.meta).where(
            Message.conversation_id == ticket.conversation_id
        )
    ):
        value = (meta or {}).get("email", {}).get("message_id")
        if isinstance(value, str) and value:
            found.append((created_at, value))
    for created_at, headers in await uow.session.execute(
        select(OutboxEmail.created_at, OutboxEmail.headers).where(
            OutboxEmail.ticket_id == ticket.id
        )
    ):
        value = (headers or {}).get("Message-ID")
        if isinstance(value, str) and value:
            found.append((created_at, value))
    ids: list[str] = []
    for _, value in sorted(found, key=lambda item: item[0]):
        if value not in ids:
            ids.append(value)
    return ids


def _email(
    uow: UnitOfWork,
    ticket: Ticket,
    *,
    kind: str,
    rendered: templates.Rendered,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
) -> tuple[str, uuid.UUID]:
    """Queue one email about ``ticket``: its own Message-ID, replies come back here."""
    settings = uow.runtime.settings
    email_id = uuid7()
    own_id = addresses.message_id(settings, ticket.reply_token, email_id)
    headers = {"Message-ID": own_id}
    refs = list(references or [])
    if in_reply_to and in_reply_to not in refs:
        refs.append(in_reply_to)
    if refs:
        headers["In-Reply-To"] = in_reply_to or refs[-1]
        headers["References"] = " ".join(refs[-20:])
    outbox.queue(
        uow,
        kind=kind,
        to=ticket.requester_email,
        rendered=rendered,
        headers=headers,
        reply_to=addresses.reply_address(settings, ticket.reply_token),
        ticket_id=ticket.id,
        email_id=email_id,
    )
    return own_id, email_id


async def reply(
    uow: UnitOfWork, ticket: Ticket, principal: Principal, *, text: Any, client_id: Any = None
) -> Message:
    """An agent's answer: stored in the thread and emailed to the requester, threaded."""
    text = check_text_within(text, uow.runtime.settings.max_message_chars)
    conversation = await conversation_of(uow, ticket)
    actor = Actor.of(principal)
    if conversation.status == "resolved":
        await transition(uow, conversation, "agent", actor, reason="ticket_reopened")
    refs = await _thread_ids(uow, ticket)
    email_id = uuid7()
    own_id = addresses.message_id(uow.runtime.settings, ticket.reply_token, email_id)
    message, created = await add_agent_message(
        uow, conversation, actor, text=text, client_id=client_id or f"reply-{email_id}"
    )
    if not created:
        return message  # a resend of the same client_id: emailed once already
    message.meta = {
        **(message.meta or {}),
        "email": {"message_id": own_id},
        "ticket_id": str(ticket.id),
    }
    await uow.session.flush()
    settings = uow.runtime.settings
    headers: dict[str, str] = {"Message-ID": own_id}
    if refs:
        headers["In-Reply-To"] = refs[-1]
        headers["References"] = " ".join(refs[-20:])
    outbox.queue(
        uow,
        kind="ticket_reply",
        to=ticket.requester_email,
        rendered=templates.agent_reply(ticket.number, ticket.subject, principal.name, text),
        headers=headers,
        reply_to=addresses.reply_address(settings, ticket.reply_token),
        ticket_id=ticket.id,
        email_id=email_id,
    )
    await state.move(uow, ticket, "pending", actor_id=principal.id)
    ticket.last_message_at = message.created_at
    ticket.updated_at = utcnow()
    uow.record(
        TicketReplied(
            ticket.id,
            ticket.number,
            "agent",
            message.id,
            text[:140],
            assignee_id=ticket.assignee_id,
        )
    )
    return message


async def resolve(uow: UnitOfWork, ticket: Ticket, principal: Principal) -> Ticket:
    if ticket.status == "resolved":
        return ticket
    conversation = await conversation_of(uow, ticket)
    await state.move(uow, ticket, "resolved", actor_id=principal.id)
    if conversation.status != "resolved":
        await lifecycle.resolve(uow, conversation, Actor.of(principal), reason="ticket_resolved")
    refs = await _thread_ids(uow, ticket)
    _email(
        uow,
        ticket,
        kind="ticket_resolved",
        rendered=templates.ticket_resolved(
            ticket.number, ticket.subject, ticket.requester_name or "there"
        ),
        in_reply_to=refs[-1] if refs else None,
        references=refs,
    )
    return ticket


async def reopen(uow: UnitOfWork, ticket: Ticket, principal: Principal) -> Ticket:
    if ticket.status != "resolved":
        return ticket
    conversation = await conversation_of(uow, ticket)
    if conversation.status == "resolved":
        await transition(uow, conversation, "agent", Actor.of(principal), reason="ticket_reopened")
    await state.move(uow, ticket, "open", actor_id=principal.id)
    return ticket


async def assign(
    uow: UnitOfWork, ticket: Ticket, principal: Principal, agent_id: uuid.UUID | None
) -> Ticket:
    from baton.auth.permissions import Permission, permissions_for_role

    if agent_id is not None:
        agent = await uow.session.get(User, agent_id)
        if agent is None or agent.deleted_at is not None or not agent.is_active:
            raise NotFound("no such agent", code="unknown_agent")
        if Permission.TICKETS_REPLY not in permissions_for_role(agent.role):
            raise ValidationFailed("that user cannot answer tickets", code="cannot_answer")
    if ticket.assignee_id == agent_id:
        return ticket
    ticket.assignee_id = agent_id
    ticket.updated_at = utcnow()
    conversation = await conversation_of(uow, ticket)
    conversation.assignee_id = agent_id
    uow.record(ConversationChanged(conversation.id, broadcast=True))
    uow.record(TicketAssigned(ticket.id, ticket.number, agent_id, principal.id))
    return ticket


async def customer_reply(
    uow: UnitOfWork,
    ticket: Ticket,
    *,
    text: Any,
    message_id: str | None,
    meta: dict[str, Any],
) -> tuple[Message, bool]:
    """The customer answered by email: the same inbound path as every channel; a resolved
    ticket reopens (its conversation goes back to its owner, not to the AI)."""
    text = check_text_within(text, uow.runtime.settings.max_message_chars)
    conversation = await conversation_of(uow, ticket)
    # one message per Message-ID: a provider's retried webhook stores nothing twice
    key = message_id or f"{meta.get('from', '')}|{text}"
    client_id = "email-" + hashlib.sha256(key.encode()).hexdigest()[:40]
    reopened = False
    if await existing(uow, conversation.id, client_id) is None:
        if conversation.status == "resolved":
            await transition(
                uow, conversation, "agent", Actor("visitor"), reason="customer_replied"
            )
        reopened = ticket.status == "resolved"
        await state.move(uow, ticket, "open", actor_id=None)
    message, created = await receive_visitor_message(
        uow, conversation, text=text, client_id=client_id, channel="email", meta=meta
    )
    if created:
        ticket.last_message_at = message.created_at
        ticket.updated_at = utcnow()
        uow.record(
            TicketReplied(
                ticket.id,
                ticket.number,
                "customer",
                message.id,
                text[:140],
                reopened=reopened,
                assignee_id=ticket.assignee_id,
            )
        )
    return message, created


async def convert(
    uow: UnitOfWork, conversation: Conversation, principal: Principal, *, email: str | None
) -> Ticket:
    """An agent turns a chat into a ticket: answered by email from now on."""
    existing_ticket = await uow.session.scalar(
        select(Ticket).where(Ticket.source_conversation_id == conversation.id)
    )
    if existing_ticket is not None:
        raise Conflict(
            f"ticket #{existing_ticket.number} exists for this conversation", code="ticket_exists"
        )
    if conversation.channel == "email":
        raise Conflict("this conversation is a ticket already", code="ticket_exists")
    visitor = await uow.session.get(Visitor, conversation.visitor_id)
    assert visitor is not None
    requester = check_requester(
        visitor.name, email or conversation.follow_up_email or visitor.email
    )
    rows = await uow.session.scalars(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.sender == "visitor")
        .order_by(Message.id)
    )
    text = "\n\n".join(rows)[: uow.runtime.settings.max_message_chars] or "(no message)"
    ticket, _ = await create(
        uow,
        requester=requester,
        message=text,
        source="agent",
        source_conversation=conversation,
        visitor_id=visitor.id,
    )
    await assign(uow, ticket, principal, principal.user_id) if principal.user_id else None
    return ticket
