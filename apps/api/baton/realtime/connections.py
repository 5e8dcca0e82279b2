"""Which agents have the inbox open right now, across every api process.

Presence (online / away) is the agent's choice; being connected is a fact. Waiting
conversations are offered only to agents who chose "online" *and* have a live /agent socket.
With Redis each process keeps a hash of its connected users and a heartbeat key with a short
TTL (``BATON_PROCESS_HEARTBEAT_SECONDS``, refreshed every third of it); a hash whose process has
no heartbeat is ignored (and removed), so a killed process's agents stop counting as online
within that TTL, not after the hash's own ``TTL_SECONDS``. Without Redis it is a dict.

The same goes for the conversations each agent has open (``join_session`` until
``leave_session`` or the socket goes): a person reading a thread needs no notification of
its next message, and asking costs a lookup instead of a job.
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

    async def opened(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None: ...

    async def closed(self, user_id: uuid.UUID, conversation_ids: Iterable[uuid.UUID]) -> None: ...

    async def which_have_open(
        self, conversation_id: uuid.UUID, user_ids: Iterable[uuid.UUID]
    ) -> set[uuid.UUID]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryConnections:
    def __init__(self) -> None:
        self.counts: Counter[uuid.UUID] = Counter()
        # (user, conversation) -> sockets of that user with the conversation open
        self.open: Counter[tuple[uuid.UUID, uuid.UUID]] = Counter()

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

    async def opened(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        self.open[(user_id, conversation_id)] += 1

    async def closed(self, user_id: uuid.UUID, conversation_ids: Iterable[uuid.UUID]) -> None:
        for conversation_id in conversation_ids:
            key = (user_id, conversation_id)
            self.open[key] -= 1
            if self.open[key] <= 0:
                del self.open[key]

    async def which_have_open(
        self, conversation_id: uuid.UUID, user_ids: Iterable[uuid.UUID]
    ) -> set[uuid.UUID]:
        return {u for u in user_ids if self.open.get((u, conversation_id))}

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
        self.open_prefix = f"{namespace}:agent-open:"
        self.open_key = f"{self.open_prefix}{self.process}"
        self.heartbeat_key = f"{self.heartbeat_prefix}{self.process}"
        self.heartbeat_ms = max(1000, int(heartbeat_seconds * 1000))
        self.local = MemoryConnections()
        self._task: asyncio.Task[None] | None = None

    async def _publish(self, *, with_open: bool = False) -> None:
        """Rewrite this process's hash of connected users (and, from the heartbeat, of open
        conversations: kept current field by field, rewritten in case Redis lost it)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.heartbeat_key, "1", px=self.heartbeat_ms)
            pipe.sadd(self.index_key, self.process)
            pipe.delete(self.key)
            if self.local.counts:
                pipe.hset(self.key, mapping={str(u): n for u, n in self.local.counts.items()})
                pipe.expire(self.key, TTL_SECONDS)
            if with_open:
                pipe.delete(self.open_key)
                if self.local.open:
                    fields = {_open_field(u, c): n for (u, c), n in self.local.open.items()}
                    pipe.hset(self.open_key, mapping=fields)
            pipe.expire(self.open_key, TTL_SECONDS)
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
        counted = await self._counted(self.prefix, list(wanted), include_self=True)
        return {wanted[f] for f in counted}

    async def opened(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        await self.local.opened(user_id, conversation_id)
        await self._publish_open(user_id, [conversation_id])

    async def closed(self, user_id: uuid.UUID, conversation_ids: Iterable[uuid.UUID]) -> None:
        ids = list(conversation_ids)
        await self.local.closed(user_id, ids)
        await self._publish_open(user_id, ids)

    async def _publish_open(self, user_id: uuid.UUID, conversation_ids: list[uuid.UUID]) -> None:
        if not conversation_ids:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.heartbeat_key, "1", px=self.heartbeat_ms)
            pipe.sadd(self.index_key, self.process)
            for c in conversation_ids:
                n = self.local.open.get((user_id, c), 0)
                if n:
                    pipe.hset(self.open_key, _open_field(user_id, c), str(n))
                else:
                    pipe.hdel(self.open_key, _open_field(user_id, c))
            pipe.expire(self.open_key, TTL_SECONDS)
            await pipe.execute()

    async def which_have_open(
        self, conversation_id: uuid.UUID, user_ids: Iterable[uuid.UUID]
    ) -> set[uuid.UUID]:
        wanted = set(user_ids)
        found = await self.local.which_have_open(conversation_id, wanted)  # no round trip
        rest = {_open_field(u, conversation_id): u for u in wanted - found}
        counted = await self._counted(self.open_prefix, list(rest), include_self=False)
        return found | {rest[f] for f in counted}

    async def _counted(self, prefix: str, fields: list[str], *, include_self: bool) -> set[str]:
        """The fields with a positive count in a live process's hash under ``prefix``."""
        found: set[str] = set()
        if not fields:  # HMGET with no fields is an error in Redis, not an empty answer
            return found
        members = await self.redis.smembers(self.index_key)  # type: ignore[misc]
        processes = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
        if not include_self:
            processes = [p for p in processes if p != self.process]
        if not processes:
            return found
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.mget([f"{self.heartbeat_prefix}{p}" for p in processes])
            for process in processes:
                pipe.hmget(f"{prefix}{process}", fields)
            beats, *counts = await pipe.execute()
        dead = []
        for process, beat, values in zip(processes, beats, counts, strict=True):
            if beat is None and process != self.process:
                dead.append(process)  # its process stopped refreshing: it crashed or was killed
                continue
            found |= {f for f, v in zip(fields, values, strict=True) if v and int(v) > 0}
        if dead:
            with contextlib.suppress(Exception):
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.srem(self.index_key, *dead)
                    pipe.delete(*(f"{self.prefix}{p}" for p in dead))
                    pipe.delete(*(f"{self.open_prefix}{p}" for p in dead))
                    await pipe.execute()
        return found

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_ms / 3000)
            with contextlib.suppress(Exception):  # Redis blips: the next refresh retries
                await self._publish(with_open=True)

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
                pipe.delete(self.key, self.heartbeat_key, self.open_key)
                await pipe.execute()


def _open_field(user_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    return f"{conversation_id}:{user_id}"
