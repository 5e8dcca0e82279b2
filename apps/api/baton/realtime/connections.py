"""Which agents have the inbox open right now, across every api process.

Presence (online / away) is the agent's choice; being connected is a fact. Waiting
conversations are offered only to agents who chose "online" *and* have a live /agent socket.
With Redis each process keeps a hash of its connected users and a heartbeat key with a short
TTL (``BATON_PROCESS_HEARTBEAT_SECONDS``, refreshed every third of it); a hash whose process has
no heartbeat is ignored (and removed), so a killed process's agents stop counting as online
within that TTL, not after the hash's own ``TTL_SECONDS``. Without Redis it is a dict.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from redis.asyncio import Redis

TTL_SECONDS = 60  # the hash itself (a stopped heartbeat makes it ignored much sooner)
HEARTBEAT_SECONDS = 10


class AgentConnections(Protocol):
    async def connected(self, user_id: uuid.UUID) -> int: ...

    async def disconnected(self, user_id: uuid.UUID) -> int: ...

    async def which_connected(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryConnections:
    def __init__(self) -> None:
        self.counts: Counter[uuid.UUID] = Counter()

    async def connected(self, user_id: uuid.UUID) -> int:
        self.counts[user_id] += 1
        return self.counts[user_id]

    async def disconnected(self, user_id: uuid.UUID) -> int:
        self.counts[user_id] = max(0, self.counts[user_id] - 1)
        remaining = self.counts[user_id]
        if not remaining:
            del self.counts[user_id]
        return remaining

    async def which_connected(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return {u for u in user_ids if self.counts.get(u)}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisConnections:
    def __init__(
        self, redis: Redis, namespace: str, *, heartbeat_seconds: float = HEARTBEAT_SECONDS
    ) -> None:
        self.redis = redis
        self.prefix = f"{namespace}:agent-conns:"
        # the processes that hold a hash: read as one set, not by SCANning the keyspace
        # (a shared Redis with thousands of keys took hundreds of round trips per call)
        self.index_key = f"{namespace}:agent-conns-processes"
        self.heartbeat_prefix = f"{namespace}:process-alive:"
        self.process = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.key = f"{self.prefix}{self.process}"
        self.heartbeat_key = f"{self.heartbeat_prefix}{self.process}"
        self.heartbeat_ms = max(1000, int(heartbeat_seconds * 1000))
        self.local = MemoryConnections()
        self._task: asyncio.Task[None] | None = None

    async def _publish(self) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.heartbeat_key, "1", px=self.heartbeat_ms)
            pipe.sadd(self.index_key, self.process)
            pipe.delete(self.key)
            if self.local.counts:
                pipe.hset(self.key, mapping={str(u): n for u, n in self.local.counts.items()})
                pipe.expire(self.key, TTL_SECONDS)
            await pipe.execute()

    async def connected(self, user_id: uuid.UUID) -> int:
        count = await self.local.connected(user_id)
        await self._publish()
        return count

    async def disconnected(self, user_id: uuid.UUID) -> int:
        await self.local.disconnected(user_id)
        await self._publish()
        return len(await self.which_connected([user_id]))

    async def which_connected(self, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        wanted = {str(u): u for u in user_ids}
        found: set[uuid.UUID] = set()
        if not wanted:  # HMGET with no fields is an error in Redis, not an empty answer
            return found
        members = await self.redis.smembers(self.index_key)  # type: ignore[misc]
        processes = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
        if not processes:
            return found
        fields = list(wanted)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.mget([f"{self.heartbeat_prefix}{p}" for p in processes])
            for process in processes:
                pipe.hmget(f"{self.prefix}{process}", fields)
            beats, *counts = await pipe.execute()
        dead = []
        for process, beat, values in zip(processes, beats, counts, strict=True):
            if beat is None and process != self.process:
                dead.append(process)  # its process stopped refreshing: it crashed or was killed
                continue
            found |= {wanted[k] for k, v in zip(fields, values, strict=True) if v and int(v) > 0}
        if dead:
            with contextlib.suppress(Exception):
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.srem(self.index_key, *dead)
                    pipe.delete(*(f"{self.prefix}{p}" for p in dead))
                    await pipe.execute()
        return found

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_ms / 3000)
            with contextlib.suppress(Exception):  # Redis blips: the next refresh retries
                await self._publish()

    async def start(self) -> None:
        with contextlib.suppress(Exception):
            await self._publish()
        self._task = asyncio.create_task(self._refresh())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(Exception):
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.srem(self.index_key, self.process)
                pipe.delete(self.key, self.heartbeat_key)
                await pipe.execute()
