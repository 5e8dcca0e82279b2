"""``baton worker``: the arq worker, which outlives Redis outages.

arq's own main loop ends (and the process exits) at the first Redis error while polling. Here
the worker logs it, drops its pool, waits (0.2 s doubling to 5 s) and connects again, with the
same runtime (database pool, registry) and the same cron schedule; a job running during the
outage finishes its database work, and arq's in-progress key (or the job's own lease: mail,
webhooks) decides whether it runs again. SIGINT/SIGTERM still stop it as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from arq.connections import ArqRedis
from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from baton_worker.settings import worker_settings

log = logging.getLogger("baton.worker")

RECONNECT_FIRST_SECONDS = 0.2
RECONNECT_MAX_SECONDS = 5.0


class ReconnectingWorker(Worker):
    """An arq worker whose main loop survives a lost Redis connection."""

    reconnects = 0

    @property
    def pool(self) -> ArqRedis:
        """arq's pool; while it is dropped, a Redis error rather than ``None``. A job that was
        running when Redis went away finishes by writing its result through this: with
        ``None`` that was an AttributeError, which ended the main loop (the worker exited)
        instead of being one more reason to reconnect."""
        if self._pool is None:
            raise RedisConnectionError("the worker is reconnecting to Redis")
        return self._pool

    async def main(self) -> None:
        delay = RECONNECT_FIRST_SECONDS
        while True:
            try:
                await super().main()
                return  # burst mode only: the queue is drained
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning(
                    "redis unavailable, reconnecting in %.1fs: %s: %s",
                    delay,
                    type(exc).__name__,
                    exc,
                )
                await self._drop_pool()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                self.reconnects += 1
                continue

    async def _drop_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                await pool.close(close_connection_pool=True)


def run_worker() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())
    ReconnectingWorker(**worker_settings()).run()
