"""Live visitors reach the inbox as deltas: one visitor upserted or removed per change,
not the whole list to every agent on every page view."""

from __future__ import annotations

from typing import Any

import msgspec

from baton.kit.events import listen
from baton.realtime.emission import Emission
from baton.realtime.rooms import AGENT_NS, AGENTS_ROOM
from baton.visitors.events import VisitorLeft, VisitorSeen
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
    )
    return [live_visitor_emission([visitor], [])]


@listen(VisitorLeft, name="visitors.sockets.left")
def left_sockets(runtime: Any, event: VisitorLeft) -> list[Emission]:
    return [live_visitor_emission([], [str(event.visitor_id)])]
