"""A Redis client whose connection pool lets concurrent commands check out at once.

redis-py before 7.2 holds the pool's lock while it checks a connection out *and* makes
sure it is ready (``ensure_connection``: connect if new, then a zero-timeout read to see
that nothing is left unread, which yields to the event loop). Concurrent commands
therefore checked out one per loop iteration, and under load every iteration runs other
tasks' work: 48 AI replies taking their Redis leases at once finished 5-7 ms apart, the
last after 280 ms (``bench_lib.ttftcost`` at 50 streams). redis-py 7.2 checks outside the
lock (redis/redis-py#3885, issue #3842); arq 0.28 pins redis < 6, so this is that fix on
the pool class we can choose: the lock guards only the pool's lists, and each command
readies its own connection.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection


class ConcurrentConnectionPool(ConnectionPool):
    async def get_connection(
        self, command_name: Any = None, *keys: Any, **options: Any
    ) -> AbstractConnection:
        async with self._lock:
            connection: AbstractConnection = self.get_available_connection()  # type: ignore[no-untyped-call]
        try:
            await self.ensure_connection(connection)  # this connection is ours alone now
        except BaseException:
            await self.release(connection)
            raise
        return connection


def redis_client(url: str) -> Redis:
    """``Redis.from_url`` on a :class:`ConcurrentConnectionPool` (closed with the client)."""
    return Redis.from_pool(ConcurrentConnectionPool.from_url(url))
