"""The widget's ``csat`` event: the visitor rates the conversation their session owns."""

from __future__ import annotations

from typing import Any

import msgspec
import socketio

from baton.csat import service
from baton.kit.errors import NotFound, Unauthorized
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.rooms import VISITOR_NS
from baton.runtime import Runtime
from baton.visitors import limits
from baton.visitors.sessions import live_session

actions = Actions(VISITOR_NS)


class CsatIn(msgspec.Struct):
    rating: Any = None  # checked by the service: a whole number 1..5 (else invalid_rating)
    comment: Any = None
    conversation_id: str | None = None  # optional; must be the session's own


@actions.on("csat", payload=CsatIn)
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


def register(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    actions.register(sio, runtime)
