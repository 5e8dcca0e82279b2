"""Conversation events -> socket emissions (who receives what lives in ``recipients``).

Preparers build, inside the unit of work and once per coalesced event, the read model a
listener sends (the conversation's row, the queue's order).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from baton.conversations import queries, recipients
from baton.conversations.events import (
    ConversationChanged,
    MessageCreated,
    QueueChanged,
)
from baton.conversations.models import Conversation
from baton.conversations.recipients import Emission
from baton.kit.events import listen, prepare
from baton.kit.uow import UnitOfWork


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
    return recipients.message_emissions(event.message, event.assignee_id)


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


# Notifications (waiting, offer, assigned, message, mention) are stored and pushed by the
# notifications domain (notifications/listeners.py), each with its stored id.
