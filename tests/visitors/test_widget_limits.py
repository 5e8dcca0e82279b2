"""The anonymous /widget edge is limited (per session and per address, shared through the
runtime's limiter): a refused event is acked ``rate_limited`` with ``retry_after`` and
stores nothing; the server stays healthy."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from baton.conversations.models import Message
from baton.settings import Settings
from tests.conversations.helpers import visitor
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, start_live_server


@pytest.fixture
async def strict(settings: Settings, server: LiveServer) -> AsyncIterator[LiveServer]:
    """A second api on the same database with the shipped per-minute limits, lowered."""
    live = await start_live_server(
        dataclasses.replace(
            settings,
            widget_messages_per_session=10,
            widget_messages_per_ip=1000,
            widget_sessions_per_ip=3,
            widget_connections_per_ip=1000,
            widget_events_per_session=5,
            redis_namespace=f"{settings.redis_namespace}-{uuid.uuid4().hex[:6]}",
        )
    )
    yield live
    await live.stop()


async def _stored(live: LiveServer, conversation_id: str) -> int:
    async with live.runtime.db.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.sender == "visitor")
                .where(Message.conversation_id == uuid.UUID(conversation_id))
            )
            or 0
        )


async def test_a_burst_from_one_visitor_is_mostly_refused(strict: LiveServer) -> None:
    v, start = await visitor(strict.base_url)
    try:
        acks: list[Any] = await asyncio.gather(
            *(
                v.call("user_message", {"client_id": f"b{i}", "text": f"spam {i}"})
                for i in range(60)
            )
        )
        refused = [a for a in acks if a.get("error") == "rate_limited"]
        accepted = [a for a in acks if "id" in a]
        assert len(accepted) == 10 and len(refused) == 50
        assert all(1 <= a["retry_after"] <= 60 for a in refused)
        assert await _stored(strict, start["conversation_id"]) == 10
        async with httpx.AsyncClient() as http:  # still healthy
            assert (await http.get(f"{strict.base_url}/health")).status_code == 200
    finally:
        await v.disconnect()


async def test_new_sessions_per_address_and_chatty_events(strict: LiveServer) -> None:
    clients: list[RecordingClient] = []
    try:
        acks = []
        for _ in range(5):
            c = RecordingClient("/widget")
            await c.connect(strict.base_url)
            clients.append(c)
            acks.append(await c.call("start_session", {}))
        assert [("error" in a) for a in acks] == [False, False, False, True, True]
        assert acks[3]["error"] == "rate_limited"
        # resuming an existing session is not a new visitor: allowed
        resumed = await clients[4].call(
            "start_session", {"session_token": acks[0]["session_token"]}
        )
        assert resumed.get("resumed") is True
        typing = [await clients[0].call("typing_start", {}) for _ in range(7)]
        assert [t.get("error") for t in typing].count("rate_limited") == 2
    finally:
        for c in clients:
            await c.disconnect()
