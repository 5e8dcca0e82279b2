"""Job queues: arq on Redis in production, an in-process runner on the embedded default."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.cron import next_cron

from baton.jobs.registry import registry, run_job

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)


class JobQueue(Protocol):
    async def enqueue(
        self, name: str, kwargs: dict[str, Any], *, defer_seconds: float | None = None
    ) -> None: ...

    async def start(self, runtime: Runtime) -> None: ...

    async def stop(self) -> None: ...


def arq_redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


class ArqQueue:
    """Enqueues into Redis; ``baton worker`` executes the jobs and runs the crons."""

    def __init__(self, redis_url: str, queue_name: str) -> None:
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.pool: ArqRedis | None = None

    async def start(self, runtime: Runtime) -> None:
        self.pool = await create_pool(
            arq_redis_settings(self.redis_url), default_queue_name=self.queue_name
        )

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()
            self.pool = None

    async def enqueue(
        self, name: str, kwargs: dict[str, Any], *, defer_seconds: float | None = None
    ) -> None:
        registry.get(name)  # fail fast on a typo, not in the worker
        if self.pool is None:
            raise RuntimeError("job queue not started")
        await self.pool.enqueue_job(
            name, _queue_name=self.queue_name, _defer_by=defer_seconds, **kwargs
        )


class InProcessQueue:
    """Same job functions, run by tasks in this process; crons fire on arq's schedule."""

    def __init__(self, concurrency: int = 4) -> None:
        self.concurrency = concurrency
        self.queue: asyncio.Queue[tuple[str, dict[str, Any], int]] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []
        self.runtime: Runtime | None = None
        self.idle = asyncio.Event()
        self.idle.set()
        self._inflight = 0
        self.deferred: set[asyncio.TimerHandle] = set()

    async def start(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.tasks = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        self.tasks.append(asyncio.create_task(self._cron()))

    async def stop(self) -> None:
        for handle in self.deferred:
            handle.cancel()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []

    async def enqueue(
        self, name: str, kwargs: dict[str, Any], *, defer_seconds: float | None = None
    ) -> None:
        registry.get(name)
        self._later(defer_seconds or 0, (name, kwargs, 1))

    def _later(self, delay: float, item: tuple[str, dict[str, Any], int]) -> None:
        if delay <= 0:
            self._put(item)
            return
        loop = asyncio.get_running_loop()
        # forget timers that already fired, keep the pending ones cancellable on stop()
        self.deferred = {h for h in self.deferred if not h.cancelled() and h.when() > loop.time()}
        self.deferred.add(loop.call_later(delay, self._put, item))

    def _put(self, item: tuple[str, dict[str, Any], int]) -> None:
        self._inflight += 1
        self.idle.clear()
        self.queue.put_nowait(item)

    async def drain(self, timeout: float = 10) -> None:
        """Wait until every job due now has finished (deferred ones are not waited for)."""
        async with asyncio.timeout(timeout):
            await self.idle.wait()

    async def _work(self) -> None:
        while True:
            name, kwargs, attempt = await self.queue.get()
            spec = registry.get(name)
            try:
                assert self.runtime is not None
                # asyncio.timeout, not wait_for: 3.11's wait_for drops a cancel that lands as
                # the job finishes, and stop() would wait on this task for ever
                async with asyncio.timeout(spec.timeout_seconds):
                    await run_job(self.runtime, name, kwargs)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job failed", extra={"job": name, "attempt": attempt})
                if attempt < spec.max_tries:
                    self._later(min(60.0, 2.0**attempt), (name, kwargs, attempt + 1))
            finally:
                self._inflight -= 1
                if self._inflight <= 0:
                    self._inflight = 0
                    self.idle.set()

    async def _cron(self) -> None:
        now = datetime.now(UTC)
        due = {
            c.job: (
                now if c.run_at_startup else next_cron(now, minute=_set(c.minute), second=c.second)
            )
            for c in registry.crons
        }
        specs = {c.job: c for c in registry.crons}
        while True:
            now = datetime.now(UTC)
            for name, when in due.items():
                if when <= now:
                    await self.enqueue(name, {})
                    c = specs[name]
                    due[name] = next_cron(
                        now + timedelta(seconds=1), minute=_set(c.minute), second=c.second
                    )
            await asyncio.sleep(0.5)


def _set(values: frozenset[int] | None) -> set[int] | None:
    return set(values) if values is not None else None
