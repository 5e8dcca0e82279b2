"""The /widget namespace: what a website visitor's browser can do."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

import msgspec
import socketio
from sqlalchemy import case, select, update

from baton.conversations import queries, recipients, service
from baton.conversations.bot import schedule_bot_reply
from baton.conversations.handoff import asks_for_person
from baton.conversations.models import Conversation, Visitor, VisitorSession
from baton.conversations.recipients import VISITOR_NS, visitor_room
from baton.conversations.sessions import (
    VisitorInfo,
    apply_visitor_info,
    end_session,
    live_session,
    open_session,
)
from baton.conversations.state import VISITOR, Actor, transition
from baton.db.base import utcnow
from baton.kit.errors import NotFound, Unauthorized, ValidationFailed
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.kit.validation import convert
from baton.realtime.handlers import acked, error_ack
from baton.runtime import Runtime
from baton.users.service import normalise_email
from baton.workspace.service import get_config

log = logging.getLogger(__name__)
HISTORY_LIMIT = 500


class StartSessionIn(msgspec.Struct):
    session_token: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    visitor: VisitorInfo | None = None


class UserMessageIn(msgspec.Struct):
    client_id: Any = None
    text: Any = None
    conversation_id: str | None = None  # optional; must be the session's own


class SyncIn(msgspec.Struct):
    after_id: str | None = None


class VisitorJoinIn(msgspec.Struct):
    page_url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    title: Annotated[str, msgspec.Meta(max_length=300)] | None = None


class LeaveEmailIn(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=320)]


def _public(messages: list[Any]) -> list[dict[str, Any]]:
    return [msgspec.to_builtins(m) for m in queries.message_views(messages)]


async def live_visitors(uow: UnitOfWork, limit: int = 100) -> list[dict[str, Any]]:
    """Visitors with the widget open right now (newest activity first)."""
    rows = await uow.session.execute(
        select(VisitorSession, Visitor)
        .join(Visitor, Visitor.id == VisitorSession.visitor_id)
        .where(VisitorSession.connected > 0, VisitorSession.ended_at.is_(None))
        .order_by(VisitorSession.last_seen_at.desc())
        .limit(limit)
    )
    return [
        {
            "visitor_id": str(v.id),
            "name": v.name,
            "page_url": v.page_url,
            "page_title": v.page_title,
            "conversation_id": str(s.conversation_id),
            "connected_at": s.last_seen_at.isoformat(),
        }
        for s, v in rows.all()
    ]


def register(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    ns = VISITOR_NS

    async def current(sid: str) -> dict[str, Any]:
        state: dict[str, Any] = await sio.get_session(sid, namespace=ns)
        if not state.get("session_id"):
            raise Unauthorized("call start_session first", code="no_session")
        return state

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await sio.save_session(
            sid, {"user_agent": environ.get("HTTP_USER_AGENT", "")}, namespace=ns
        )

    async def disconnect(sid: str, *_: Any) -> None:
        state = await sio.get_session(sid, namespace=ns)
        if not state.get("session_id"):
            return
        async with unit_of_work(runtime) as uow:
            # a plain UPDATE: the session row may be gone (deleted visitor), which is fine
            await uow.session.execute(
                update(VisitorSession)
                .where(VisitorSession.id == state["session_id"])
                .values(
                    connected=case(
                        (VisitorSession.connected > 0, VisitorSession.connected - 1), else_=0
                    ),
                    last_seen_at=utcnow(),
                )
            )
            service.emit(uow, [recipients.live_visitors_emission(await live_visitors(uow))])

    @acked
    async def start_session(sid: str, data: Any = None) -> dict[str, Any]:
        payload = convert(data, StartSessionIn)
        state = await sio.get_session(sid, namespace=ns)
        async with unit_of_work(runtime) as uow:
            if state.get("session_id"):  # switching sessions on one socket: release the old one
                old = await uow.session.get(VisitorSession, state["session_id"])
                if old is not None:
                    old.connected = max(0, old.connected - 1)
            info = payload.visitor
            if state.get("page"):
                seen = VisitorInfo(**state["page"])
                info = msgspec.structs.replace(
                    info or seen,
                    page_url=(info.page_url if info and info.page_url else seen.page_url),
                    page_title=(info.page_title if info and info.page_title else seen.page_title),
                )
            opened = await open_session(
                uow, token=payload.session_token, info=info, user_agent=state.get("user_agent")
            )
            opened.session.connected += 1
            messages, _ = await queries.messages_of(
                uow.session, opened.conversation.id, include_internal=False, limit=HISTORY_LIMIT
            )
            position = await queries.queue_position(uow.session, opened.conversation)
            config = await get_config(uow.session)
            service.emit(uow, [recipients.live_visitors_emission(await live_visitors(uow))])
            if opened.visitor.name or opened.visitor.email:
                await service.publish_conversation(uow, opened.conversation, status_changed=False)
        if state.get("conversation_id") and state["conversation_id"] != str(opened.conversation.id):
            await sio.leave_room(sid, visitor_room(state["conversation_id"]), namespace=ns)
        await sio.enter_room(sid, visitor_room(opened.conversation.id), namespace=ns)
        await sio.save_session(
            sid,
            {
                **state,
                "session_id": opened.session.id,
                "conversation_id": str(opened.conversation.id),
                "visitor_id": str(opened.visitor.id),
            },
            namespace=ns,
        )
        return {
            "session_token": opened.token,
            "conversation_id": str(opened.conversation.id),
            "visitor_id": str(opened.visitor.id),
            "status": opened.conversation.status,
            "queue_position": position,
            "resumed": opened.resumed,
            "welcome": config.welcome_message,
            "messages": _public(messages),
        }

    @acked
    async def user_message(sid: str, data: Any = None) -> dict[str, Any]:
        payload = convert(data, UserMessageIn)
        state = await current(sid)
        if (
            payload.conversation_id is not None
            and payload.conversation_id != state["conversation_id"]
        ):
            raise NotFound("no such conversation")
        if not isinstance(payload.text, str):
            raise ValidationFailed("text must be a string", code="invalid_text")
        async with unit_of_work(runtime) as uow:
            _, conversation = await live_session(uow, state["session_id"])
            message, created = await service.add_visitor_message(
                uow, conversation, text=payload.text, client_id=payload.client_id
            )
            if created:
                await _after_visitor_message(uow, conversation, message.id, message.text)
        return {
            "id": str(message.id),
            "client_id": message.client_id,
            "created_at": message.created_at.isoformat(),
            "duplicate": not created,
        }

    async def _after_visitor_message(
        uow: UnitOfWork, conversation: Conversation, message_id: Any, text: str
    ) -> None:
        config = await get_config(uow.session)
        if conversation.status == "bot" and asks_for_person(text, config.handoff_phrases):
            # the queue message answers this one; the AI helps again with the next question
            await service.request_handoff(uow, conversation, VISITOR, reason="visitor_phrase")
            return
        if await service.ai_may_answer(uow, conversation):
            conversation_id = conversation.id
            uow.after_commit(_schedule(conversation_id, message_id))

    def _schedule(conversation_id: Any, message_id: Any) -> Any:
        async def hook() -> None:
            schedule_bot_reply(runtime, conversation_id, message_id)

        return hook

    @acked
    async def request_agent(sid: str, data: Any = None) -> dict[str, Any]:
        state = await current(sid)
        async with unit_of_work(runtime) as uow:
            _, conversation = await live_session(uow, state["session_id"])
            if conversation.status == "resolved":
                await transition(uow, conversation, "bot", VISITOR, reason="visitor_returned")
            return await service.request_handoff(
                uow, conversation, VISITOR, reason="visitor_request"
            )

    @acked
    async def sync(sid: str, data: Any = None) -> dict[str, Any]:
        payload = convert(data, SyncIn)
        state = await current(sid)
        after = None
        if payload.after_id:
            try:
                after = uuid.UUID(payload.after_id)
            except ValueError as exc:
                raise ValidationFailed("after_id must be a message id") from exc
        async with unit_of_work(runtime) as uow:
            _, conversation = await live_session(uow, state["session_id"])
            messages, _ = await queries.messages_of(
                uow.session,
                conversation.id,
                include_internal=False,
                after=after,
                limit=HISTORY_LIMIT,
            )
            return {
                "status": conversation.status,
                "queue_position": await queries.queue_position(uow.session, conversation),
                "messages": _public(messages),
            }

    async def _typing(sid: str, typing: bool) -> dict[str, Any]:
        state = await current(sid)
        emission = recipients.visitor_typing_emission(uuid.UUID(state["conversation_id"]), typing)
        await runtime.publisher.emit(
            emission.event, emission.payload, rooms=emission.rooms, namespace=emission.namespace
        )
        return {"ok": True}

    @acked
    async def typing_start(sid: str, data: Any = None) -> dict[str, Any]:
        return await _typing(sid, True)

    @acked
    async def typing_stop(sid: str, data: Any = None) -> dict[str, Any]:
        return await _typing(sid, False)

    @acked
    async def visitor_join(sid: str, data: Any = None) -> dict[str, Any]:
        payload = convert(data, VisitorJoinIn)
        state = await sio.get_session(sid, namespace=ns)
        if not state.get("session_id"):
            # a page view before start_session: remembered, applied when the session starts
            page = {"page_url": payload.page_url, "page_title": payload.title}
            await sio.save_session(sid, {**state, "page": page}, namespace=ns)
            return {"ok": True}
        async with unit_of_work(runtime) as uow:
            vs, conversation = await live_session(uow, state["session_id"])
            visitor = await uow.session.get(Visitor, vs.visitor_id)
            assert visitor is not None
            apply_visitor_info(
                visitor, VisitorInfo(page_url=payload.page_url, page_title=payload.title)
            )
            await uow.session.flush()
            service.emit(uow, [recipients.live_visitors_emission(await live_visitors(uow))])
            if conversation.last_message_at is not None:
                await service.publish_conversation(uow, conversation, status_changed=False)
        return {"ok": True}

    @acked
    async def leave_email(sid: str, data: Any = None) -> dict[str, Any]:
        payload = convert(data, LeaveEmailIn)
        state = await current(sid)
        email = normalise_email(payload.email)
        async with unit_of_work(runtime) as uow:
            vs, conversation = await live_session(uow, state["session_id"])
            visitor = await uow.session.get(Visitor, vs.visitor_id)
            assert visitor is not None
            visitor.email = visitor.email or email
            conversation.follow_up_email = email
            await service.add_system_message(
                uow, conversation, f"Thanks! We'll follow up at {email}.", {"kind": "follow_up"}
            )
            await service.publish_conversation(uow, conversation, status_changed=False)
        return {"ok": True}

    @acked
    async def end_session_handler(sid: str, data: Any = None) -> dict[str, Any]:
        state = await current(sid)
        async with unit_of_work(runtime) as uow:
            vs, conversation = await live_session(uow, state["session_id"])
            if conversation.status != "resolved" and conversation.last_message_at is not None:
                await service.resolve(
                    uow, conversation, Actor("visitor", name="Visitor"), reason="visitor_ended"
                )
            await end_session(vs, "ended")
            vs.connected = max(0, vs.connected - 1)
        await sio.leave_room(sid, visitor_room(state["conversation_id"]), namespace=ns)
        await sio.save_session(sid, {"user_agent": state.get("user_agent")}, namespace=ns)
        return {"ok": True}

    async def unknown(event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return error_ack("unknown_event", f"{event!r} is not a visitor event")

    sio.on("connect", connect, namespace=ns)
    sio.on("disconnect", disconnect, namespace=ns)
    for name, handler in {
        "start_session": start_session,
        "user_message": user_message,
        "request_agent": request_agent,
        "sync": sync,
        "typing_start": typing_start,
        "typing_stop": typing_stop,
        "visitor_join": visitor_join,
        "leave_email": leave_email,
        "end_session": end_session_handler,
    }.items():
        sio.on(name, handler, namespace=ns)
    sio.on("*", unknown, namespace=ns)
