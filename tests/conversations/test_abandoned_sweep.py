"""The sweep of abandoned empty conversations: a widget conversation nobody wrote in goes
(with its session, and its visitor once left with nothing) after the configured age; one
with a message, a note, a ticket or an attachment never does."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
from sqlalchemy import delete, func, select, update

from baton.analytics import rollups
from baton.analytics.models import AnalyticsDaily
from baton.attachments.models import Attachment
from baton.conversations import abandoned
from baton.conversations.jobs import sweep_abandoned
from baton.conversations.models import Conversation, Message
from baton.db.base import utcnow
from baton.jobs.registry import registry
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from baton.settings import Settings
from baton.tickets.models import Ticket
from baton.visitors.models import Visitor, VisitorSession
from tests.attachments.files import png
from tests.conversations.helpers import agent, cid, visitor
from tests.support import LiveServer, wait_for

LATER = timedelta(hours=25)  # past the default 24 h


async def _exists(runtime: Runtime, model: Any, row_id: str | uuid.UUID) -> bool:
    async with runtime.db.session() as session:
        return await session.get(model, uuid.UUID(str(row_id))) is not None


async def _count(runtime: Runtime, model: Any, **where: Any) -> int:
    async with runtime.db.session() as session:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(await session.scalar(stmt) or 0)


async def _sweep(runtime: Runtime, later: timedelta = LATER) -> int:
    async with unit_of_work(runtime) as uow:
        return await abandoned.sweep(uow, now=utcnow() + later)


async def _disconnected(runtime: Runtime) -> None:
    async def done() -> bool:
        return await _count(runtime, VisitorSession, connected=0) == await _count(
            runtime, VisitorSession
        )

    await wait_for(done)


async def _visitor_of(runtime: Runtime, conversation_id: str) -> uuid.UUID:
    async with runtime.db.session() as session:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        assert conversation is not None
        return conversation.visitor_id


async def test_only_empty_quiet_widget_conversations_go(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    empty_v, empty = await visitor(server.base_url)
    talked_v, talked = await visitor(server.base_url)
    noted_v, noted = await visitor(server.base_url)
    ticket_v, ticketed = await visitor(server.base_url)
    file_v, filed = await visitor(server.base_url)
    dana, _, _ = await agent(server.base_url, client, runtime)
    try:
        assert "error" not in await talked_v.call(
            "user_message", {"client_id": cid(), "text": "order 1234 for 19.99, due 2026-12-24"}
        )
        note = await dana.call(
            "internal_note", {"conversation_id": noted["conversation_id"], "text": "seen them"}
        )
        assert "error" not in note, note
        ticket = await ticket_v.call(
            "submit_ticket", {"name": "Lin", "email": "lin@example.com", "message": "Call me"}
        )
        assert "error" not in ticket, ticket
        uploaded = await client.post(
            "/api/v1/attachments",
            files={"file": ("shot.png", png(20, 20), "image/png")},
            headers={"X-Baton-Session": filed["session_token"]},
        )
        assert uploaded.status_code == 201, uploaded.text
    finally:
        for c in (empty_v, talked_v, noted_v, ticket_v, file_v, dana):
            await c.disconnect()
    async with runtime.db.session() as session:
        # the ticket's own confirmation message aside, only the ticket keeps it
        await session.execute(
            delete(Message).where(Message.conversation_id == uuid.UUID(ticketed["conversation_id"]))
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == uuid.UUID(ticketed["conversation_id"]))
            .values(last_message_at=None)
        )
        await session.commit()
    empty_visitor = await _visitor_of(runtime, empty["conversation_id"])

    assert await _sweep(runtime, later=timedelta(hours=23)) == 0  # too young: all stay
    assert await _sweep(runtime) == 1
    assert not await _exists(runtime, Conversation, empty["conversation_id"])
    assert await _count(runtime, VisitorSession, visitor_id=empty_visitor) == 0
    assert not await _exists(runtime, Visitor, empty_visitor)
    for kept in (talked, noted, ticketed, filed):
        assert await _exists(runtime, Conversation, kept["conversation_id"]), kept
        assert (
            await _count(
                runtime, VisitorSession, conversation_id=uuid.UUID(kept["conversation_id"])
            )
            == 1
        )
    assert await _count(runtime, Ticket) == 1 and await _count(runtime, Attachment) == 1
    assert await _sweep(runtime) == 0  # nothing left to remove


async def test_a_visitor_with_another_conversation_stays(
    server: LiveServer, runtime: Runtime
) -> None:
    v, first = await visitor(server.base_url)
    try:
        assert "error" not in await v.call("user_message", {"client_id": cid(), "text": "hi"})
    finally:
        await v.disconnect()
    returning = await _visitor_of(runtime, first["conversation_id"])
    async with unit_of_work(runtime) as uow:  # the same visitor opens a new one, then leaves
        uow.session.add(Conversation(visitor_id=returning, status="bot"))
    assert await _sweep(runtime) == 1
    assert await _exists(runtime, Visitor, returning)
    assert await _count(runtime, Conversation, visitor_id=returning) == 1


async def test_a_session_seen_recently_keeps_its_conversation(
    server: LiveServer, runtime: Runtime
) -> None:
    v, start = await visitor(server.base_url)
    await v.disconnect()
    await _disconnected(runtime)
    async with runtime.db.session() as session:
        await session.execute(update(VisitorSession).values(last_seen_at=utcnow() + LATER))
        await session.commit()
    assert await _sweep(runtime) == 0
    assert await _exists(runtime, Conversation, start["conversation_id"])


async def test_the_scheduled_job_honours_the_setting(server: LiveServer, runtime: Runtime) -> None:
    assert "conversations.sweep_abandoned" in {c.job for c in registry.crons}
    v, start = await visitor(server.base_url)
    await v.disconnect()
    await _disconnected(runtime)  # the server records the disconnect (a write) first
    old = utcnow() - LATER
    async with runtime.db.session() as session:
        await session.execute(update(Conversation).values(created_at=old, updated_at=old))
        await session.execute(update(VisitorSession).values(last_seen_at=old))
        await session.commit()

    async with unit_of_work(runtime) as uow:
        assert await sweep_abandoned(uow) == 1
    assert not await _exists(runtime, Conversation, start["conversation_id"])


def test_the_age_setting(settings: Settings) -> None:
    now = utcnow()

    def cutoff_with(**changes: Any) -> Any:
        uow = SimpleNamespace(
            runtime=SimpleNamespace(settings=dataclasses.replace(settings, **changes))
        )
        return abandoned.cutoff(uow, now)  # type: ignore[arg-type]

    assert cutoff_with(abandoned_conversation_hours=0) is None  # off
    assert cutoff_with(abandoned_conversation_hours=2, session_idle_minutes=30) == now - timedelta(
        hours=2
    )
    # never younger than a session may idle: a live visitor keeps their conversation
    assert cutoff_with(abandoned_conversation_hours=1, session_idle_minutes=90) == now - timedelta(
        minutes=90
    )


async def test_the_analytics_forget_what_was_swept(server: LiveServer, runtime: Runtime) -> None:
    """The rollups counted the empty conversation when it opened; the sweep has its day
    rebuilt (a job after the commit), so the figures drop with it."""
    empty_v, _ = await visitor(server.base_url)
    talked_v, _ = await visitor(server.base_url)
    try:
        assert "error" not in await talked_v.call(
            "user_message", {"client_id": cid(), "text": "hi"}
        )
    finally:
        await empty_v.disconnect()
        await talked_v.disconnect()

    async def counted() -> int:
        async with runtime.db.session() as session:
            total = await session.scalar(
                select(func.sum(AnalyticsDaily.conversations)).where(
                    AnalyticsDaily.agent_id.is_(None)
                )
            )
            return int(total or 0)

    async with unit_of_work(runtime) as uow:
        await rollups.run_incremental(uow.session, lock=rollups.process_lock(uow))
    assert await counted() == 2
    assert await _sweep(runtime) == 1

    async def dropped() -> bool:
        return await counted() == 1

    await wait_for(dropped, timeout=20)
