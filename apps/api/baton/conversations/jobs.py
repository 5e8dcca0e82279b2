"""Scheduled and deferred conversation jobs."""

from __future__ import annotations

from sqlalchemy import select

from baton.conversations import abandoned
from baton.conversations import assignment as _assignment  # registers the offer-timeout job
from baton.conversations.lifecycle import resolve
from baton.conversations.models import Conversation
from baton.conversations.state import SYSTEM
from baton.jobs import cron_job
from baton.kit.uow import UnitOfWork
from baton.visitors.models import VisitorSession
from baton.visitors.sessions import end_session, idle_cutoff

__all__ = ["_assignment", "expire_idle_sessions", "sweep_abandoned"]

SWEEP_BATCH = 500


@cron_job("conversations.expire_idle_sessions", every_minutes=1, second=15, run_at_startup=True)
async def expire_idle_sessions(uow: UnitOfWork) -> int:
    """End widget sessions idle past the limit; a conversation only the AI was handling is
    closed (one a person is on, or is waiting for, stays open for the team)."""
    stale = list(
        await uow.session.scalars(
            select(VisitorSession)
            .where(
                VisitorSession.ended_at.is_(None), VisitorSession.last_seen_at < idle_cutoff(uow)
            )
            .order_by(VisitorSession.last_seen_at)
            .limit(SWEEP_BATCH)
        )
    )
    for vs in stale:
        await end_session(vs, "expired")
        vs.connected = 0
        conversation = await uow.session.get(Conversation, vs.conversation_id)
        if (
            conversation is not None
            and conversation.status == "bot"
            and conversation.last_message_at is not None
        ):
            await resolve(uow, conversation, SYSTEM, reason="inactive")
    await uow.session.flush()
    return len(stale)


@cron_job("conversations.sweep_abandoned", every_minutes=10, second=25, run_at_startup=True)
async def sweep_abandoned(uow: UnitOfWork) -> int:
    """Remove widget conversations nobody wrote in, once older than
    ``BATON_ABANDONED_CONVERSATION_HOURS``, with their sessions and emptied visitors."""
    return await abandoned.sweep(uow, limit=SWEEP_BATCH)
