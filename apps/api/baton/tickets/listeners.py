"""Agents hear of new tickets and customers' replies: a stored notification of kind "ticket"
(the notifications centre; ``new_notification {kind: "ticket", ticket_id, text}`` reaches
their open tabs). A new ticket goes to everyone who may read tickets; a customer's reply to
its assignee, or to everyone while it is unassigned. Job phase: it survives the process that
committed, and the recipients' query never delays the request."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from baton.auth.permissions import Permission, permissions_for_role
from baton.kit.events import listen
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.notifications import center
from baton.tickets.events import TicketCreated, TicketReplied
from baton.users.models import User


async def ticket_readers(uow: UnitOfWork, only: uuid.UUID | None = None) -> list[uuid.UUID]:
    stmt = select(User.id, User.role).where(User.is_active.is_(True), User.deleted_at.is_(None))
    if only is not None:
        stmt = stmt.where(User.id == only)
    rows = await uow.session.execute(stmt)
    return [uid for uid, role in rows if Permission.TICKETS_READ in permissions_for_role(role)]


@listen(TicketCreated, phase="job", name="tickets.notify_created")
async def notify_created(runtime: Any, event: TicketCreated) -> None:
    text = f"New ticket #{event.number} from {event.requester}: {event.subject}"
    async with unit_of_work(runtime) as uow:
        await center.notify(
            uow, await ticket_readers(uow), "ticket", text, ticket_id=event.ticket_id
        )


@listen(
    TicketReplied, phase="job", name="tickets.notify_replied", when=lambda e: e.by == "customer"
)
async def notify_replied(runtime: Any, event: TicketReplied) -> None:
    verb = "reopened" if event.reopened else "replied to"
    text = f"The customer {verb} ticket #{event.number}: {event.preview}"
    async with unit_of_work(runtime) as uow:
        people = await ticket_readers(uow, event.assignee_id) if event.assignee_id else []
        if not people:  # unassigned, or its owner can no longer read tickets
            people = await ticket_readers(uow)
        await center.notify(uow, people, "ticket", text, ticket_id=event.ticket_id)
