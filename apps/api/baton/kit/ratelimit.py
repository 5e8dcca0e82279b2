"""Fixed-window rate limits, counted in Redis when configured so every process shares them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Redis away: count in this process instead (limits become per-process, not off), so sign-in
# and the rest of REST keep working through an outage
REDIS_DOWN = (RedisError, OSError)


class Hit(NamedTuple):
    key: str
    limit: int
    window_seconds: int


def _verdict(hits: Sequence[Hit], counts: Sequence[int], now: float) -> tuple[bool, int]:
    waits = [
        h.window_seconds - int(now) % h.window_seconds
        for h, n in zip(hits, counts, strict=True)
        if n > h.limit
    ]
    return (False, max(waits)) if waits else (True, 0)


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
        """Count one attempt; return (allowed, seconds until the window resets)."""
        ...

    async def hit_all(self, hits: Sequence[Hit]) -> tuple[bool, int]:
        """Count one attempt against several limits at once (one round trip): allowed when
        every one allows it; else the longest wait among those refusing."""
        ...

    async def reset(self, key: str) -> None: ...

    async def clear(self) -> None:
        """Forget every counter of this install (its namespace only)."""
        ...


class RedisRateLimiter:
    def __init__(self, redis: Redis, namespace: str = "baton") -> None:
        self.redis = redis
        self.prefix = f"{namespace}:rl:"  # BATON_REDIS_NAMESPACE: installs sharing a Redis
        self.fallback = MemoryRateLimiter()

    async def _counts(self, hits: Sequence[Hit], now: float) -> list[int] | None:
        """Each counter after this attempt, in one ``MULTI``; None when Redis is away."""
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                for h in hits:
                    full_key = f"{self.prefix}{h.key}:{int(now // h.window_seconds)}"
                    pipe.incr(full_key)
                    pipe.expire(full_key, h.window_seconds + 1)
                replies = await pipe.execute()
        except REDIS_DOWN:
            log.warning("rate limit counted in this process: Redis is unreachable")
            return None
        return [int(n) for n in replies[::2]]

    async def hit(self, key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
        now = time.time()
        counts = await self._counts([Hit(key, limit, window_seconds)], now)
        if counts is None:
            return await self.fallback.hit(key, limit, window_seconds)
        return counts[0] <= limit, window_seconds - int(now) % window_seconds

    async def hit_all(self, hits: Sequence[Hit]) -> tuple[bool, int]:
        now = time.time()
        counts = await self._counts(hits, now)
        if counts is None:
            return await self.fallback.hit_all(hits)
        return _verdict(hits, counts, now)

    async def reset(self, key: str) -> None:
        await self.fallback.reset(key)
        pattern = f"{self.prefix}{key}:*"
        try:
            async for found in self.redis.scan_iter(match=pattern, count=1000):
                await self.redis.delete(found)
        except REDIS_DOWN:
            log.warning("rate limit reset only in this process: Redis is unreachable")

    async def clear(self) -> None:
        await self.fallback.clear()
        try:
            # SCAN's default batch is 10 keys: a shared Redis with a thousand keys took a
            # hundred round trips
            counters = [
                key async for key in self.redis.scan_iter(match=f"{self.prefix}*", count=1000)
            ]
            if counters:
                await self.redis.delete(*counters)
        except REDIS_DOWN:
            log.warning("rate limits cleared only in this process: Redis is unreachable")


class MemoryRateLimiter:
    """For the single-process embedded default."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.counts: dict[str, tuple[int, int]] = {}
        self.clock = clock

    def _count(self, key: str, window_seconds: int, now: int) -> int:
        window = now // window_seconds
        if len(self.counts) > 100_000:  # bound memory under a spray of keys
            self.counts = {k: v for k, v in self.counts.items() if v[0] == window}
        prev_window, count = self.counts.get(key, (window, 0))
        count = count + 1 if prev_window == window else 1
        self.counts[key] = (window, count)
        return count

    async def hit(self, key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
        now = int(self.clock())
        return self._count(key, window_seconds, now) <= limit, window_seconds - now % window_seconds

    async def hit_all(self, hits: Sequence[Hit]) -> tuple[bool, int]:
        now = int(self.clock())
        return _verdict(hits, [self._count(h.key, h.window_seconds, now) for h in hits], now)

    async def reset(self, key: str) -> None:
        self.counts.pop(key, None)

    async def clear(self) -> None:
        self.counts.clear()


class FailureLog(Protocol):
    """Counts failures per key with the time of the last one (for lockouts with backoff)."""

    async def get(self, key: str) -> tuple[int, float]:
        """(failures, epoch seconds of the last failure); (0, 0.0) when none."""
        ...

    async def add(self, key: str, ttl_seconds: int) -> int: ...

    async def clear(self, key: str) -> None: ...


class RedisFailureLog:
    def __init__(
        self, redis: Redis, namespace: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.redis = redis
        self.prefix = f"{namespace}:fail:"
        self.clock = clock
        self.fallback = MemoryFailureLog(clock)

    async def get(self, key: str) -> tuple[int, float]:
        try:
            count, last = await self.redis.hmget(self.prefix + key, ["n", "t"])  # type: ignore[misc]
        except REDIS_DOWN:
            log.warning("sign-in failures read in this process: Redis is unreachable")
            return await self.fallback.get(key)
        return (int(count), float(last)) if count is not None and last is not None else (0, 0.0)

    async def add(self, key: str, ttl_seconds: int) -> int:
        full = self.prefix + key
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(full, "n", 1)
                pipe.hset(full, "t", str(self.clock()))
                pipe.expire(full, ttl_seconds)
                count, _, _ = await pipe.execute()
        except REDIS_DOWN:
            log.warning("sign-in failure counted in this process: Redis is unreachable")
            return await self.fallback.add(key, ttl_seconds)
        return int(count)

    async def clear(self, key: str) -> None:
        await self.fallback.clear(key)
        try:
            await self.redis.delete(self.prefix + key)
        except REDIS_DOWN:
            log.warning("sign-in failures cleared only in this process: Redis is unreachable")


class MemoryFailureLog:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.entries: dict[str, tuple[int, float, float]] = {}  # key -> (n, last, expires)
        self.clock = clock

    async def get(self, key: str) -> tuple[int, float]:
        entry = self.entries.get(key)
        if entry is None or entry[2] <= self.clock():
            return 0, 0.0
        return entry[0], entry[1]

    async def add(self, key: str, ttl_seconds: int) -> int:
        now = self.clock()
        if len(self.entries) > 100_000:  # bound memory under a spray of keys
            self.entries = {k: v for k, v in self.entries.items() if v[2] > now}
        count, _ = await self.get(key)
        self.entries[key] = (count + 1, now, now + ttl_seconds)
        return count + 1

    async def clear(self, key: str) -> None:
        self.entries.pop(key, None)
