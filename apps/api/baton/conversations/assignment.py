"""Who can take a waiting conversation, and round-robin offers to one online agent at a time.

The agent with the oldest last offer (and fewer open conversations than the limit) gets it;
if they do not take it within the offer timeout it moves to the next one. Any agent can
still take a waiting conversation over by hand, and admins can assign directly.

A conversation queued while nobody had room is offered when an agent's slot frees (a
conversation of theirs resolved or handed back): the queue's first unoffered conversation
in its order — highest priority, then longest wait (``priority.QUEUE_ORDER``), so a
frustrated visitor is served first.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from baton.auth.permissions import Permission, permissions_for_role
from baton.conversations.events import ConversationOffered
from baton.conversations.models import AgentRotation, Conversation
from baton.conversations.priority import QUEUE_ORDER
from baton.db.base import utcnow
from baton.jobs import job
from baton.kit.uow import UnitOfWork
from baton.users.models import User
from baton.workspace.service import get_config


async def online_agents(uow: UnitOfWork) -> list[User]:
    """Agents who chose "online" and have the inbox open right now (once per unit of work)."""

    async def compute() -> list[User]:
        rows = await uow.session.scalars(
            select(User)
            .where(User.presence == "online", User.is_active.is_(True), User.deleted_at.is_(None))
            .order_by(User.id)
        )
        candidates = [
            u for u in rows if Permission.CONVERSATIONS_REPLY in permissions_for_role(u.role)
        ]
        connected = await uow.runtime.connections.which_connected(u.id for u in candidates)
        return [u for u in candidates if u.id in connected]

    return await uow.memo("online_agents", compute)  # type: ignore[no-any-return]


async def open_counts(uow: UnitOfWork, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Conversations each agent owns right now, in one query."""
    if not user_ids:
        return {}
    rows = await uow.session.execute(
        select(Conversation.assignee_id, func.count())
        .where(Conversation.assignee_id.in_(user_ids), Conversation.status == "agent")
        .group_by(Conversation.assignee_id)
    )
    counts = {uid: 0 for uid in user_ids}
    counts.update({uid: int(n) for uid, n in rows.all() if uid is not None})
    return counts


async def offer_next(
    uow: UnitOfWork,
    conversation: Conversation,
    *,
    skip: uuid.UUID | None = None,
    agents: list[User] | None = None,
) -> uuid.UUID | None:
    config = await get_config(uow.session)
    if config.assignment_mode != "round_robin" or conversation.status != "waiting":
        return None
    online = agents if agents is not None else await online_agents(uow)
    candidates = [a for a in online if a.id != skip]
    loads = await open_counts(uow, [a.id for a in candidates])
    available = [a for a in candidates if loads[a.id] < config.max_open_per_agent]
    if not available:
        conversation.offered_to_id = None
        conversation.offered_at = None
        return None
    rows = {
        r.user_id: r
        for r in await uow.session.scalars(
            select(AgentRotation).where(AgentRotation.user_id.in_([a.id for a in available]))
        )
    }
    chosen = min(
        available,
        key=lambda a: (
            a.id in rows,
            rows[a.id].last_offered_at if a.id in rows else utcnow(),
            a.id,
        ),
    )
    now = utcnow()
    row = rows.get(chosen.id)
    if row is None:
        uow.session.add(AgentRotation(user_id=chosen.id, last_offered_at=now))
    else:
        row.last_offered_at = now
    conversation.offered_to_id = chosen.id
    conversation.offered_at = now
    uow.record(
        ConversationOffered(
            conversation.id,
            agent_id=chosen.id,
            preview=conversation.last_message_text or "A visitor is waiting for you",
        )
    )
    uow.enqueue(
        "conversations.offer_timeout",
        defer_seconds=config.offer_timeout_seconds,
        conversation_id=str(conversation.id),
        offered_to_id=str(chosen.id),
    )
    return chosen.id


async def offer_queue(uow: UnitOfWork) -> uuid.UUID | None:
    """A slot freed: offer the first waiting conversation nobody is being offered, in queue
    order. One per freed slot (offers do not count as load, so more would all go to the
    same agent). The conversation offered, or None."""
    config = await get_config(uow.session)
    if config.assignment_mode != "round_robin":
        return None
    agents = await online_agents(uow)
    if not agents:
        return None
    first = await uow.session.scalar(
        select(Conversation)
        .where(Conversation.status == "waiting", Conversation.offered_to_id.is_(None))
        .order_by(*QUEUE_ORDER)
        .limit(1)
    )
    if first is None or await offer_next(uow, first, agents=agents) is None:
        return None
    return first.id


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
