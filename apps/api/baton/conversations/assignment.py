"""Round-robin offers: a waiting conversation is offered to one online agent at a time.

The agent with the oldest last offer (and fewer open conversations than the limit) gets it;
if they do not take it within the offer timeout it moves to the next one. Any agent can
still take a waiting conversation over by hand, and admins can assign directly.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from baton.conversations import recipients
from baton.conversations.models import AgentRotation, Conversation
from baton.conversations.service import emit, online_agents, open_count
from baton.db.base import utcnow
from baton.jobs import job
from baton.kit.uow import UnitOfWork
from baton.workspace.service import get_config


async def offer_next(
    uow: UnitOfWork, conversation: Conversation, *, skip: uuid.UUID | None = None
) -> uuid.UUID | None:
    config = await get_config(uow.session)
    if config.assignment_mode != "round_robin" or conversation.status != "waiting":
        return None
    candidates = [a for a in await online_agents(uow) if a.id != skip]
    available = [a for a in candidates if await open_count(uow, a.id) < config.max_open_per_agent]
    if not available:
        conversation.offered_to_id = None
        conversation.offered_at = None
        return None
    rotation = {
        r.user_id: r.last_offered_at
        for r in await uow.session.scalars(
            select(AgentRotation).where(AgentRotation.user_id.in_([a.id for a in available]))
        )
    }
    chosen = min(
        available,
        key=lambda a: (rotation.get(a.id) is not None, rotation.get(a.id) or utcnow(), a.id),
    )
    now = utcnow()
    row = await uow.session.get(AgentRotation, chosen.id)
    if row is None:
        uow.session.add(AgentRotation(user_id=chosen.id, last_offered_at=now))
    else:
        row.last_offered_at = now
    conversation.offered_to_id = chosen.id
    conversation.offered_at = now
    await uow.session.flush()
    emit(
        uow,
        [
            recipients.notification_emission(
                [chosen.id],
                "offer",
                conversation.id,
                conversation.last_message_text or "A visitor is waiting for you",
            )
        ],
    )
    uow.enqueue(
        "conversations.offer_timeout",
        defer_seconds=config.offer_timeout_seconds,
        conversation_id=str(conversation.id),
        offered_to_id=str(chosen.id),
    )
    return chosen.id


@job("conversations.offer_timeout", max_tries=2)
async def offer_timeout(uow: UnitOfWork, *, conversation_id: str, offered_to_id: str) -> str | None:
    """The offered agent did not take it: offer it to the next one."""
    conversation = await uow.session.get(Conversation, uuid.UUID(conversation_id))
    if conversation is None or conversation.status != "waiting":
        return None
    if conversation.offered_to_id != uuid.UUID(offered_to_id):
        return None
    chosen = await offer_next(uow, conversation, skip=uuid.UUID(offered_to_id))
    return str(chosen) if chosen else None
