"""Fault: the Redis behind the Socket.IO fan-out is restarted while an agent has the inbox
open. The api process notices, and once the fan-out is back it sends the agent's socket
``resync`` (so the inbox refetches what it missed) and events flow again. On the old code the
socket was never told, and the fan-out came back only after a backoff of up to 60 s."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from baton.realtime.fanout import ResyncingRedisManager
from baton.realtime.rooms import AGENTS_ROOM
from baton.settings import Settings
from tests.factories import bearer, login, make_user
from tests.private_redis import REDIS_SERVER, PrivateRedis
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, start_live_server, uses_postgres, wait_for

pytestmark = [
    pytest.mark.skipif(not uses_postgres(), reason="the Redis fan-out (PostgreSQL + Redis run)"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]


@pytest.fixture
async def on_private_redis(
    settings: Settings, server: LiveServer, tmp_path: Path
) -> AsyncIterator[tuple[LiveServer, PrivateRedis]]:
    redis = await PrivateRedis(tmp_path).start()
    live = await start_live_server(
        dataclasses.replace(
            settings,
            redis_url=redis.url,
            redis_namespace=f"{settings.redis_namespace}-f{uuid.uuid4().hex[:6]}",
        )
    )
    yield live, redis
    await live.stop()
    await redis.stop()


async def test_the_inbox_is_told_to_resync_after_a_redis_restart(
    on_private_redis: tuple[LiveServer, PrivateRedis],
) -> None:
    live, redis = on_private_redis
    manager = live.runtime.sio.manager if live.runtime.sio is not None else None
    assert isinstance(manager, ResyncingRedisManager)
    user = await make_user(live.runtime, role="agent", presence="online")
    async with httpx.AsyncClient(base_url=live.base_url, timeout=20) as http:
        token = await login(http, user.email)
    agent = RecordingClient("/agent")
    await agent.connect(live.base_url, auth={"token": token})
    try:

        async def listening() -> bool:
            return manager.fanout_up and bool(manager.pubsub and manager.pubsub.subscribed)

        await wait_for(listening, timeout=10)
        await redis.stop()

        async def noticed() -> bool:
            return not manager.fanout_up

        await wait_for(noticed, timeout=15)
        assert "resync" not in agent.received
        await redis.start()
        got = await agent.wait_for("resync", timeout=15)
        assert got == {"reason": "realtime_restored"}
        assert manager.fanout_up and manager.outages == 1
        # and the fan-out carries events again (published through the restarted Redis)
        await live.runtime.publisher.emit(
            "probe_after_outage", {"n": 1}, rooms=[AGENTS_ROOM], namespace="/agent"
        )
        assert await agent.wait_for("probe_after_outage", timeout=10) == {"n": 1}
    finally:
        await agent.disconnect()


async def test_a_visitor_is_told_to_resync_and_fetches_the_reply_it_missed(
    on_private_redis: tuple[LiveServer, PrivateRedis],
) -> None:
    """The visitor's socket is on one api process, the agent replies through another while the
    fan-out is down: the reply is stored but never reaches the visitor (a process delivers to
    its own sockets directly, to the others' only through Redis). Once Redis is back the widget
    socket gets ``resync`` too, and ``sync {after_id}`` (what the widget sends on it) returns
    the reply. On the old code only ``/agent`` sockets were told."""
    live, redis = on_private_redis
    manager = live.runtime.sio.manager if live.runtime.sio is not None else None
    assert isinstance(manager, ResyncingRedisManager)
    other = await start_live_server(live.settings)  # same database, Redis and namespace
    user = await make_user(live.runtime, role="agent", presence="online", name="Dana")
    visitor = RecordingClient("/widget")
    async with httpx.AsyncClient(base_url=other.base_url, timeout=20) as http:
        headers = bearer(await login(http, user.email))
        await visitor.connect(live.base_url)
        try:
            start = await visitor.call("start_session", {})
            assert "error" not in start, start
            conversation_id = start["conversation_id"]
            known = start["messages"][-1]["id"] if start["messages"] else None

            async def listening() -> bool:
                return manager.fanout_up and bool(manager.pubsub and manager.pubsub.subscribed)

            await wait_for(listening, timeout=10)
            await redis.stop()

            async def noticed() -> bool:
                return not manager.fanout_up

            await wait_for(noticed, timeout=15)
            # the reply commits, then its events fail to reach Redis (before the response)
            reply = await http.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={"text": "Your parcel left today.", "client_id": "a-1"},
                headers=headers,
            )
            assert reply.status_code in (200, 201), reply.text
            await redis.start()
            assert await visitor.wait_for("resync", timeout=15) == {"reason": "realtime_restored"}
            assert "agent_message" not in visitor.received  # sent during the outage: lost
            synced = await visitor.call("sync", {"after_id": known} if known else {})
            assert "error" not in synced, synced
            assert synced["status"] == "agent"
            missed = [m for m in synced["messages"] if m["sender"] == "agent"]
            assert [m["text"] for m in missed] == ["Your parcel left today."]
            assert missed[0]["id"] == reply.json()["id"]
        finally:
            await visitor.disconnect()
            await other.stop()
