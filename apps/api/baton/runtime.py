"""What a running process holds: settings, database, Redis, the emitter and the job queue.

The api builds one at start-up (with its Socket.IO server); the worker builds one with a
Redis-only emitter. Domains reach it through the unit of work, never through globals.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, TypeVar

import socketio
from redis.asyncio import Redis

from baton.db import Database
from baton.jobs.queues import ArqQueue, InProcessQueue, JobQueue
from baton.kit.crypto import Envelope
from baton.kit.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from baton.kit.redis_pool import redis_client
from baton.realtime.connections import AgentConnections, MemoryConnections, RedisConnections
from baton.realtime.publisher import Publisher, RedisPublisher, ServerPublisher
from baton.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
FANOUT_FLUSH_SECONDS = 2.0


class Slots:
    """Per-process state that domains keep on the runtime, typed by its class.

    ``runtime.slot(ReplyScheduler)`` returns this process's one instance (made on first use
    with no arguments), so no domain reads or tramples another's state by a string key.
    """

    def __init__(self) -> None:
        self._items: dict[type[Any], Any] = {}

    def get(self, cls: type[T]) -> T:
        item = self._items.get(cls)
        if item is None:
            item = self._items[cls] = cls()
        return item  # type: ignore[no-any-return]

    def values(self) -> list[Any]:
        return list(self._items.values())


@dataclass
class Runtime:
    settings: Settings
    db: Database
    redis: Redis | None
    publisher: Publisher
    jobs: JobQueue
    limiter: RateLimiter
    envelope: Envelope
    connections: AgentConnections = field(default_factory=MemoryConnections)
    sio: socketio.AsyncServer | None = None
    slots: Slots = field(default_factory=Slots)

    def slot(self, cls: type[T]) -> T:
        return self.slots.get(cls)

    async def start(self) -> None:
        from baton.keys.service import load_keyring

        await load_keyring(self.db, self.settings)  # KeyringError: the wrong master key
        await self.jobs.start(self)
        await self.connections.start()

    async def stop(self) -> None:
        for item in self.slots.values():  # finish what each domain has in flight
            close = getattr(item, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception:
                    log.exception("closing %s failed", type(item).__name__)
        await self._flush_fanout()
        await self.connections.stop()
        await self.jobs.stop()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.dispose()

    async def _flush_fanout(self) -> None:
        """The process's last events reach the others (its fan-out queues them)."""
        flush = getattr(getattr(self.sio, "manager", None), "flush", None)
        if flush is None:
            return
        try:
            async with asyncio.timeout(FANOUT_FLUSH_SECONDS):
                await flush()
        except Exception:  # Redis away: events are hints, the stored state is the truth
            log.warning("realtime fan-out not flushed at shutdown", exc_info=True)


def build_runtime(
    settings: Settings, *, sio: socketio.AsyncServer | None, run_jobs_in_process: bool | None = None
) -> Runtime:
    """``sio`` is the api's server; the worker passes None and emits through Redis."""
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    in_process = run_jobs_in_process if run_jobs_in_process is not None else redis is None
    jobs: JobQueue = (
        InProcessQueue()
        if in_process
        else ArqQueue(settings.redis_url or "", settings.job_queue_name)
    )
    if sio is not None:
        publisher: Publisher = ServerPublisher(sio)
    elif settings.redis_url:
        publisher = RedisPublisher(settings.redis_url, settings.socketio_channel)
    else:
        raise RuntimeError("a process without a Socket.IO server needs BATON_REDIS_URL to emit")
    return Runtime(
        settings=settings,
        db=Database(
            settings.database_url,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            lock_timeout_ms=settings.db_lock_timeout_ms,
            busy_timeout_ms=settings.db_busy_timeout_ms,
            pool_timeout_seconds=settings.db_pool_timeout_seconds,
        ),
        redis=redis,
        publisher=publisher,
        jobs=jobs,
        limiter=RedisRateLimiter(redis, settings.redis_namespace)
        if redis is not None
        else MemoryRateLimiter(),
        envelope=Envelope(settings.master_key, settings.previous_master_keys),
        connections=(
            RedisConnections(
                redis,
                settings.redis_namespace,
                heartbeat_seconds=settings.process_heartbeat_seconds,
            )
            if redis is not None
            else MemoryConnections()
        ),
        sio=sio,
    )
