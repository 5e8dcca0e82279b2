"""The widget hears ``offline_offer`` when its visitor has waited past the limit."""

from __future__ import annotations

from typing import Any

from baton.hours.events import OfflineOffered
from baton.kit.events import listen
from baton.realtime.emission import Emission
from baton.realtime.rooms import VISITOR_NS, visitor_room


@listen(OfflineOffered, name="hours.sockets.offline_offered")
def offline_offered(runtime: Any, event: OfflineOffered) -> list[Emission]:
    return [
        Emission(
            "offline_offer",
            {
                "conversation_id": str(event.conversation_id),
                "reason": event.reason,
                "next_open_at": event.next_open_at.isoformat() if event.next_open_at else None,
            },
            (visitor_room(event.conversation_id),),
            VISITOR_NS,
        )
    ]
