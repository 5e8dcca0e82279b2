"""Concurrent Redis commands ready their connections at the same time (``kit.redis_pool``):
redis-py 5's pool readied them one at a time under its lock, one event-loop turn each,
which queued 48 AI replies' leases 5-7 ms apart under load."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from redis.asyncio import ConnectionPool, Redis

from baton.kit.redis_pool import ConcurrentConnectionPool, redis_client

COMMANDS = 20


async def _most_readied_at_once(client: Redis, monkeypatch: pytest.MonkeyPatch) -> int:
    pool = client.connection_pool
    real = pool.ensure_connection
    readying, most = 0, 0

    async def counting(connection: Any) -> None:
        nonlocal readying, most
        readying += 1
        most = max(most, readying)
        try:
            await real(connection)
        finally:
            readying -= 1

    monkeypatch.setattr(pool, "ensure_connection", counting)
    key = f"test-pool-{uuid.uuid4().hex[:8]}"
    try:
        results = await asyncio.gather(*(client.incr(key) for _ in range(COMMANDS)))
        assert sorted(results) == list(range(1, COMMANDS + 1))  # every command answered
    finally:
        await client.delete(key)
    return most


async def test_concurrent_commands_ready_their_connections_at_once(
    redis_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if redis_url is None:
        pytest.skip("Redis is configured in the PostgreSQL run")
    client = redis_client(redis_url)
    try:
        assert isinstance(client.connection_pool, ConcurrentConnectionPool)
        assert await _most_readied_at_once(client, monkeypatch) > 1
    finally:
        await client.aclose()


async def test_redis_py_5s_own_pool_readies_one_at_a_time(
    redis_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the class above is for; when this fails, redis-py fixed it (7.2) and the class
    can go."""
    if redis_url is None:
        pytest.skip("Redis is configured in the PostgreSQL run")
    client = Redis.from_pool(ConnectionPool.from_url(redis_url))
    try:
        assert await _most_readied_at_once(client, monkeypatch) == 1
    finally:
        await client.aclose()
