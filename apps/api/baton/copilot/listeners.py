"""On handoff the copilot writes the summary at once, so the agent who opens the conversation
finds it ready (cached) and agents watching it get a ``summary`` event. The LLM's
sentiment (when one is configured) and the waiting conversation's priority follow each
visitor message in the queue and, for the visitor's last messages, the handoff itself
(``copilot.mood``: while the conversation is the AI's, the lexicon's score is all there is)."""

from __future__ import annotations

from typing import Any

from baton.conversations.events import HandoffRequested, VisitorMessageReceived
from baton.copilot.mood import LlmPresence, after_handoff, after_visitor_message
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


@listen(VisitorMessageReceived, name="copilot.mood")
def mood_of_visitor(runtime: Any, event: VisitorMessageReceived) -> None:
    """A queued conversation's message: the LLM's sentiment and the priority, at once."""
    if event.status != "waiting" or event.handed_off:
        return  # the AI's (lexicon only), or the message that queued it (handoff, below)
    runtime.slot(CopilotTasks).start(
        after_visitor_message(runtime, event.conversation_id, event.message_id)
    )


@listen(HandoffRequested, name="copilot.mood_on_handoff")
def mood_on_handoff(runtime: Any, event: HandoffRequested) -> None:
    """Queued: the visitor's last messages get the model's scores (when there is one)."""
    if runtime.slot(LlmPresence).maybe():
        runtime.slot(CopilotTasks).start(after_handoff(runtime, event.conversation_id))
