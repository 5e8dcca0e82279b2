"""What happens to tickets (see ``baton.kit.events``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from baton.kit.events import DomainEvent


@dataclass(frozen=True)
class TicketCreated(DomainEvent):
    name: ClassVar[str] = "tickets.created"
    ticket_id: uuid.UUID
    number: int
    source: str
    requester: str
    subject: str


@dataclass(frozen=True)
class TicketReplied(DomainEvent):
    """A message joined the thread: ``by`` customer (``reopened`` if it was resolved) or agent."""

    name: ClassVar[str] = "tickets.replied"
    ticket_id: uuid.UUID
    number: int
    by: str  # customer | agent
    message_id: uuid.UUID
    preview: str
    reopened: bool = False
    assignee_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TicketStatusChanged(DomainEvent):
    name: ClassVar[str] = "tickets.status_changed"
    ticket_id: uuid.UUID
    number: int
    from_status: str
    to_status: str
    actor_id: uuid.UUID | None


@dataclass(frozen=True)
class TicketAssigned(DomainEvent):
    name: ClassVar[str] = "tickets.assigned"
    ticket_id: uuid.UUID
    number: int
    assignee_id: uuid.UUID | None
    by_id: uuid.UUID | None
