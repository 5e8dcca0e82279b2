"""Which visitors have a widget socket open right now, across tabs and api processes.

Each socket is an entry ``(visitor, sid) -> expires_at``; a visitor is live while any entry
has not expired. The process holding a socket refreshes it every ``ttl / 3`` seconds, so a
crashed process's visitors expire within ``ttl``; every process sweeps expired entries, and
only the process whose sweep (or disconnect) removes a visitor's last socket reports that
the visitor left. With Redis the entries live there (atomic Lua scripts); without, a dict.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Protocol

from redis.asyncio import Redis

log = logging.getLogger(__name__)


class PresenceStore(Protocol):
    async def join(self, visitor_id: str, sid: str, expires: float) -> bool: ...
    async def leave(self, visitor_id: str, sid: str) -> bool: ...
    async def refresh(self, sockets: dict[str, str], expires: float) -> None: ...
    async def sweep(self, now: float) -> list[str]: ...
    async def live(self, now: float) -> list[str]: ...
    async def count_page(self, visitor_id: str) -> int: ...
    async def pages(self, visitor_ids: list[str]) -> dict[str, int]: ...


class MemoryPresenceStore:
    def __init__(self) -> None:
        self.sockets: dict[str, dict[str, float]] = {}
        self.page_counts: dict[str, int] = {}

    async def join(self, visitor_id: str, sid: str, expires: float) -> bool:
        first = visitor_id not in self.sockets
        self.sockets.setdefault(visitor_id, {})[sid] = expires
        return first

    async def leave(self, visitor_id: str, sid: str) -> bool:
        held = self.sockets.get(visitor_id)
        if held is None or held.pop(sid, None) is None or held:
            return False
        del self.sockets[visitor_id]
        self.page_counts.pop(visitor_id, None)
        return True

    async def refresh(self, sockets: dict[str, str], expires: float) -> None:
        for sid, visitor_id in sockets.items():
            held = self.sockets.get(visitor_id)
            if held is not None and sid in held:
                held[sid] = expires

    async def sweep(self, now: float) -> list[str]:
        gone = []
        for visitor_id, held in list(self.sockets.items()):
            for sid in [s for s, exp in held.items() if exp < now]:
                del held[sid]
            if not held:
                del self.sockets[visitor_id]
                self.page_counts.pop(visitor_id, None)
                gone.append(visitor_id)
        return gone

    async def live(self, now: float) -> list[str]:
        return [v for v, held in self.sockets.items() if any(e >= now for e in held.values())]

    async def count_page(self, visitor_id: str) -> int:
        self.page_counts[visitor_id] = self.page_counts.get(visitor_id, 0) + 1
        return self.page_counts[visitor_id]

    async def pages(self, visitor_ids: list[str]) -> dict[str, int]:
        return {v: self.page_counts.get(v, 0) for v in visitor_ids}


# KEYS[1] the visitors zset (score: latest expiry), KEYS[2] the visitor's sockets hash
_JOIN = """
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if current and tonumber(current) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
if current then return 0 end
return 1
"""
_LEAVE = """
redis.call('HDEL', KEYS[2], ARGV[2])
local rest = redis.call('HVALS', KEYS[2])
if #rest > 0 then
  local latest = tonumber(rest[1])
  for i = 2, #rest do latest = math.max(latest, tonumber(rest[i])) end
  redis.call('ZADD', KEYS[1], latest, ARGV[1])
  return 0
end
redis.call('DEL', KEYS[3])
return redis.call('ZREM', KEYS[1], ARGV[1])
"""
# drop the visitor's expired sockets; 1 when this call removed the visitor
_SWEEP = """
local now = tonumber(ARGV[2])
local held = redis.call('HGETALL', KEYS[2])
local latest = nil
for i = 1, #held, 2 do
  local exp = tonumber(held[i + 1])
  if exp < now then redis.call('HDEL', KEYS[2], held[i])
  elseif latest == nil or exp > latest then latest = exp end
end
if latest == nil then
  redis.call('DEL', KEYS[3])
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('ZADD', KEYS[1], latest, ARGV[1])
return 0
"""


class RedisPresenceStore:
    def __init__(self, redis: Redis, namespace: str, ttl: float) -> None:
        self.redis = redis
        self.zset = f"{namespace}:visitors-live"
        self.prefix = f"{namespace}:visitor-sockets:"
        self.pages_prefix = f"{namespace}:visitor-pages:"
        self.key_ttl = int(ttl * 4)
        self._join: Any = redis.register_script(_JOIN)
        self._leave: Any = redis.register_script(_LEAVE)
        self._sweep: Any = redis.register_script(_SWEEP)

    def _keys(self, visitor_id: str) -> list[str]:
        return [self.zset, self.prefix + visitor_id, self.pages_prefix + visitor_id]

    async def join(self, visitor_id: str, sid: str, expires: float) -> bool:
        args = [visitor_id, sid, expires, self.key_ttl]
        return bool(await self._join(keys=self._keys(visitor_id)[:2], args=args))

    async def leave(self, visitor_id: str, sid: str) -> bool:
        return bool(await self._leave(keys=self._keys(visitor_id), args=[visitor_id, sid]))

    async def refresh(self, sockets: dict[str, str], expires: float) -> None:
        if not sockets:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for sid, visitor_id in sockets.items():
                pipe.hset(self.prefix + visitor_id, sid, str(expires))
                pipe.expire(self.prefix + visitor_id, self.key_ttl)
                pipe.zadd(self.zset, {visitor_id: expires}, gt=True)
            await pipe.execute()

    async def sweep(self, now: float) -> list[str]:
        stale = await self.redis.zrangebyscore(self.zset, "-inf", now)
        gone = []
        for raw in stale:
            visitor_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            if await self._sweep(keys=self._keys(visitor_id), args=[visitor_id, now]):
                gone.append(visitor_id)
        return gone

    async def live(self, now: float) -> list[str]:
        found = await self.redis.zrangebyscore(self.zset, now, "+inf")
        return [v.decode() if isinstance(v, bytes) else str(v) for v in found]

    async def count_page(self, visitor_id: str) -> int:
        key = self.pages_prefix + visitor_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 86400)
            count, _ = await pipe.execute()
        return int(count)

    async def pages(self, visitor_ids: list[str]) -> dict[str, int]:
        if not visitor_ids:
            return {}
        values = await self.redis.mget([self.pages_prefix + v for v in visitor_ids])
        return {v: int(c or 0) for v, c in zip(visitor_ids, values, strict=True)}


class VisitorPresence:
    """The runtime slot: this process's sockets, the shared store, the refresh loop."""

    def __init__(self) -> None:
        self.store: PresenceStore | None = None
        self.ttl = 15.0
        self.local: dict[str, str] = {}  # sid -> visitor id, sockets held by this process
        self.on_expired: Any = None  # async (visitor_ids) -> None, set by the realtime module
        self._task: asyncio.Task[None] | None = None

    def bind(self, runtime: Any) -> VisitorPresence:
        if self.store is None:
            self.ttl = float(runtime.settings.visitor_presence_ttl_seconds)
            self.store = (
                RedisPresenceStore(runtime.redis, runtime.settings.redis_namespace, self.ttl)
                if runtime.redis is not None
                else MemoryPresenceStore()
            )
        with contextlib.suppress(RuntimeError):  # no running loop yet: the first join starts it
            asyncio.get_running_loop()
            self._ensure_loop()
        return self

    def _ensure_loop(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop())

    def _store(self) -> PresenceStore:
        assert self.store is not None, "bind(runtime) first"
        return self.store

    async def join(self, visitor_id: str, sid: str) -> tuple[bool, str | None]:
        """(this socket made the visitor live, the visitor this socket left by switching
        sessions when it was their last socket)."""
        self._ensure_loop()
        previous = self.local.get(sid)
        self.local[sid] = visitor_id
        left = None
        if previous is not None and previous != visitor_id:
            left = previous if await self._store().leave(previous, sid) else None
        first = await self._store().join(visitor_id, sid, time.time() + self.ttl)
        return first, left

    async def leave(self, sid: str) -> str | None:
        """The visitor id when this was their last socket anywhere."""
        visitor_id = self.local.pop(sid, None)
        if visitor_id is None:
            return None
        return visitor_id if await self._store().leave(visitor_id, sid) else None

    async def live(self) -> list[str]:
        return await self._store().live(time.time())

    async def pages(self, visitor_ids: list[str]) -> dict[str, int]:
        return await self._store().pages(visitor_ids)

    async def count_page(self, visitor_id: str) -> int:
        return await self._store().count_page(visitor_id)

    async def is_live(self, visitor_id: str) -> bool:
        return visitor_id in set(await self.live())

    async def tick(self) -> list[str]:
        """Refresh this process's sockets, then sweep everyone's expired ones."""
        await self._store().refresh(dict(self.local), time.time() + self.ttl)
        return await self._store().sweep(time.time())

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                gone = await self.tick()
                if gone and self.on_expired is not None:
                    await self.on_expired(gone)
            except Exception:  # a Redis blip: the next tick retries
                log.exception("visitor presence refresh failed")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        # this process's visitors are left to expire: another process's sweep reports them


def presence_of(runtime: Any) -> VisitorPresence:
    return runtime.slot(VisitorPresence).bind(runtime)  # type: ignore[no-any-return]
