"""Abandoned empty conversations: a widget session opens a conversation before the visitor
says anything, so every page view that never writes leaves a conversation, a session and a
visitor behind. After ``BATON_ABANDONED_CONVERSATION_HOURS`` they are removed.

Only what nobody can miss goes: a widget conversation still with the AI, never assigned or
offered, with no message at all (visitor, bot, agent, system or internal note), no ticket, no
attachment, no CSAT rating and no AI action, and no session seen since the cutoff. Then the
visitors of those conversations that are left with no conversation and no session.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select

from baton.attachments.models import Attachment
from baton.conversations.models import Conversation, Message
from baton.csat.models import CsatResponse
from baton.db.base import utcnow
from baton.kit.uow import UnitOfWork
from baton.tickets.models import Ticket
from baton.tools.models import ToolAction
from baton.visitors.models import Visitor, VisitorSession


def cutoff(uow: UnitOfWork, now: datetime | None = None) -> datetime | None:
    """Conversations older than this may go; None when the sweep is off (0 hours). Never
    younger than the session idle limit: a live session keeps its conversation."""
    settings = uow.runtime.settings
    if settings.abandoned_conversation_hours <= 0:
        return None
    age = max(
        timedelta(hours=settings.abandoned_conversation_hours),
        timedelta(minutes=settings.session_idle_minutes),
    )
    return (now or utcnow()) - age


def _abandoned(before: datetime) -> Any:
    """Conversations that are empty and quiet since ``before`` (used to select and again in
    the DELETE itself, so anything that arrived in between keeps its conversation)."""
    cid = Conversation.id
    return and_(
        Conversation.channel == "widget",
        Conversation.status == "bot",
        Conversation.assignee_id.is_(None),
        Conversation.offered_to_id.is_(None),
        Conversation.last_message_at.is_(None),
        Conversation.created_at < before,
        Conversation.updated_at < before,
        ~exists().where(Message.conversation_id == cid),
        ~exists().where(or_(Ticket.conversation_id == cid, Ticket.source_conversation_id == cid)),
        ~exists().where(Attachment.conversation_id == cid),
        ~exists().where(CsatResponse.conversation_id == cid),
        ~exists().where(ToolAction.conversation_id == cid),
        ~exists().where(
            VisitorSession.conversation_id == cid, VisitorSession.last_seen_at >= before
        ),
    )


async def sweep(uow: UnitOfWork, *, limit: int = 500, now: datetime | None = None) -> int:
    """Remove up to ``limit`` abandoned empty conversations (oldest first) with their
    sessions, then their visitors left with nothing; returns how many conversations went.
    The analytics of the days they were opened are rebuilt after the commit."""
    before = cutoff(uow, now)
    if before is None:
        return 0
    session = uow.session
    rows = (
        await session.execute(
            select(Conversation.id, Conversation.visitor_id, Conversation.created_at)
            .where(_abandoned(before))
            .order_by(Conversation.created_at)
            .limit(limit)
        )
    ).all()
    if not rows:
        return 0
    ids = [r.id for r in rows]
    gone = list(
        (
            await session.scalars(
                delete(Conversation)
                .where(Conversation.id.in_(ids), _abandoned(before))
                .returning(Conversation.id)
            )
        ).all()
    )
    if not gone:
        return 0
    # the foreign keys cascade; said explicitly so no backend's settings matter
    await session.execute(delete(VisitorSession).where(VisitorSession.conversation_id.in_(gone)))
    kept = set(gone)
    visitors = {r.visitor_id for r in rows if r.id in kept}
    await _forget_empty_visitors(uow, visitors)
    days = sorted({r.created_at.date() for r in rows if r.id in kept})
    uow.enqueue("analytics.rebuild", start=days[0].isoformat(), end=days[-1].isoformat())
    await session.flush()
    return len(gone)


async def _forget_empty_visitors(uow: UnitOfWork, visitor_ids: set[uuid.UUID]) -> None:
    if not visitor_ids:
        return
    await uow.session.execute(
        delete(Visitor).where(
            Visitor.id.in_(visitor_ids),
            ~exists().where(Conversation.visitor_id == Visitor.id),
            ~exists().where(VisitorSession.visitor_id == Visitor.id),
        )
    )
