"""The AI answers visitors: on every new visitor message the inbound rules left to it.

Widget messages are answered in-process at once (streamed to the visitor's socket); other
channels (email, API) through the job queue, so the reply survives the process that took
the message in. The reply itself re-checks that the AI may still answer.
"""

from __future__ import annotations

from typing import Any

from baton.ai.replies import ReplyScheduler
from baton.conversations.events import VisitorMessageReceived
from baton.kit.events import listen

AI_STATUSES = ("bot", "waiting")


def _for_ai(event: VisitorMessageReceived) -> bool:
    return not event.handed_off and event.status in AI_STATUSES


@listen(
    VisitorMessageReceived,
    name="ai.reply.live",
    when=lambda e: _for_ai(e) and e.channel == "widget",
)
def reply_live(runtime: Any, event: VisitorMessageReceived) -> None:
    runtime.slot(ReplyScheduler).schedule(runtime, event.conversation_id, event.message_id)


@listen(
    VisitorMessageReceived,
    phase="job",
    name="ai.reply.queued",
    when=lambda e: _for_ai(e) and e.channel != "widget",
)
async def reply_queued(runtime: Any, event: VisitorMessageReceived) -> None:
    scheduler = runtime.slot(ReplyScheduler)
    if scheduler.replier is not None:
        await scheduler.replier(runtime, event.conversation_id, event.message_id)
