"""Live visitors reach the inbox as deltas: one visitor upserted or removed per change,
not the whole list to every agent on every page view."""

from __future__ import annotations

from typing import Any

import msgspec

from baton.kit.events import listen
from baton.realtime.emission import Emission
from baton.realtime.rooms import AGENT_NS, AGENTS_ROOM, VISITOR_NS, visitor_room
from baton.visitors.events import ChatInitiated, VisitorLeft, VisitorSeen
from baton.visitors.service import LiveVisitorOut


def live_visitor_emission(upsert: list[LiveVisitorOut], remove: list[str]) -> Emission:
    return Emission(
        "live_visitors_update",
        {"upsert": msgspec.to_builtins(upsert), "remove": remove},
        (AGENTS_ROOM,),
        AGENT_NS,
    )


@listen(VisitorSeen, name="visitors.sockets.seen")
def seen_sockets(runtime: Any, event: VisitorSeen) -> list[Emission]:
    visitor = LiveVisitorOut(
        event.visitor_id,
        event.visitor_name,
        event.page_url,
        event.page_title,
        event.referrer,
        event.connected_at,
        event.conversation_id,
        email=event.email,
        locale=event.locale,
        timezone=event.timezone,
        started_at=event.started_at,
        pages_viewed=event.pages_viewed,
    )
    delta = Emission(
        "visitor_joined" if event.joined else "visitor_updated",
        {"visitor": msgspec.to_builtins(visitor)},
        (AGENTS_ROOM,),
        AGENT_NS,
    )
    return [live_visitor_emission([visitor], []), delta]


@listen(VisitorLeft, name="visitors.sockets.left")
def left_sockets(runtime: Any, event: VisitorLeft) -> list[Emission]:
    gone = Emission("visitor_left", {"visitor_id": str(event.visitor_id)}, (AGENTS_ROOM,), AGENT_NS)
    return [live_visitor_emission([], [str(event.visitor_id)]), gone]


@listen(ChatInitiated, name="visitors.sockets.chat_initiated")
def chat_initiated(runtime: Any, event: ChatInitiated) -> list[Emission]:
    # the conversation's own room: only the sockets of the visitor it belongs to
    return [
        Emission(
            "agent_initiated_chat",
            {"conversation_id": str(event.conversation_id), "message": event.message},
            (visitor_room(event.conversation_id),),
            VISITOR_NS,
        )
    ]
