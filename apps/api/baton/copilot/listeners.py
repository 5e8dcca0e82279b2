"""On handoff the copilot writes the summary at once, so the agent who opens the conversation
finds it ready (cached) and agents watching it get a ``summary`` event."""

from __future__ import annotations

from typing import Any

from baton.conversations.events import HandoffRequested
from baton.copilot.realtime import CopilotTasks, summary_of
from baton.kit.events import listen
from baton.realtime.rooms import AGENT_NS, conversation_room


@listen(HandoffRequested, name="copilot.summary_on_handoff")
def summary_on_handoff(runtime: Any, event: HandoffRequested) -> None:
    room = conversation_room(event.conversation_id)
    base = {"conversation_id": str(event.conversation_id), "request_id": None}

    async def quiet(event_name: str, payload: dict[str, Any]) -> None:
        return None  # no stream for an automatic summary: only the result is announced

    async def work() -> None:
        text, _ = await summary_of(runtime, event.conversation_id, quiet)
        await runtime.publisher.emit(
            "summary", {**base, "text": text, "cached": False}, rooms=[room], namespace=AGENT_NS
        )

    runtime.slot(CopilotTasks).start(work())
