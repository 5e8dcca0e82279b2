"""The Redis fan-out queues what it publishes for the other processes and sends the queue in
pipelines (``realtime.fanout``): a burst emitted by one api process reaches an agent on
another complete and in order, in a handful of round trips instead of one per event."""

from __future__ import annotations

import httpx
import pytest

from baton.realtime.fanout import ResyncingRedisManager
from baton.realtime.rooms import AGENTS_ROOM
from baton.settings import Settings
from tests.factories import login, make_user
from tests.realtime.clients import LoggingClient
from tests.support import LiveServer, start_live_server, uses_postgres, wait_for

pytestmark = pytest.mark.skipif(
    not uses_postgres(), reason="the Redis fan-out (PostgreSQL + Redis run)"
)

BURST = 300


async def test_a_burst_reaches_another_process_in_order_in_few_round_trips(
    settings: Settings, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = await start_live_server(settings)  # a second api process on the same Redis
    agent = LoggingClient("/agent")
    try:
        user = await make_user(other.runtime, role="agent", presence="online")
        async with httpx.AsyncClient(base_url=other.base_url, timeout=20) as http:
            token = await login(http, user.email)
        await agent.connect(other.base_url, auth={"token": token})
        manager = server.runtime.sio.manager if server.runtime.sio is not None else None
        assert isinstance(manager, ResyncingRedisManager)

        async def probe_arrives() -> bool:  # the other process is subscribed
            await server.runtime.publisher.emit(
                "probe", {"label": "ready"}, rooms=[AGENTS_ROOM], namespace="/agent"
            )
            await manager.flush()
            return "probe" in agent.received  # (wait_for polls: the next probe may be it)

        await wait_for(probe_arrives, timeout=10)
        batches: list[int] = []
        send = manager._send

        async def counted(batch: list[str]) -> None:
            batches.append(len(batch))
            await send(batch)

        monkeypatch.setattr(manager, "_send", counted)
        for n in range(BURST):
            await server.runtime.publisher.emit(
                "probe", {"n": n}, rooms=[AGENTS_ROOM], namespace="/agent"
            )
        await manager.flush()

        def burst() -> list[int]:
            return [data["n"] for event, data in agent.log if event == "probe" and "n" in data]

        async def all_in() -> bool:
            return len(burst()) >= BURST

        await wait_for(all_in, timeout=15)
        order = burst()
        assert order == list(range(BURST))
        print(f"\n{BURST} events published in {len(batches)} round trips: {batches}")
        assert sum(batches) == BURST and len(batches) <= BURST // 10, batches
    finally:
        await agent.disconnect()
        await other.stop()
