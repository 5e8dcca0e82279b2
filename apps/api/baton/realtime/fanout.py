"""Socket.IO fan-out through Redis that notices an outage and tells its sockets to re-sync.

python-socketio's ``AsyncRedisManager`` resubscribes after Redis comes back, but with a backoff
that reaches 60 s (fan-out came back 12 s after Redis did), and says nothing to the sockets:
every event published while Redis was away is lost for the sockets of the other processes (a
process delivers to its own sockets directly, then publishes for the others). Here the listener retries every 0.2 s doubling up to
``RETRY_MAX_SECONDS``; once it has subscribed again it sends ``resync {reason}`` to every
``/agent`` and ``/widget`` socket of this process (locally, not through Redis): the inbox
refetches what it shows, the widget fetches the messages it missed (``sync``) and the status.
Events are hints; the stored state is the truth.
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


class ResyncingRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """``AsyncRedisManager`` that reconnects quickly and sends ``resync`` after an outage."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fanout_up = True
        self.outages = 0
        self._resyncs: set[asyncio.Task[None]] = set()

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
