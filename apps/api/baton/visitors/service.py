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
    email: str | None = None
    locale: str | None = None
    timezone: str | None = None
    started_at: datetime | None = None  # when this visit began (time on site)
    pages_viewed: int = 0


class LiveVisitorList(msgspec.Struct):
    items: list[LiveVisitorOut]
    next_cursor: str | None = None


def seen(
    uow: UnitOfWork,
    visitor: Visitor,
    vs: VisitorSession,
    *,
    joined: bool = False,
    pages_viewed: int = 0,
) -> None:
    uow.record(
        VisitorSeen(
            visitor.id,
            vs.conversation_id,
            visitor_name=visitor.name,
            page_url=visitor.page_url,
            page_title=visitor.page_title,
            referrer=visitor.referrer,
            connected_at=vs.last_seen_at,
            joined=joined,
            email=visitor.email,
            locale=visitor.locale,
            timezone=visitor.timezone,
            started_at=vs.created_at,
            pages_viewed=pages_viewed,
        )
    )


def connected(
    uow: UnitOfWork, visitor: Visitor, vs: VisitorSession, *, joined: bool, pages_viewed: int
) -> None:
    vs.connected += 1
    seen(uow, visitor, vs, joined=joined, pages_viewed=pages_viewed)


def left(uow: UnitOfWork, visitor_id: uuid.UUID) -> None:
    """The visitor's last socket (on any process) is gone: presence decides, not counters."""
    uow.record(VisitorLeft(visitor_id))


async def disconnected(uow: UnitOfWork, session_id: uuid.UUID) -> None:
    """One socket of the session closed. A plain UPDATE: the session row may be gone (a
    deleted visitor), which is fine. Whether the visitor left is presence's call."""
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
    del row


def released(uow: UnitOfWork, vs: VisitorSession) -> None:
    """The socket moved to another session, or the session ended."""
    vs.connected = max(0, vs.connected - 1)


def viewed_page(
    uow: UnitOfWork,
    visitor: Visitor,
    vs: VisitorSession,
    *,
    page_url: str | None,
    title: str | None,
    referrer: str | None = None,
    pages_viewed: int = 0,
) -> bool:
    """Record a page view; False (and nothing recorded) when nothing changed."""
    before = (visitor.page_url, visitor.page_title, visitor.referrer)
    apply_visitor_info(visitor, VisitorInfo(page_url=page_url, page_title=title))
    if referrer and not visitor.referrer:
        visitor.referrer = referrer[:2048]
    if (visitor.page_url, visitor.page_title, visitor.referrer) == before:
        return False
    seen(uow, visitor, vs, pages_viewed=pages_viewed)
    return True


async def live_visitors(
    uow: UnitOfWork, live_ids: list[str], pages: dict[str, int], limit: int = 500
) -> list[LiveVisitorOut]:
    """The live visitors (ids from presence) with their open session, newest activity first."""
    ids = [uuid.UUID(v) for v in live_ids][:limit]
    if not ids:
        return []
    rows = await uow.session.execute(
        select(VisitorSession, Visitor)
        .join(Visitor, Visitor.id == VisitorSession.visitor_id)
        .where(VisitorSession.visitor_id.in_(ids), VisitorSession.ended_at.is_(None))
        .order_by(VisitorSession.last_seen_at.desc())
    )
    out: dict[uuid.UUID, LiveVisitorOut] = {}
    for s, v in rows.all():
        if v.id not in out:  # the most recent open session of each visitor
            out[v.id] = LiveVisitorOut(
                v.id,
                v.name,
                v.page_url,
                v.page_title,
                v.referrer,
                s.last_seen_at,
                s.conversation_id,
                email=v.email,
                locale=v.locale,
                timezone=v.timezone,
                started_at=s.created_at,
                pages_viewed=pages.get(str(v.id), 0),
            )
    return list(out.values())
