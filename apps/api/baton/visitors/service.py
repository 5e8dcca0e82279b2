"""Visitors on the site: sessions opened and closed, pages seen, contact details left."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from sqlalchemy import case, select, update

from baton.db.base import utcnow
from baton.kit.uow import UnitOfWork
from baton.visitors.events import VisitorLeft, VisitorSeen
from baton.visitors.models import Visitor, VisitorSession
from baton.visitors.sessions import VisitorInfo, apply_visitor_info


class LiveVisitorOut(msgspec.Struct):
    visitor_id: uuid.UUID
    name: str | None
    page_url: str | None
    page_title: str | None
    referrer: str | None
    connected_at: datetime
    conversation_id: uuid.UUID | None


class LiveVisitorList(msgspec.Struct):
    items: list[LiveVisitorOut]
    next_cursor: str | None = None


def seen(uow: UnitOfWork, visitor: Visitor, vs: VisitorSession) -> None:
    uow.record(
        VisitorSeen(
            visitor.id,
            vs.conversation_id,
            visitor_name=visitor.name,
            page_url=visitor.page_url,
            page_title=visitor.page_title,
            referrer=visitor.referrer,
            connected_at=vs.last_seen_at,
        )
    )


def connected(uow: UnitOfWork, visitor: Visitor, vs: VisitorSession) -> None:
    vs.connected += 1
    seen(uow, visitor, vs)


async def disconnected(uow: UnitOfWork, session_id: uuid.UUID) -> None:
    """One socket of the session closed; the visitor leaves the live view with the last one.
    A plain UPDATE: the session row may be gone (a deleted visitor), which is fine."""
    row = (
        await uow.session.execute(
            update(VisitorSession)
            .where(VisitorSession.id == session_id)
            .values(
                connected=case(
                    (VisitorSession.connected > 0, VisitorSession.connected - 1), else_=0
                ),
                last_seen_at=utcnow(),
            )
            .returning(VisitorSession.connected, VisitorSession.visitor_id)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if row is not None and row[0] == 0:
        uow.record(VisitorLeft(row[1]))


def released(uow: UnitOfWork, vs: VisitorSession) -> None:
    """The socket moved to another session, or the session ended."""
    vs.connected = max(0, vs.connected - 1)
    if vs.connected == 0:
        uow.record(VisitorLeft(vs.visitor_id))


def viewed_page(
    uow: UnitOfWork,
    visitor: Visitor,
    vs: VisitorSession,
    *,
    page_url: str | None,
    title: str | None,
    referrer: str | None = None,
) -> bool:
    """Record a page view; False (and nothing recorded) when nothing changed."""
    before = (visitor.page_url, visitor.page_title, visitor.referrer)
    apply_visitor_info(visitor, VisitorInfo(page_url=page_url, page_title=title))
    if referrer and not visitor.referrer:
        visitor.referrer = referrer[:2048]
    if (visitor.page_url, visitor.page_title, visitor.referrer) == before:
        return False
    seen(uow, visitor, vs)
    return True


async def live_visitors(uow: UnitOfWork, limit: int = 200) -> list[LiveVisitorOut]:
    """Visitors with the widget open right now (newest activity first)."""
    rows = await uow.session.execute(
        select(VisitorSession, Visitor)
        .join(Visitor, Visitor.id == VisitorSession.visitor_id)
        .where(VisitorSession.connected > 0, VisitorSession.ended_at.is_(None))
        .order_by(VisitorSession.last_seen_at.desc())
        .limit(limit)
    )
    return [
        LiveVisitorOut(
            v.id, v.name, v.page_url, v.page_title, v.referrer, s.last_seen_at, s.conversation_id
        )
        for s, v in rows.all()
    ]
