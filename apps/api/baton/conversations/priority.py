"""A waiting conversation's priority, raised when the visitor's sentiment drops.

The queue is served highest priority first, then longest wait (``QUEUE_ORDER``: the inbox's
waiting tab, queue positions and round-robin offers all use it). The rule reads the
sentiment (-1..1: the offline lexicon scorer, or the LLM when one is configured; see
``baton.copilot``) of the visitor's last ``WINDOW`` messages, latest last:

- **urgent**: the last two messages both at most ``ANGRY`` and their mean at most
  ``URGENT_MEAN`` — angry and staying angry;
- **high**: at least two messages with a mean at most ``HIGH_MEAN`` (sustained negativity),
  or the latest alone at most ``HIGH_SINGLE`` (one furious message), or a sharp fall: the
  latest at most ``ANGRY`` and at least ``SHARP_FALL`` below the one before;
- otherwise **normal**. A single message describing a problem ("my order arrived damaged",
  about -0.4) stays normal.

A priority is only ever raised while the conversation waits (a visitor who calms down a
little does not drop back behind people they were ahead of) and goes back to normal when
the conversation leaves the queue (``state.transition``). The thresholds are calibrated on
the labelled mini-set in ``tests/conversations/test_priority.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from baton.conversations.events import ConversationChanged, QueueChanged
from baton.conversations.models import Conversation, Message
from baton.kit.uow import UnitOfWork

NORMAL, HIGH, URGENT = 0, 1, 2
FRUSTRATED = "visitor_frustrated"

WINDOW = 3
URGENT_MEAN = -0.55
HIGH_MEAN = -0.35
HIGH_SINGLE = -0.75
ANGRY = -0.5
SHARP_FALL = 0.8

# the queue's order, everywhere it is served
QUEUE_ORDER: tuple[Any, ...] = (
    Conversation.priority.desc(),
    Conversation.waiting_since,
    Conversation.id,
)


def judge(scores: Sequence[float]) -> int:
    """The priority that the visitor's recent sentiment (oldest first) calls for."""
    recent = [float(s) for s in scores][-WINDOW:]
    if not recent:
        return NORMAL
    latest = recent[-1]
    mean = sum(recent) / len(recent)
    if len(recent) >= 2:
        last_two = recent[-2:]
        if max(last_two) <= ANGRY and sum(last_two) / 2 <= URGENT_MEAN:
            return URGENT
    if len(recent) >= 2 and mean <= HIGH_MEAN:
        return HIGH
    if latest <= HIGH_SINGLE:
        return HIGH
    if len(recent) >= 2 and latest <= ANGRY and recent[-2] - latest >= SHARP_FALL:
        return HIGH
    return NORMAL


async def recent_scores(uow: UnitOfWork, conversation_id: Any) -> list[float]:
    """The sentiment of the visitor's last ``WINDOW`` messages, oldest first."""
    rows = await uow.session.scalars(
        select(Message.meta)
        .where(Message.conversation_id == conversation_id, Message.sender == "visitor")
        .order_by(Message.id.desc())
        .limit(WINDOW)
    )
    scores = [m.get("sentiment") for m in rows if isinstance(m, dict)]
    return [float(s) for s in reversed(scores) if isinstance(s, int | float)]


async def assess(uow: UnitOfWork, conversation: Conversation) -> bool:
    """Raise a waiting conversation's priority if the visitor's sentiment calls for it.
    Compare-and-set (only upwards, only while waiting), so concurrent assessments agree.
    Every agent hears of it (``conversation_updated``), and waiting visitors get their new
    places. True when it was raised."""
    if conversation.status != "waiting":
        return False
    wanted = judge(await recent_scores(uow, conversation.id))
    if wanted <= conversation.priority:
        return False
    result = await uow.session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation.id,
            Conversation.status == "waiting",
            Conversation.priority < wanted,
        )
        .values(priority=wanted, priority_reason=FRUSTRATED)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(conversation, "priority", wanted)  # what the UPDATE wrote
    set_committed_value(conversation, "priority_reason", FRUSTRATED)
    uow.forget_queue()
    uow.record(ConversationChanged(conversation.id, broadcast=True))
    uow.record(QueueChanged())
    return True
