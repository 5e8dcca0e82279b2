"""Agents hear of new tickets and customers' replies (``new_notification``, kind "ticket"):
a new ticket goes to every agent, a reply to its assignee (or everyone when unassigned). The
stored notification centre can listen to the same events."""

from __future__ import annotations

import uuid
from typing import Any

from baton.kit.events import listen
from baton.realtime.emission import Emission
from baton.realtime.rooms import AGENT_NS, AGENTS_ROOM, user_room
from baton.tickets.events import TicketCreated, TicketReplied


def ticket_notification(user_id: uuid.UUID | None, ticket_id: uuid.UUID, text: str) -> Emission:
    rooms = (AGENTS_ROOM,) if user_id is None else (user_room(user_id),)
    return Emission(
        "new_notification",
        {"kind": "ticket", "ticket_id": str(ticket_id), "text": text[:200]},
        rooms,
        AGENT_NS,
    )


@listen(TicketCreated, name="tickets.notify_created")
def notify_created(runtime: Any, event: TicketCreated) -> list[Emission]:
    return [
        ticket_notification(
            None,
            event.ticket_id,
            f"New ticket #{event.number} from {event.requester}: {event.subject}",
        )
    ]


@listen(TicketReplied, name="tickets.notify_replied", when=lambda e: e.by == "customer")
def notify_replied(runtime: Any, event: TicketReplied) -> list[Emission]:
    verb = "reopened" if event.reopened else "replied to"
    return [
        ticket_notification(
            event.assignee_id,
            event.ticket_id,
            f"The customer {verb} ticket #{event.number}: {event.preview}",
        )
    ]
