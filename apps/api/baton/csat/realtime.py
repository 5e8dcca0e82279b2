"""The widget's ``csat`` event: the visitor rates the conversation their session owns."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import socketio

from baton.csat import service
from baton.kit.errors import NotFound, Unauthorized
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.contract import Payload, WireInt, WireText
from baton.realtime.rooms import VISITOR_NS
from baton.runtime import Runtime
from baton.visitors import limits
from baton.visitors.sessions import live_session
from baton.workspace.service import get_config

actions = Actions(VISITOR_NS)


class CsatIn(msgspec.Struct):
    rating: WireInt = None  # checked by the service: a whole number 1..5 (else invalid_rating)
    comment: WireText = None
    conversation_id: str | None = None  # optional; must be the session's own


class CsatAck(Payload):
    ok: bool
    conversation_id: uuid.UUID
    rating: int


class CsatStatusAck(Payload):
    """Whether the session's conversation waits for a rating (the card comes back)."""

    conversation_id: uuid.UUID
    pending: bool
    question: str
    delay_seconds: int


@actions.on("csat", payload=CsatIn, ack=CsatAck)
async def csat(call: SocketCall, payload: CsatIn) -> dict[str, Any]:
    state = await call.session()
    if not state.get("session_id"):
        raise Unauthorized("call start_session first", code="no_session")
    await limits.event(call.runtime, str(state["session_id"]))
    _, conversation = await live_session(call.uow, state["session_id"])
    if payload.conversation_id is not None and payload.conversation_id != str(conversation.id):
        raise NotFound("no such conversation")
    row = await service.submit(
        call.uow, conversation, rating=payload.rating, comment=payload.comment, channel="widget"
    )
    return {"ok": True, "conversation_id": str(conversation.id), "rating": row.rating}


@actions.on("csat_status", ack=CsatStatusAck)
async def csat_status(call: SocketCall) -> dict[str, Any]:
    """Is the session's conversation waiting for a rating? (A widget that reloads after the
    ``csat_request`` asks this, so the card comes back.)"""
    state = await call.session()
    if not state.get("session_id"):
        raise Unauthorized("call start_session first", code="no_session")
    await limits.event(call.runtime, str(state["session_id"]))
    _, conversation = await live_session(call.uow, state["session_id"])
    config = await get_config(call.uow.session)
    pending = (
        config.csat_enabled
        and conversation.status == "resolved"
        and conversation.channel == "widget"
        and await service.rating_of(call.uow, conversation.id) is None
    )
    return {
        "conversation_id": str(conversation.id),
        "pending": pending,
        "question": config.csat_question,
        "delay_seconds": config.csat_delay_seconds,
    }


def register(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    actions.register(sio, runtime)
