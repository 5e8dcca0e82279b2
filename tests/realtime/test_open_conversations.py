"""Which agents have a conversation open, as every api process sees it: two tabs count
twice, closing one keeps it open, and (with Redis) a process that stopped heartbeating no
longer counts. The notification rule reads this (tests/notifications)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from baton.realtime.connections import AgentConnections, MemoryConnections, RedisConnections
from baton.settings import Settings


@pytest.fixture
async def two_processes(
    settings: Settings,
) -> AsyncIterator[tuple[AgentConnections, AgentConnections]]:
    if settings.redis_url is None:  # one process: the registry is a dict
        shared = MemoryConnections()
        yield shared, shared
        return
    redis = Redis.from_url(settings.redis_url)
    namespace = f"{settings.redis_namespace}:open-{uuid.uuid4().hex[:6]}"
    a, b = RedisConnections(redis, namespace), RedisConnections(redis, namespace)
    await a.start()
    await b.start()
    try:
        yield a, b
    finally:
        await a.stop()
        await b.stop()
        await redis.aclose()


async def test_open_and_closed_are_seen_from_another_process(
    two_processes: tuple[AgentConnections, AgentConnections],
) -> None:
    here, there = two_processes
    dana, eli = uuid.uuid4(), uuid.uuid4()
    chat, other = uuid.uuid4(), uuid.uuid4()
    assert await there.which_have_open(chat, []) == set()
    await here.opened(dana, chat)
    await here.opened(dana, chat)  # a second tab
    assert await there.which_have_open(chat, [dana, eli]) == {dana}
    assert await there.which_have_open(other, [dana]) == set()
    await here.closed(dana, [chat])
    assert await there.which_have_open(chat, [dana]) == {dana}  # the other tab still has it
    await here.closed(dana, [chat])
    assert await there.which_have_open(chat, [dana]) == set()
    assert await here.which_have_open(chat, [dana]) == set()


async def test_a_process_that_stopped_heartbeating_no_longer_counts(
    settings: Settings, two_processes: tuple[AgentConnections, AgentConnections]
) -> None:
    here, there = two_processes
    if not isinstance(here, RedisConnections):
        pytest.skip("heartbeats live in Redis (PostgreSQL + Redis run)")
    dana, chat = uuid.uuid4(), uuid.uuid4()
    await here.opened(dana, chat)
    assert await there.which_have_open(chat, [dana]) == {dana}
    await here.redis.delete(here.heartbeat_key)  # what a SIGKILLed process leaves behind
    assert await there.which_have_open(chat, [dana]) == set()
    assert not await here.redis.exists(here.open_key)  # and its hash is gone with it
