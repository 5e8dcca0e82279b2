"""Several limits counted at once (``hit_all``): one round trip in Redis, the same verdict
as counting each, in memory and in Redis (the PostgreSQL run has Redis)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from baton.kit.ratelimit import Hit, MemoryRateLimiter, RateLimiter, RedisRateLimiter


@pytest.fixture(params=["memory", "redis"])
async def limiter(
    request: pytest.FixtureRequest, redis_url: str | None
) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    if redis_url is None:
        pytest.skip("Redis is configured in the PostgreSQL run")
    redis = Redis.from_url(redis_url)
    ring = RedisRateLimiter(redis, f"test-rl-{uuid.uuid4().hex[:8]}")
    try:
        yield ring
    finally:
        await ring.clear()
        await redis.aclose()


async def test_allowed_until_the_tightest_limit_then_refused_with_its_wait(
    limiter: RateLimiter,
) -> None:
    hits = [Hit("session:s1", 3, 60), Hit("ip:a", 5, 3600)]
    verdicts = [await limiter.hit_all(hits) for _ in range(4)]
    assert [allowed for allowed, _ in verdicts] == [True, True, True, False]
    assert 0 < verdicts[-1][1] <= 60  # the refusing limit's window, not the other one's
    # the address counted every attempt (4 of 5): another session gets one more, then not
    other = [Hit("session:s2", 100, 60), Hit("ip:a", 5, 3600)]
    assert (await limiter.hit_all(other))[0]
    assert not (await limiter.hit_all(other))[0]
    allowed, wait = await limiter.hit_all(hits)
    assert not allowed and 60 < wait <= 3600  # the longest wait among those refusing


async def test_counted_with_the_single_hits(limiter: RateLimiter) -> None:
    await limiter.hit("k", 2, 60)
    assert (await limiter.hit_all([Hit("k", 2, 60)]))[0]
    assert not (await limiter.hit_all([Hit("k", 2, 60)]))[0]
    assert not (await limiter.hit("k", 2, 60))[0]
