"""Socket.IO fan-out through Redis that notices an outage and tells its sockets to re-sync.

python-socketio's ``AsyncRedisManager`` resubscribes after Redis comes back, but with a backoff
that reaches 60 s (fan-out came back 12 s after Redis did), and says nothing to the sockets:
every event published while Redis was away is lost for the sockets of the other processes (a
process delivers to its own sockets directly, then publishes for the others). Here the listener retries every 0.2 s doubling up to
``RETRY_MAX_SECONDS``; once it has subscribed again it sends ``resync {reason}`` to every
``/agent`` and ``/widget`` socket of this process (locally, not through Redis): the inbox
refetches what it shows, the widget fetches the messages it missed (``sync``) and the status.
Events are hints; the stored state is the truth.

Publishing for the other processes does not wait for Redis: each emit (and each room
change) is queued, and one task sends the queue in order, everything queued meanwhile in one
pipeline (up to ``OUTBOX_PIPELINE`` each), so a commit's dozen emissions cost one round trip instead of a dozen awaited in
turn (the emitting coroutine's own sockets are served before it returns, as before). Past
``OUTBOX_HIGH_WATER`` queued messages an emit waits for the queue to drain: a Redis slower
than the emitters slows them rather than growing the queue without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio

from baton.realtime.contract import encode

log = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 0.2
RETRY_MAX_SECONDS = 2.0
RESYNC_NAMESPACES = ("/agent", "/widget")
RESYNC_EVENT = "resync"
OUTBOX_HIGH_WATER = 5_000
# at most this many publishes per pipeline: packing and reading a pipeline runs without a
# pause, and 200 AI streams' deltas made pipelines of thousands that held up every stream
OUTBOX_PIPELINE = 256


class ResyncingRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """``AsyncRedisManager`` that reconnects quickly and sends ``resync`` after an outage."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fanout_up = True
        self.outages = 0
        self._resyncs: set[asyncio.Task[None]] = set()
        self._outbox: list[str] = []
        self._sender: asyncio.Task[None] | None = None

    async def _publish(self, data: Any) -> None:
        """Queue ``data`` for the other processes (see the module's docstring)."""
        self._outbox.append(self.json.dumps(data))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_outbox())
        if len(self._outbox) > OUTBOX_HIGH_WATER:
            await asyncio.shield(self._sender)

    async def flush(self) -> None:
        """Wait until everything queued so far has been handed to Redis (or given up)."""
        while self._sender is not None and not self._sender.done():
            await asyncio.shield(self._sender)

    async def _send_outbox(self) -> None:
        while self._outbox:
            batch = self._outbox[:OUTBOX_PIPELINE]
            del self._outbox[:OUTBOX_PIPELINE]
            await self._send(batch)

    async def _send(self, batch: list[str]) -> None:
        for retries_left in (1, 0):  # two attempts, as python-socketio's own publish makes
            try:
                if not self.connected:  # type: ignore[has-type]
                    self._redis_connect()
                async with self.redis.pipeline(transaction=False) as pipe:
                    for message in batch:
                        pipe.publish(self.channel, message)
                    await pipe.execute()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected = False
                if not retries_left:
                    log.error(
                        "realtime fan-out: %d messages not published (Redis): %s: %s",
                        len(batch),
                        type(exc).__name__,
                        exc,
                    )

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        retry = RETRY_FIRST_SECONDS
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry = RETRY_FIRST_SECONDS
                    if not self.fanout_up:
                        self.fanout_up = True
                        log.warning("realtime fan-out restored; asking sockets to re-sync")
                        task = asyncio.create_task(self.resync("realtime_restored"))
                        self._resyncs.add(task)
                        task.add_done_callback(self._resyncs.discard)
                async for message in self.pubsub.listen():
                    yield message
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.fanout_up:
                    self.fanout_up = False
                    self.outages += 1
                    log.warning("realtime fan-out lost (Redis): %s: %s", type(exc).__name__, exc)
                subscribed = False
                await asyncio.sleep(retry)
                retry = min(retry * 2, RETRY_MAX_SECONDS)

    async def resync(self, reason: str) -> None:
        """Tell this process's sockets to fetch their state again (local delivery only)."""
        for namespace in RESYNC_NAMESPACES:
            try:
                await socketio.AsyncManager.emit(
                    self,
                    RESYNC_EVENT,
                    encode(namespace, RESYNC_EVENT, {"reason": reason}),
                    namespace=namespace,
                )
            except Exception:
                log.exception("resync emit failed", extra={"namespace": namespace})
