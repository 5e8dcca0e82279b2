"""What each domain event looks like to an integrator (payload version 1, docs/webhooks.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from baton.conversations.events import (
    ConversationOpened,
    HandoffRequested,
    MessageCreated,
    StatusChanged,
)
from baton.csat.events import CsatSubmitted
from baton.kit.events import DomainEvent
from baton.tickets.events import TicketAssigned, TicketCreated, TicketReplied, TicketStatusChanged

VERSION = 1


def _message(e: MessageCreated) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(e.message)
    return {
        "conversation_id": data.get("conversation_id"),
        "channel": e.channel,
        "status": e.status,
        "message": data,
    }


def _status(e: StatusChanged) -> dict[str, Any]:
    return {
        "conversation_id": str(e.conversation_id),
        "from": e.from_status,
        "to": e.to_status,
        "actor": {"kind": e.actor_kind, "id": str(e.actor_id) if e.actor_id else None},
    }


MAPPERS: dict[type[DomainEvent], tuple[str, Callable[[Any], dict[str, Any]]]] = {
    ConversationOpened: (
        "conversation.created",
        lambda e: {
            "conversation_id": str(e.conversation_id),
            "visitor_id": str(e.visitor_id),
            "channel": e.channel,
            "status": e.status,
        },
    ),
    StatusChanged: ("conversation.status_changed", _status),
    MessageCreated: ("message.created", _message),
    HandoffRequested: (
        "handoff.requested",
        lambda e: {
            "conversation_id": str(e.conversation_id),
            "reason": e.reason,
            "preview": e.preview,
        },
    ),
    TicketCreated: (
        "ticket.created",
        lambda e: {
            "ticket_id": str(e.ticket_id),
            "number": e.number,
            "source": e.source,
            "subject": e.subject,
        },
    ),
    TicketReplied: (
        "ticket.replied",
        lambda e: {
            "ticket_id": str(e.ticket_id),
            "number": e.number,
            "by": e.by,
            "message_id": str(e.message_id),
            "preview": e.preview,
            "reopened": e.reopened,
        },
    ),
    TicketStatusChanged: (
        "ticket.status_changed",
        lambda e: {
            "ticket_id": str(e.ticket_id),
            "number": e.number,
            "from": e.from_status,
            "to": e.to_status,
        },
    ),
    TicketAssigned: (
        "ticket.assigned",
        lambda e: {
            "ticket_id": str(e.ticket_id),
            "number": e.number,
            "assignee_id": str(e.assignee_id) if e.assignee_id else None,
        },
    ),
    CsatSubmitted: (
        "csat.submitted",
        lambda e: {
            "conversation_id": str(e.conversation_id),
            "rating": e.rating,
            "comment": e.comment,
            "channel": e.channel,
            "agent_id": str(e.agent_id) if e.agent_id else None,
            "submitted_at": e.submitted_at,
        },
    ),
}

EVENTS: tuple[str, ...] = tuple(sorted(name for name, _ in MAPPERS.values()))


def matches(subscribed: list[str], event: str) -> bool:
    """``ticket.*`` subscribes to every ticket event; ``*`` to everything."""
    for pattern in subscribed:
        if pattern in ("*", event) or (pattern.endswith(".*") and event.startswith(pattern[:-1])):
            return True
    return False


def valid_pattern(pattern: str) -> bool:
    if pattern == "*" or pattern in EVENTS:
        return True
    return pattern.endswith(".*") and any(e.startswith(pattern[:-1]) for e in EVENTS)
