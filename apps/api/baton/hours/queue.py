"""Queue figures that tell the truth: an ETA from how long visitors really waited lately,
and the offline form for a visitor who has waited past the workspace's limit."""

from __future__ import annotations

import statistics
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from baton.conversations import assignment
from baton.conversations.messages import add_system_message
from baton.conversations.models import Conversation, ConversationEvent, Message
from baton.db.base import utcnow
from baton.hours.events import OfflineOffered
from baton.kit.uow import UnitOfWork

RECENT = timedelta(hours=24)
SAMPLE = 50
OFFER_TEXT = (
    "It is taking longer than usual to reach someone. You can leave us a message and we "
    "will get back to you by email."
)


async def recent_wait_seconds(uow: UnitOfWork, now: datetime | None = None) -> float | None:
    """The median wait (queued -> taken) of the last ``SAMPLE`` pickups in a day; None when
    nobody was picked up lately (no basis for an estimate)."""
    now = now or utcnow()
    taken = list(
        await uow.session.execute(
            select(ConversationEvent.conversation_id, ConversationEvent.created_at)
            .where(
                ConversationEvent.from_status == "waiting",
                ConversationEvent.to_status == "agent",
                ConversationEvent.created_at >= now - RECENT,
            )
            .order_by(ConversationEvent.created_at.desc())
            .limit(SAMPLE)
        )
    )
    if not taken:
        return None
    ids = {cid for cid, _ in taken}
    queued: dict[uuid.UUID, list[datetime]] = {}
    for cid, at in await uow.session.execute(
        select(ConversationEvent.conversation_id, ConversationEvent.created_at).where(
            ConversationEvent.conversation_id.in_(ids),
            ConversationEvent.to_status == "waiting",
            ConversationEvent.created_at >= now - RECENT - timedelta(hours=1),
        )
    ):
        queued.setdefault(cid, []).append(at)
    waits = []
    for cid, at in taken:
        before = [q for q in queued.get(cid, []) if q <= at]
        if before:
            waits.append((at - max(before)).total_seconds())
    return statistics.median(waits) if waits else None


def eta_seconds(position: int | None, median_wait: float | None, agents: int) -> int | None:
    """Each agent takes the queue one visitor per median wait: position / agents waits."""
    if position is None or median_wait is None or agents <= 0:
        return None
    return round(median_wait * position / agents)


async def queue_eta(uow: UnitOfWork, position: int | None) -> int | None:
    """Seconds until a person picks up a visitor at ``position`` (None: no basis)."""
    if position is None:
        return None
    agents = len(await assignment.online_agents(uow))
    return eta_seconds(position, await recent_wait_seconds(uow), agents)


async def offer_offline_to_long_waits(uow: UnitOfWork, limit_seconds: int) -> int:
    """Offer the offline form (once per wait) to visitors queued longer than the limit."""
    cutoff = utcnow() - timedelta(seconds=limit_seconds)
    waiting = list(
        await uow.session.scalars(
            select(Conversation)
            .where(Conversation.status == "waiting", Conversation.waiting_since < cutoff)
            .limit(500)
        )
    )
    offered = 0
    for conversation in waiting:
        assert conversation.waiting_since is not None
        # texts are sealed (no comparison in SQL): the few system messages since it queued
        since = await uow.session.scalars(
            select(Message.text).where(
                Message.conversation_id == conversation.id,
                Message.sender == "system",
                Message.created_at >= conversation.waiting_since,
            )
        )
        if OFFER_TEXT in since:
            continue
        await add_system_message(uow, conversation, OFFER_TEXT, {"kind": "offline_offer"})
        uow.record(OfflineOffered(conversation.id, "wait_limit"))
        offered += 1
    return offered
