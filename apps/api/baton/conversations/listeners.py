"""Conversation events -> socket emissions (who receives what lives in ``recipients``).

Preparers build, inside the unit of work and once per coalesced event, the read model a
listener sends (the conversation's row, the queue's order).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from baton.conversations import queries, recipients
from baton.conversations.events import (
    ConversationAssigned,
    ConversationChanged,
    ConversationOffered,
    HandoffRequested,
    MessageCreated,
    QueueChanged,
)
from baton.conversations.models import Conversation
from baton.conversations.recipients import Emission
from baton.kit.events import listen, prepare
from baton.kit.uow import UnitOfWork

NOTIFY_ON_ASSIGN = ("assigned", "reassigned")


@prepare(ConversationChanged)
async def conversation_view(uow: UnitOfWork, event: ConversationChanged) -> ConversationChanged:
    if event.view is not None:  # built already (the group-commit path returns the row)
        return event
    conversation = await uow.session.get(Conversation, event.conversation_id)
    if conversation is None:  # deleted in the same unit of work
        return event
    return replace(event, view=await queries.view(uow, conversation))


@prepare(QueueChanged)
async def queue_positions(uow: UnitOfWork, event: QueueChanged) -> QueueChanged:
    positions = await queries.waiting_positions(uow)
    return replace(event, positions=tuple(positions.items()))


@listen(MessageCreated, name="conversations.sockets.message")
def message_sockets(runtime: Any, event: MessageCreated) -> list[Emission]:
    out = recipients.message_emissions(event.message, event.assignee_id)
    message = event.message
    if message.sender == "visitor" and event.status == "agent" and event.assignee_id:
        out.append(
            recipients.notification_emission(
                [event.assignee_id], "message", message.conversation_id, message.text
            )
        )
    return out


@listen(ConversationChanged, name="conversations.sockets.changed")
def conversation_sockets(runtime: Any, event: ConversationChanged) -> list[Emission]:
    if event.view is None:
        return []
    return recipients.conversation_emissions(
        event.view, status_changed=event.status_changed, broadcast=event.broadcast
    )


@listen(QueueChanged, name="conversations.sockets.queue")
def queue_sockets(runtime: Any, event: QueueChanged) -> list[Emission]:
    return [recipients.queue_position_emission(cid, pos) for cid, pos in event.positions]


@listen(HandoffRequested, name="conversations.sockets.handoff")
def handoff_sockets(runtime: Any, event: HandoffRequested) -> list[Emission]:
    return [recipients.notification_emission(None, "waiting", event.conversation_id, event.preview)]


@listen(ConversationOffered, name="conversations.sockets.offered")
def offer_sockets(runtime: Any, event: ConversationOffered) -> list[Emission]:
    return [
        recipients.notification_emission(
            [event.agent_id], "offer", event.conversation_id, event.preview
        )
    ]


@listen(
    ConversationAssigned,
    name="conversations.sockets.assigned",
    when=lambda e: e.reason in NOTIFY_ON_ASSIGN and e.assignee_id is not None,
)
def assigned_sockets(runtime: Any, event: ConversationAssigned) -> list[Emission]:
    assert event.assignee_id is not None
    return [
        recipients.notification_emission(
            [event.assignee_id],
            "assigned",
            event.conversation_id,
            "A conversation was assigned to you",
        )
    ]
