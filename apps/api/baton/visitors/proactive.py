"""Proactive chat: an agent starts a conversation with a visitor who is on the site now.

The conversation is the agent's from the first message (status ``agent``, assignee them);
the visitor's widget gets ``agent_initiated_chat`` and opens with that message.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from sqlalchemy import select

from baton.auth.permissions import Permission
from baton.auth.realtime import socket_principal
from baton.conversations import lifecycle, queries
from baton.conversations.models import Conversation
from baton.conversations.replies import add_agent_message
from baton.conversations.state import Actor
from baton.kit.errors import Conflict, Forbidden, NotFound
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.contract import Payload, WireText
from baton.realtime.rooms import AGENT_NS, conversation_room
from baton.visitors.events import ChatInitiated
from baton.visitors.models import VisitorSession
from baton.visitors.presence import presence_of

actions = Actions(AGENT_NS, principal_of=socket_principal)


class InitiateChatIn(msgspec.Struct):
    visitor_id: Annotated[str, msgspec.Meta(max_length=64)]
    text: WireText = None
    client_id: WireText = None


class InitiateChatAck(Payload):
    conversation_id: uuid.UUID
    message_id: uuid.UUID


@actions.on(
    "initiate_chat",
    payload=InitiateChatIn,
    ack=InitiateChatAck,
    permission=Permission.CONVERSATIONS_REPLY,
)
async def initiate_chat(call: SocketCall, payload: InitiateChatIn) -> dict[str, Any]:
    actor = Actor.of(call.principal)
    if actor.kind != "agent":
        raise Forbidden("only a signed-in agent can start a chat", code="forbidden")
    try:
        visitor_id = uuid.UUID(payload.visitor_id)
    except ValueError:
        raise NotFound("no such live visitor", code="visitor_not_live") from None
    if not await presence_of(call.runtime).is_live(str(visitor_id)):
        raise NotFound("the visitor is not on the site now", code="visitor_not_live")
    uow = call.uow
    row = (
        await uow.session.execute(
            select(VisitorSession, Conversation)
            .join(Conversation, Conversation.id == VisitorSession.conversation_id)
            .where(VisitorSession.visitor_id == visitor_id, VisitorSession.ended_at.is_(None))
            .order_by(VisitorSession.last_seen_at.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        raise NotFound("the visitor is not on the site now", code="visitor_not_live")
    conversation = row[1]
    if conversation.status == "agent" and conversation.assignee_id != actor.id:
        raise Conflict("another agent already owns this conversation", code="already_assigned")
    await lifecycle.reopen(uow, conversation, actor)
    await lifecycle.take_over(uow, conversation, actor)
    message, _ = await add_agent_message(
        uow,
        conversation,
        actor,
        text=payload.text,
        client_id=payload.client_id if payload.client_id is not None else uuid.uuid4().hex,
    )
    [view] = queries.message_views([message])
    uow.record(ChatInitiated(conversation.id, msgspec.to_builtins(view)))
    await call.enter(conversation_room(conversation.id))
    return {"conversation_id": str(conversation.id), "message_id": str(message.id)}
