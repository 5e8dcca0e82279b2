"""The /agent namespace: conversation actions for agents and integrators.

Thin adapters over the conversations services; ``Actions`` checks each event's permission
against the socket's principal before anything runs.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec

from baton.auth.permissions import Permission
from baton.auth.realtime import socket_principal
from baton.conversations import lifecycle, policy, queries, recipients
from baton.conversations.acks import ConversationAck, MessageAck, PresenceAck
from baton.conversations.models import Conversation
from baton.conversations.replies import add_agent_message
from baton.conversations.schemas import ConversationWithMessages
from baton.conversations.state import Actor
from baton.kit.errors import Forbidden, NotFound, ValidationFailed
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.contract import Ok, WireIds, WireText
from baton.realtime.open_conversations import mark_closed, mark_open
from baton.realtime.rooms import AGENT_NS, AGENTS_ROOM, conversation_room
from baton.users.models import User
from baton.users.service import update_user

actions = Actions(AGENT_NS, principal_of=socket_principal)


class ConversationRef(msgspec.Struct):
    conversation_id: str


class AgentMessageIn(msgspec.Struct):
    conversation_id: str
    client_id: WireText = None
    text: WireText = None
    attachment_ids: WireIds = None  # docs/attachments.md


class NoteIn(msgspec.Struct):
    conversation_id: str
    text: WireText = None
    client_id: WireText = None
    attachment_ids: WireIds = None


class PresenceIn(msgspec.Struct):
    presence: Annotated[
        str, msgspec.Meta(max_length=16, extra_json_schema={"enum": ["online", "away"]})
    ]


def conversation_id_of(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound("no such conversation") from exc


async def _conversation(call: SocketCall, raw_id: str, *, act: bool = False) -> Conversation:
    """The conversation, if the caller may see it (and, with ``act``, work in it)."""
    conversation = await queries.get_conversation(call.uow.session, conversation_id_of(raw_id))
    policy.check_read(call.principal, conversation)
    if act:
        policy.check_act(call.principal, conversation)
    return conversation


async def _answer(call: SocketCall, conversation: Conversation) -> ConversationAck:
    return ConversationAck(conversation=await queries.view(call.uow, conversation))


@actions.on(
    "join_session",
    payload=ConversationRef,
    ack=ConversationWithMessages,
    permission=Permission.CONVERSATIONS_READ,
)
async def join_session(call: SocketCall, ref: ConversationRef) -> ConversationWithMessages:
    conversation = await _conversation(call, ref.conversation_id)
    # join before reading, so nothing committed in between is missed
    await call.enter(conversation_room(conversation.id))
    await mark_open(call, conversation.id)
    messages, _ = await queries.messages_of(
        call.uow.session, conversation.id, include_internal=True, limit=2000
    )
    return ConversationWithMessages(
        await queries.view(call.uow, conversation), queries.message_views(messages)
    )


@actions.on("leave_session", payload=ConversationRef, ack=Ok, uow=False)
async def leave_session(call: SocketCall, ref: ConversationRef) -> dict[str, Any]:
    await call.leave(conversation_room(ref.conversation_id))
    try:
        conversation_id = uuid.UUID(ref.conversation_id)
    except ValueError:
        return {"ok": True}  # not an id: nothing was open under it
    await mark_closed(call, conversation_id)
    return {"ok": True}


@actions.on(
    "take_over",
    payload=ConversationRef,
    ack=ConversationAck,
    permission=Permission.CONVERSATIONS_REPLY,
)
async def take_over(call: SocketCall, ref: ConversationRef) -> ConversationAck:
    # as over REST: someone else's conversation is a 409 "already_assigned", not a 404
    conversation = await queries.get_conversation(
        call.uow.session, conversation_id_of(ref.conversation_id)
    )
    await lifecycle.take_over(call.uow, conversation, Actor.of(call.principal))
    # taking a conversation over means working in it, as after join_session
    await call.enter(conversation_room(conversation.id))
    await mark_open(call, conversation.id)
    return await _answer(call, conversation)


@actions.on(
    "release",
    payload=ConversationRef,
    ack=ConversationAck,
    permission=Permission.CONVERSATIONS_REPLY,
)
async def release(call: SocketCall, ref: ConversationRef) -> ConversationAck:
    conversation = await _conversation(call, ref.conversation_id)
    await lifecycle.release(
        call.uow,
        conversation,
        Actor.of(call.principal),
        may_release_others=call.principal.has(Permission.CONVERSATIONS_ASSIGN),
    )
    return await _answer(call, conversation)


@actions.on(
    "resolve",
    payload=ConversationRef,
    ack=ConversationAck,
    permission=Permission.CONVERSATIONS_RESOLVE,
)
async def resolve(call: SocketCall, ref: ConversationRef) -> ConversationAck:
    conversation = await _conversation(call, ref.conversation_id, act=True)
    await lifecycle.resolve(call.uow, conversation, Actor.of(call.principal))
    return await _answer(call, conversation)


async def _post(call: SocketCall, payload: AgentMessageIn | NoteIn, internal: bool) -> Any:
    conversation = await _conversation(call, payload.conversation_id, act=not internal)
    message, created = await add_agent_message(
        call.uow,
        conversation,
        Actor.of(call.principal),
        text=payload.text,
        client_id=payload.client_id,
        internal=internal,
        attachment_ids=payload.attachment_ids,
    )
    return {
        "id": str(message.id),
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
        "duplicate": not created,
    }


@actions.on(
    "agent_message",
    payload=AgentMessageIn,
    ack=MessageAck,
    permission=Permission.CONVERSATIONS_REPLY,
)
async def agent_message(call: SocketCall, payload: AgentMessageIn) -> dict[str, Any]:
    return await _post(call, payload, internal=False)  # type: ignore[no-any-return]


@actions.on(
    "internal_note", payload=NoteIn, ack=MessageAck, permission=Permission.CONVERSATIONS_REPLY
)
async def internal_note(call: SocketCall, payload: NoteIn) -> dict[str, Any]:
    return await _post(call, payload, internal=True)  # type: ignore[no-any-return]


async def _typing(call: SocketCall, ref: ConversationRef, typing: bool) -> dict[str, Any]:
    conversation = await _conversation(call, ref.conversation_id, act=True)
    emissions = recipients.agent_typing_emissions(conversation.id, call.principal.name, typing)
    for e in emissions:
        await call.runtime.publisher.emit(
            e.event, e.payload, rooms=e.rooms, namespace=e.namespace, skip_sid=call.sid
        )
    return {"ok": True}


@actions.on(
    "typing_start", payload=ConversationRef, ack=Ok, permission=Permission.CONVERSATIONS_REPLY
)
async def typing_start(call: SocketCall, ref: ConversationRef) -> dict[str, Any]:
    return await _typing(call, ref, True)


@actions.on(
    "typing_stop", payload=ConversationRef, ack=Ok, permission=Permission.CONVERSATIONS_REPLY
)
async def typing_stop(call: SocketCall, ref: ConversationRef) -> dict[str, Any]:
    return await _typing(call, ref, False)


@actions.on("set_presence", payload=PresenceIn, ack=PresenceAck)
async def set_presence(call: SocketCall, payload: PresenceIn) -> dict[str, Any]:
    if call.principal.user_id is None:
        raise Forbidden("API keys have no presence")
    if payload.presence not in ("online", "away"):
        raise ValidationFailed("presence must be online or away")
    user = await call.uow.session.get(User, call.principal.user_id)
    if user is None:
        raise NotFound("no such user")
    await update_user(call.uow.session, user, presence=payload.presence)
    call.uow.publish(
        "agent_presence",
        {"user_id": str(user.id), "presence": user.presence},
        rooms=AGENTS_ROOM,
        namespace=AGENT_NS,
    )
    return {"presence": payload.presence}
