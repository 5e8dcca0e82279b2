"""The /agent namespace: conversation actions for agents and integrators."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
import socketio

from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.auth.realtime import socket_principal
from baton.conversations import queries, recipients, service
from baton.conversations.recipients import AGENT_NS, conversation_room
from baton.conversations.schemas import ConversationWithMessages
from baton.conversations.state import Actor
from baton.kit.errors import Forbidden, NotFound, ValidationFailed
from baton.kit.uow import unit_of_work
from baton.kit.validation import convert
from baton.realtime.handlers import acked, error_ack
from baton.runtime import Runtime
from baton.users.models import User
from baton.users.service import update_user


class ConversationRef(msgspec.Struct):
    conversation_id: str


class AgentMessageIn(msgspec.Struct):
    conversation_id: str
    client_id: Any = None
    text: Any = None


class NoteIn(msgspec.Struct):
    conversation_id: str
    text: Any = None
    client_id: Any = None


class PresenceIn(msgspec.Struct):
    presence: Annotated[str, msgspec.Meta(max_length=16)]


def _conversation_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound("no such conversation") from exc


def _require(principal: Principal, permission: Permission) -> None:
    if not principal.has(permission):
        raise Forbidden(f"missing permission: {permission.value}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("text must be a string", code="invalid_text")
    return value


def register(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    ns = AGENT_NS

    def _dump(value: Any) -> Any:
        return msgspec.to_builtins(value)

    @acked
    async def join_session(sid: str, data: Any = None) -> dict[str, Any]:
        ref = convert(data, ConversationRef)
        principal = await socket_principal(sio, sid)
        _require(principal, Permission.CONVERSATIONS_READ)
        async with unit_of_work(runtime) as uow:
            conversation = await queries.get_conversation(
                uow.session, _conversation_id(ref.conversation_id)
            )
            # join before reading, so nothing committed in between is missed
            await sio.enter_room(sid, conversation_room(conversation.id), namespace=ns)
            messages, _ = await queries.messages_of(
                uow.session, conversation.id, include_internal=True, limit=2000
            )
            result = ConversationWithMessages(
                await queries.view(uow.session, conversation), queries.message_views(messages)
            )
        return _dump(result)  # type: ignore[no-any-return]

    @acked
    async def leave_session(sid: str, data: Any = None) -> dict[str, Any]:
        ref = convert(data, ConversationRef)
        await sio.leave_room(sid, conversation_room(ref.conversation_id), namespace=ns)
        return {"ok": True}

    def _action(permission: Permission, run: Any, *, watch: bool = False) -> Any:
        """``watch``: the socket that acted also receives the conversation's live events
        (taking a conversation over means working in it, as after ``join_session``)."""

        @acked
        async def handler(sid: str, data: Any = None) -> dict[str, Any]:
            ref = convert(data, ConversationRef)
            principal = await socket_principal(sio, sid)
            _require(principal, permission)
            async with unit_of_work(runtime) as uow:
                conversation = await queries.get_conversation(
                    uow.session, _conversation_id(ref.conversation_id)
                )
                await run(uow, conversation, principal)
                view = await queries.view(uow.session, conversation)
            if watch:
                await sio.enter_room(sid, conversation_room(conversation.id), namespace=ns)
            return {"conversation": _dump(view)}

        return handler

    async def _take_over(uow: Any, conversation: Any, principal: Principal) -> None:
        await service.take_over(uow, conversation, Actor.of(principal))

    async def _release(uow: Any, conversation: Any, principal: Principal) -> None:
        await service.release(
            uow,
            conversation,
            Actor.of(principal),
            may_release_others=principal.has(Permission.CONVERSATIONS_ASSIGN),
        )

    async def _resolve(uow: Any, conversation: Any, principal: Principal) -> None:
        await service.resolve(uow, conversation, Actor.of(principal))

    async def _post(
        sid: str, payload: AgentMessageIn | NoteIn, *, internal: bool
    ) -> dict[str, Any]:
        principal = await socket_principal(sio, sid)
        _require(principal, Permission.CONVERSATIONS_REPLY)
        async with unit_of_work(runtime) as uow:
            conversation = await queries.get_conversation(
                uow.session, _conversation_id(payload.conversation_id)
            )
            message, created = await service.add_agent_message(
                uow,
                conversation,
                Actor.of(principal),
                text=_text(payload.text),
                client_id=payload.client_id,
                internal=internal,
            )
        return {
            "id": str(message.id),
            "client_id": message.client_id,
            "created_at": message.created_at.isoformat(),
            "duplicate": not created,
        }

    @acked
    async def agent_message(sid: str, data: Any = None) -> dict[str, Any]:
        return await _post(sid, convert(data, AgentMessageIn), internal=False)

    @acked
    async def internal_note(sid: str, data: Any = None) -> dict[str, Any]:
        return await _post(sid, convert(data, NoteIn), internal=True)

    async def _typing(sid: str, data: Any, typing: bool) -> dict[str, Any]:
        ref = convert(data, ConversationRef)
        principal = await socket_principal(sio, sid)
        _require(principal, Permission.CONVERSATIONS_REPLY)
        for e in recipients.agent_typing_emissions(
            _conversation_id(ref.conversation_id), principal.name, typing
        ):
            await runtime.publisher.emit(
                e.event, e.payload, rooms=e.rooms, namespace=e.namespace, skip_sid=sid
            )
        return {"ok": True}

    @acked
    async def typing_start(sid: str, data: Any = None) -> dict[str, Any]:
        return await _typing(sid, data, True)

    @acked
    async def typing_stop(sid: str, data: Any = None) -> dict[str, Any]:
        return await _typing(sid, data, False)

    @acked
    async def set_presence(sid: str, data: Any = None) -> dict[str, Any]:
        payload = convert(data, PresenceIn)
        principal = await socket_principal(sio, sid)
        if principal.user_id is None:
            raise Forbidden("API keys have no presence")
        if payload.presence not in ("online", "away"):
            raise ValidationFailed("presence must be online or away")
        async with unit_of_work(runtime) as uow:
            user = await uow.session.get(User, principal.user_id)
            if user is None:
                raise NotFound("no such user")
            await update_user(uow.session, user, presence=payload.presence)
            uow.publish(
                "agent_presence",
                {"user_id": str(user.id), "presence": user.presence},
                rooms="agents",
                namespace=ns,
            )
        return {"presence": payload.presence}

    async def unknown(event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return error_ack("unknown_event", f"{event!r} is not an agent event")

    for name, handler in {
        "join_session": join_session,
        "leave_session": leave_session,
        "take_over": _action(Permission.CONVERSATIONS_REPLY, _take_over, watch=True),
        "release": _action(Permission.CONVERSATIONS_REPLY, _release),
        "resolve": _action(Permission.CONVERSATIONS_RESOLVE, _resolve),
        "agent_message": agent_message,
        "internal_note": internal_note,
        "typing_start": typing_start,
        "typing_stop": typing_stop,
        "set_presence": set_presence,
    }.items():
        sio.on(name, handler, namespace=ns)
    sio.on("*", unknown, namespace=ns)
