"""The ticket's own small state machine: explicit moves, compare-and-set, an event each."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from baton.db.base import utcnow
from baton.kit.errors import Conflict
from baton.kit.uow import UnitOfWork
from baton.tickets.events import TicketStatusChanged
from baton.tickets.models import Ticket

STATUSES = ("open", "pending", "resolved")
TRANSITIONS = frozenset(
    {
        ("open", "pending"),  # an agent answered
        ("pending", "open"),  # the customer answered
        ("open", "resolved"),
        ("pending", "resolved"),
        ("resolved", "open"),  # the customer wrote again, or an agent reopened it
        ("resolved", "pending"),  # an agent wrote to a resolved ticket
    }
)


async def move(uow: UnitOfWork, ticket: Ticket, target: str, *, actor_id: uuid.UUID | None) -> bool:
    """Move ``ticket`` to ``target``; False when it is there already."""
    current = ticket.status
    if current == target:
        return False
    if (current, target) not in TRANSITIONS:
        raise Conflict(f"a ticket cannot go from {current} to {target}", code="invalid_transition")
    now = utcnow()
    values = {
        "status": target,
        "updated_at": now,
        "resolved_at": now if target == "resolved" else None,
    }
    result = await uow.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the ticket changed at the same time; reload it", code="invalid_transition")
    for key, value in values.items():
        set_committed_value(ticket, key, value)
    uow.record(TicketStatusChanged(ticket.id, ticket.number, current, target, actor_id))
    return True
