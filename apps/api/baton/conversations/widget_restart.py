"""``new_conversation`` on /widget: after a resolved conversation the visitor starts another.

Same visitor (name, email, verified identity), a fresh conversation and session token; the
finished conversation stays as it was for agents, and a later message in it is no longer
possible from this socket (the widget shows the new thread).
"""

from __future__ import annotations

import time
from typing import Any

from baton.conversations.acks import NewConversationAck
from baton.kit.errors import Unauthorized
from baton.realtime.actions import Actions, SocketCall
from baton.realtime.rooms import VISITOR_NS, visitor_room
from baton.visitors import limits
from baton.visitors import service as visitors
from baton.visitors.presence import presence_of
from baton.visitors.sessions import live_session, start_over
from baton.widget.welcome import welcome_for
from baton.workspace.service import get_config

actions = Actions(VISITOR_NS)


@actions.on("new_conversation", ack=NewConversationAck)
async def new_conversation(call: SocketCall) -> dict[str, Any]:
    state = await call.session()
    if not state.get("session_id"):
        raise Unauthorized("call start_session first", code="no_session")
    await limits.session(call.runtime, state.get("address", "unknown"))
    vs, finished = await live_session(call.uow, state["session_id"])
    opened = await start_over(call.uow, vs, finished)
    visitors.released(call.uow, vs)
    pages = await presence_of(call.runtime).count_page(str(opened.visitor.id))
    visitors.connected(call.uow, opened.visitor, opened.session, joined=False, pages_viewed=pages)
    await call.leave(visitor_room(finished.id))
    await call.enter(visitor_room(opened.conversation.id))
    await call.save(
        {
            **state,
            "session_id": opened.session.id,
            "conversation_id": str(opened.conversation.id),
            "checked_at": time.monotonic(),
        }
    )
    config = await get_config(call.uow.session)
    return {
        "verified": bool(state.get("verified")),
        "session_token": opened.token,
        "conversation_id": str(opened.conversation.id),
        "previous_conversation_id": str(finished.id),
        "visitor_id": str(opened.visitor.id),
        "status": opened.conversation.status,
        "queue_position": None,
        "waiting_since": None,
        "resumed": False,
        "welcome": welcome_for(config.welcome_message, opened.visitor, opened.conversation.id),
        "messages": [],
    }
