"""The /widget namespace: what a website visitor's browser can do.

Thin adapters: each event decodes its payload, finds the socket's visitor session and calls
the visitors and conversations services (the visitor's messages go through ``inbound``).
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

import msgspec
from socketio.exceptions import ConnectionRefusedError
from sqlalchemy import select

from baton.attachments import service as attachments
from baton.conversations import lifecycle, queries
from baton.conversations.acks import (
    HandoffAck,
    HistoryAck,
    MessageAck,
    StartSessionAck,
    SyncAck,
)
from baton.conversations.batch import InboundBatcher, Incoming
from baton.conversations.events import ConversationChanged
from baton.conversations.inbound import receive_visitor_message
from baton.conversations.messages import (
    add_system_message,
    check_client_id,
    check_text_within,
    existing,
)
from baton.conversations.models import Conversation
from baton.conversations.recipients import visitor_typing_emission
from baton.conversations.schemas import VisitorOut
from baton.conversations.state import VISITOR, Actor
from baton.hours.availability import availability
from baton.hours.queue import queue_eta
from baton.kit.errors import NotFound, RateLimited, Unauthorized, ValidationFailed
from baton.kit.uow import unit_of_work
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.contract import Ok, WireIds, WireText
from baton.realtime.rooms import VISITOR_NS, visitor_room
from baton.users.service import normalise_email
from baton.visitors import identity, limits
from baton.visitors import service as visitors
from baton.visitors.models import Visitor, VisitorSession
from baton.visitors.presence import presence_of
from baton.visitors.sessions import (
    TOUCH_EVERY,
    VisitorInfo,
    end_session,
    live_session,
    open_session,
)
from baton.widget.welcome import welcome_for
from baton.workspace.service import get_config

HISTORY_LIMIT = 500

actions = Actions(VISITOR_NS)


class StartSessionIn(msgspec.Struct):
    session_token: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    visitor: VisitorInfo | None = None
    identity_hash: Annotated[str, msgspec.Meta(max_length=128)] | None = None


class HistoryIn(msgspec.Struct):
    conversation_id: str


class UserMessageIn(msgspec.Struct):
    client_id: WireText = None
    text: WireText = None
    conversation_id: str | None = None  # optional; must be the session's own
    attachment_ids: WireIds = None  # the visitor's own uploads (docs/attachments.md)


class SyncIn(msgspec.Struct):
    after_id: str | None = None


class VisitorJoinIn(msgspec.Struct):
    page_url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    title: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    referrer: Annotated[str, msgspec.Meta(max_length=2048)] | None = None


class LeaveEmailIn(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=320)]


def _public(messages: list[Any]) -> list[dict[str, Any]]:
    return [msgspec.to_builtins(m) for m in queries.message_views(messages)]


async def _current(call: SocketCall) -> dict[str, Any]:
    state = await call.session()
    if not state.get("session_id"):
        raise Unauthorized("call start_session first", code="no_session")
    return state


async def _visitor_of(call: SocketCall, vs: VisitorSession) -> Visitor:
    visitor = await call.uow.session.get(Visitor, vs.visitor_id)
    assert visitor is not None
    return visitor


@actions.on_connect
async def connect(call: SocketCall, environ: dict[str, Any], auth: Any = None) -> None:
    address = limits.client_address(environ)
    try:
        await limits.connection(call.runtime, address)
    except RateLimited as exc:
        raise ConnectionRefusedError(exc.body()) from None
    await call.save({"user_agent": environ.get("HTTP_USER_AGENT", ""), "address": address})


@actions.on_disconnect
async def disconnect(call: SocketCall, *_: Any) -> None:
    state = await call.session()
    gone = await presence_of(call.runtime).leave(call.sid)
    if state.get("session_id") or gone:
        async with unit_of_work(call.runtime) as uow:
            if state.get("session_id"):
                await visitors.disconnected(uow, state["session_id"])
            if gone:
                visitors.left(uow, uuid.UUID(gone))


@actions.on("start_session", payload=StartSessionIn, ack=StartSessionAck)
async def start_session(call: SocketCall, payload: StartSessionIn) -> dict[str, Any]:
    uow = call.uow
    state = await call.session()
    if not payload.session_token:  # resuming costs nothing; a new visitor is rows and a room
        await limits.session(call.runtime, state.get("address", "unknown"))
    if state.get("session_id"):  # switching sessions on one socket: release the old one
        old = await uow.session.get(VisitorSession, state["session_id"])
        if old is not None:
            visitors.released(uow, old)
    info = payload.visitor
    if state.get("page"):  # a page view reported before the session started
        seen = VisitorInfo(**state["page"])
        info = msgspec.structs.replace(
            info or seen,
            page_url=(info.page_url if info and info.page_url else seen.page_url),
            page_title=(info.page_title if info and info.page_title else seen.page_title),
            referrer=(info.referrer if info and info.referrer else seen.referrer),
        )
    verified = None
    config = await get_config(uow.session)
    external_id = payload.visitor.external_id if payload.visitor else None
    if external_id and config.identity_verification:
        await identity.verify(uow, external_id, payload.identity_hash)
        verified = await identity.verified_visitor(uow, external_id)
    opened = await open_session(
        uow,
        token=payload.session_token,
        info=info,
        user_agent=state.get("user_agent"),
        verified=verified,
    )
    presence = presence_of(call.runtime)
    joined, switched_from = await presence.join(str(opened.visitor.id), call.sid)
    if switched_from:
        visitors.left(uow, uuid.UUID(switched_from))
    pages = await presence.count_page(str(opened.visitor.id))
    visitors.connected(uow, opened.visitor, opened.session, joined=joined, pages_viewed=pages)
    messages, _ = await queries.messages_of(
        uow.session, opened.conversation.id, include_internal=False, limit=HISTORY_LIMIT
    )
    position = await queries.queue_position_in(uow, opened.conversation)
    if opened.visitor.name or opened.visitor.email:
        uow.record(ConversationChanged(opened.conversation.id))
    if state.get("conversation_id") and state["conversation_id"] != str(opened.conversation.id):
        await call.leave(visitor_room(state["conversation_id"]))
    await call.enter(visitor_room(opened.conversation.id))
    await call.save(
        {
            "user_agent": state.get("user_agent"),
            "address": state.get("address", "unknown"),
            "session_id": opened.session.id,
            "conversation_id": str(opened.conversation.id),
            "visitor_id": str(opened.visitor.id),
            "visitor": VisitorOut.of(opened.visitor),
            "checked_at": time.monotonic(),
            "verified": verified is not None,
        }
    )
    past = (
        await _past_conversations(call, opened.visitor.id, opened.conversation.id)
        if verified is not None
        else []
    )
    return {
        "verified": verified is not None,
        "past_conversations": past,
        "session_token": opened.token,
        "conversation_id": str(opened.conversation.id),
        "visitor_id": str(opened.visitor.id),
        "status": opened.conversation.status,
        "queue_position": position,
        "waiting_since": msgspec.to_builtins(opened.conversation.waiting_since),
        "resumed": opened.resumed,
        "welcome": welcome_for(config.welcome_message, opened.visitor, opened.conversation.id),
        "messages": _public(messages),
    }


async def _past_conversations(
    call: SocketCall, visitor_id: uuid.UUID, current: uuid.UUID
) -> list[dict[str, Any]]:
    rows = await call.uow.session.scalars(
        select(Conversation)
        .where(
            Conversation.visitor_id == visitor_id,
            Conversation.id != current,
            Conversation.last_message_at.is_not(None),
        )
        .order_by(Conversation.updated_at.desc())
        .limit(20)
    )
    return [
        {
            "id": str(c.id),
            "status": c.status,
            "last_message": c.last_message_text,
            "updated_at": c.updated_at.isoformat(),
        }
        for c in rows
    ]


@actions.on("history", payload=HistoryIn, ack=HistoryAck)
async def history(call: SocketCall, payload: HistoryIn) -> dict[str, Any]:
    """A verified visitor reads one of their past conversations."""
    state = await _current(call)
    if not state.get("verified"):
        raise NotFound("no such conversation")
    vs, _ = await live_session(call.uow, state["session_id"])
    try:
        conversation_id = uuid.UUID(payload.conversation_id)
    except ValueError as exc:
        raise NotFound("no such conversation") from exc
    conversation = await call.uow.session.get(Conversation, conversation_id)
    if conversation is None or conversation.visitor_id != vs.visitor_id:
        raise NotFound("no such conversation")
    messages, _ = await queries.messages_of(
        call.uow.session, conversation.id, include_internal=False, limit=HISTORY_LIMIT
    )
    return {
        "conversation_id": str(conversation.id),
        "status": conversation.status,
        "messages": _public(messages),
    }


@actions.on("user_message", payload=UserMessageIn, ack=MessageAck, uow=False)
async def user_message(call: SocketCall, payload: UserMessageIn) -> dict[str, Any]:
    """The hot path: validated here, stored by the group-commit writer (``batch``), acked
    once its transaction has committed."""
    state = await _current(call)
    if payload.conversation_id is not None and payload.conversation_id != state["conversation_id"]:
        raise NotFound("no such conversation")
    if payload.attachment_ids:  # rare: not the group-commit path
        return await _message_with_attachments(call, state, payload)
    text = check_text_within(payload.text, call.runtime.settings.max_message_chars)
    client_id = check_client_id(payload.client_id)
    await limits.message(call.runtime, state["session_id"], state.get("address", "unknown"))
    now = time.monotonic()
    checked = now - state.get("checked_at", 0.0) < TOUCH_EVERY.total_seconds()
    stored = await call.runtime.slot(InboundBatcher).submit(
        call.runtime,
        Incoming(
            session_id=state["session_id"],
            conversation_id=uuid.UUID(state["conversation_id"]),
            visitor=state["visitor"],
            text=text,
            client_id=client_id,
            checked=checked,
        ),
    )
    if not checked:
        await call.save({**state, "checked_at": now})
    return {
        "id": str(stored.id),
        "client_id": stored.client_id,
        "created_at": stored.created_at.isoformat(),
        "duplicate": not stored.created,
    }


async def _message_with_attachments(
    call: SocketCall, state: dict[str, Any], payload: UserMessageIn
) -> dict[str, Any]:
    """A visitor's message carrying uploads: stored through ``inbound`` in its own unit of
    work; the uploads must be this visitor's, in this conversation, on no message yet."""
    ids = attachments.parse_ids(payload.attachment_ids)
    client_id = check_client_id(payload.client_id)
    await limits.message(call.runtime, state["session_id"], state.get("address", "unknown"))
    async with unit_of_work(call.runtime) as uow:
        vs, conversation = await live_session(uow, state["session_id"])
        found = await existing(uow, conversation.id, client_id)
        if found is not None and found.sender == "visitor":
            stored, created = found, False
        else:
            files = await attachments.for_message(
                uow, attachments.Owner("visitor", vs.visitor_id), conversation, ids
            )
            text = check_text_within(
                attachments.text_with(files, payload.text), call.runtime.settings.max_message_chars
            )
            stored, created = await receive_visitor_message(
                uow,
                conversation,
                text=text,
                client_id=client_id,
                channel="widget",
                meta=attachments.meta_of(files),
            )
            if created:
                await attachments.claim(uow, files, stored.id)
    return {
        "id": str(stored.id),
        "client_id": stored.client_id,
        "created_at": stored.created_at.isoformat(),
        "duplicate": not created,
    }


@actions.on("request_agent", ack=HandoffAck)
async def request_agent(call: SocketCall) -> dict[str, Any]:
    state = await _current(call)
    await limits.event(call.runtime, str(state["session_id"]))
    _, conversation = await live_session(call.uow, state["session_id"])
    await lifecycle.reopen(call.uow, conversation, VISITOR)
    if conversation.status not in ("waiting", "agent"):
        # outside business hours nobody is queued: the AI keeps answering, the widget
        # offers the offline form
        status = await availability(call.uow)
        if not status.online:
            return {
                "status": conversation.status,
                "offline": True,
                "next_open_at": status.next_open_at.isoformat() if status.next_open_at else None,
                "queue_position": None,
                "agents_online": status.agents_online,
            }
    result = await lifecycle.request_handoff(
        call.uow, conversation, VISITOR, reason="visitor_request"
    )
    ack: dict[str, Any] = {
        "status": result.status,
        "queue_position": result.queue_position,
        "agents_online": result.agents_online,
    }
    eta = await queue_eta(call.uow, result.queue_position)
    if eta is not None:  # only when recent pickups give a basis
        ack["eta_seconds"] = eta
    return ack


@actions.on("sync", payload=SyncIn, ack=SyncAck)
async def sync(call: SocketCall, payload: SyncIn) -> dict[str, Any]:
    state = await _current(call)
    await limits.event(call.runtime, str(state["session_id"]))
    after = None
    if payload.after_id:
        try:
            after = uuid.UUID(payload.after_id)
        except ValueError as exc:
            raise ValidationFailed("after_id must be a message id") from exc
    _, conversation = await live_session(call.uow, state["session_id"])
    messages, _ = await queries.messages_of(
        call.uow.session,
        conversation.id,
        include_internal=False,
        after=after,
        limit=HISTORY_LIMIT,
    )
    return {
        "status": conversation.status,
        "queue_position": await queries.queue_position_in(call.uow, conversation),
        "messages": _public(messages),
    }


async def _typing(call: SocketCall, typing: bool) -> dict[str, Any]:
    state = await _current(call)
    await limits.event(call.runtime, str(state["session_id"]))
    e = visitor_typing_emission(uuid.UUID(state["conversation_id"]), typing)
    await call.runtime.publisher.emit(e.event, e.payload, rooms=e.rooms, namespace=e.namespace)
    return {"ok": True}


@actions.on("typing_start", ack=Ok, uow=False)
async def typing_start(call: SocketCall) -> dict[str, Any]:
    return await _typing(call, True)


@actions.on("typing_stop", ack=Ok, uow=False)
async def typing_stop(call: SocketCall) -> dict[str, Any]:
    return await _typing(call, False)


@actions.on("visitor_join", payload=VisitorJoinIn, ack=Ok)
async def visitor_join(call: SocketCall, payload: VisitorJoinIn) -> dict[str, Any]:
    state = await call.session()
    await limits.event(call.runtime, str(state.get("session_id") or call.sid))
    if not state.get("session_id"):
        # a page view before start_session: remembered, applied when the session starts
        page = {"page_url": payload.page_url, "page_title": payload.title}
        if payload.referrer:
            page["referrer"] = payload.referrer
        await call.save({**state, "page": page})
        return {"ok": True}
    vs, conversation = await live_session(call.uow, state["session_id"])
    visitor = await _visitor_of(call, vs)
    moved = payload.page_url is not None and payload.page_url != visitor.page_url
    presence = presence_of(call.runtime)
    pages = (await presence.count_page(str(visitor.id))) if moved else None
    changed = visitors.viewed_page(
        call.uow,
        visitor,
        vs,
        page_url=payload.page_url,
        title=payload.title,
        referrer=payload.referrer,
        pages_viewed=pages or (await presence.pages([str(visitor.id)])).get(str(visitor.id), 0),
    )
    if changed:
        await call.save({**state, "visitor": VisitorOut.of(visitor)})
        if conversation.last_message_at is not None:
            call.uow.record(ConversationChanged(conversation.id))
    return {"ok": True}


@actions.on("leave_email", payload=LeaveEmailIn, ack=Ok)
async def leave_email(call: SocketCall, payload: LeaveEmailIn) -> dict[str, Any]:
    state = await _current(call)
    await limits.event(call.runtime, str(state["session_id"]))
    email = normalise_email(payload.email)
    vs, conversation = await live_session(call.uow, state["session_id"])
    visitor = await _visitor_of(call, vs)
    visitor.email = visitor.email or email
    conversation.follow_up_email = email
    await call.save({**state, "visitor": VisitorOut.of(visitor)})
    await add_system_message(
        call.uow, conversation, f"Thanks! We'll follow up at {email}.", {"kind": "follow_up"}
    )
    return {"ok": True}


@actions.on("end_session", ack=Ok)
async def end_session_handler(call: SocketCall) -> dict[str, Any]:
    state = await _current(call)
    vs, conversation = await live_session(call.uow, state["session_id"])
    await _end(call, vs, conversation)
    await call.leave(visitor_room(state["conversation_id"]))
    await call.save({"user_agent": state.get("user_agent"), "address": state.get("address")})
    return {"ok": True}


async def _end(call: SocketCall, vs: VisitorSession, conversation: Conversation) -> None:
    if conversation.status != "resolved" and conversation.last_message_at is not None:
        await lifecycle.resolve(
            call.uow, conversation, Actor("visitor", name="Visitor"), reason="visitor_ended"
        )
    await end_session(vs, "ended")
    visitors.released(call.uow, vs)
    gone = await presence_of(call.runtime).leave(call.sid)
    if gone:
        visitors.left(call.uow, uuid.UUID(gone))
