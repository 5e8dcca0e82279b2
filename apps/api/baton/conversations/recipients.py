"""Who receives what. The one place that maps a conversation change to rooms and events.

Visitors receive only their own conversation's public messages and status; internal notes
and agent-side events never reach a visitor room.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from baton.conversations.schemas import ConversationOut, MessageOut
from baton.realtime.emission import Emission
from baton.realtime.rooms import (
    AGENT_NS,
    AGENTS_ROOM,
    INBOX_ALL_ROOM,
    SCOPED_AGENTS_ROOM,
    VISITOR_NS,
    conversation_room,
    user_room,
    visitor_room,
)
from baton.realtime.server_events import (
    AgentMessage,
    AgentName,
    BotMessage,
    BotStream,
    BotStreamCancelled,
    ConversationHidden,
    ConversationUpdated,
    MessageCreated,
    StatusChanged,
    SystemMessage,
    Typing,
    VisitorMessage,
    WidgetBotStream,
    WidgetBotStreamCancelled,
    WidgetTyping,
)

__all__ = ["AGENT_NS", "VISITOR_NS", "Emission", "conversation_room", "visitor_room"]


def _public(message: MessageOut) -> Any:
    """What a visitor sees of one of their conversation's messages, as its event's struct."""
    base: dict[str, Any] = {
        "id": message.id,
        "text": message.text,
        "created_at": message.created_at,
    }
    if message.attachments:
        base["attachments"] = message.attachments
    if message.sender == "visitor":
        return "visitor_message", VisitorMessage(**base, client_id=message.client_id)
    if message.sender == "bot":
        return "bot_message", BotMessage(
            **base, suggestions=list(message.suggestions), source=message.meta.get("source")
        )
    if message.sender == "agent":
        name = message.author.name if message.author else "Agent"
        return "agent_message", AgentMessage(**base, agent=AgentName(name=name))
    # the widget offers the offline form instead of a countdown when nobody is online
    extra = {k: message.meta[k] for k in ("kind", "agents_online") if k in message.meta}
    return "system_message", SystemMessage(**base, **extra)


def message_emissions(message: MessageOut, assignee_id: uuid.UUID | None) -> list[Emission]:
    out: list[Emission] = []
    cid = message.conversation_id
    if not message.internal:
        event, payload = _public(message)
        out.append(Emission(event, payload, (visitor_room(cid),), VISITOR_NS))
    agent_rooms = [conversation_room(cid)]
    if assignee_id is not None:
        agent_rooms.append(user_room(assignee_id))
    out.append(
        Emission("message_created", MessageCreated(message=message), tuple(agent_rooms), AGENT_NS)
    )
    return out


def inbox_rooms(conversation: ConversationOut, *, broadcast: bool) -> tuple[str, ...]:
    """Who needs a conversation's row in their inbox.

    Every agent sees the queue and the AI's conversations (Waiting / Unassigned tabs). A
    conversation a person owns is read by its owner, whoever has it open and the callers who
    read every conversation; sending each of its messages to every agent would also turn 100
    messages a second into 100 x (agents) socket writes. When it changes status or owner the
    other agents are told only that it left their view (``conversation_hidden``), as a
    REST read of it would be a 404 for them.
    """
    if conversation.status in ("bot", "waiting") or (broadcast and conversation.assignee is None):
        return (AGENTS_ROOM,)
    # a person's conversation: its row goes to who may read it; the change of status or owner
    # reaches the other agents as ``conversation_hidden`` (``conversation_emissions``)
    rooms = [INBOX_ALL_ROOM, conversation_room(conversation.id)]
    if conversation.assignee is not None:
        rooms.append(user_room(conversation.assignee.id))
    return tuple(rooms)


def conversation_emissions(
    conversation: ConversationOut, *, status_changed: bool, broadcast: bool | None = None
) -> list[Emission]:
    broadcast = status_changed if broadcast is None else broadcast
    rooms = inbox_rooms(conversation, broadcast=broadcast)
    updated = ConversationUpdated(conversation=conversation)
    out: list[Emission] = []
    if broadcast and AGENTS_ROOM not in rooms and conversation.assignee is not None:
        hidden = ConversationHidden(
            conversation_id=conversation.id,
            status=conversation.status,
            assignee_id=conversation.assignee.id,
        )
        out.append(Emission("conversation_hidden", hidden, (SCOPED_AGENTS_ROOM,), AGENT_NS))
    out.append(Emission("conversation_updated", updated, rooms, AGENT_NS))
    if status_changed:
        out.append(
            Emission(
                "status_changed",
                msgspec.convert(
                    {"status": conversation.status, "queue_position": conversation.queue_position},
                    StatusChanged,
                ),
                (visitor_room(conversation.id),),
                VISITOR_NS,
            )
        )
    return out


def queue_position_emission(conversation_id: uuid.UUID, position: int) -> Emission:
    return Emission(
        "status_changed",
        StatusChanged(status="waiting", queue_position=position),
        (visitor_room(conversation_id),),
        VISITOR_NS,
    )


def visitor_typing_emission(conversation_id: uuid.UUID, typing: bool) -> Emission:
    return Emission(
        "display_typing",
        Typing(conversation_id=conversation_id, sender="visitor", typing=typing),
        (conversation_room(conversation_id),),
        AGENT_NS,
    )


def agent_typing_emissions(conversation_id: uuid.UUID, name: str, typing: bool) -> list[Emission]:
    return [
        Emission(
            "display_typing",
            WidgetTyping(sender="agent", typing=typing, name=name),
            (visitor_room(conversation_id),),
            VISITOR_NS,
        ),
        Emission(
            "display_typing",
            Typing(conversation_id=conversation_id, sender="agent", typing=typing, name=name),
            (conversation_room(conversation_id),),
            AGENT_NS,
        ),
    ]


def bot_stream_emissions(
    conversation_id: uuid.UUID, message_id: uuid.UUID, delta: str
) -> list[Emission]:
    return [
        Emission(
            "bot_stream",
            WidgetBotStream(message_id=message_id, delta=delta),
            (visitor_room(conversation_id),),
            VISITOR_NS,
        ),
        Emission(
            "bot_stream",
            BotStream(conversation_id=conversation_id, message_id=message_id, delta=delta),
            (conversation_room(conversation_id),),
            AGENT_NS,
        ),
    ]


def bot_stream_cancel_emissions(
    conversation_id: uuid.UUID, message_id: uuid.UUID
) -> list[Emission]:
    """A streamed answer that will not be stored (a person took over): clients drop it."""
    return [
        Emission(
            "bot_stream_cancelled",
            WidgetBotStreamCancelled(message_id=message_id),
            (visitor_room(conversation_id),),
            VISITOR_NS,
        ),
        Emission(
            "bot_stream_cancelled",
            BotStreamCancelled(conversation_id=conversation_id, message_id=message_id),
            (conversation_room(conversation_id),),
            AGENT_NS,
        ),
    ]


def bot_typing_emission(conversation_id: uuid.UUID, typing: bool) -> Emission:
    return Emission(
        "display_typing",
        WidgetTyping(sender="bot", typing=typing),
        (visitor_room(conversation_id),),
        VISITOR_NS,
    )
