"""Emitters: the api emits through its Socket.IO server; the worker through Redis only.

Both encode every payload through the realtime contract (``contract.encode``) first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import socketio

from baton.realtime.contract import encode


class Publisher(Protocol):
    async def emit(
        self,
        event: str,
        payload: Any,
        *,
        rooms: Sequence[str],
        namespace: str,
        skip_sid: str | None = None,
    ) -> None: ...


class ServerPublisher:
    """Emits through the api's own server; with Redis the manager fans out to every process."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def emit(
        self,
        event: str,
        payload: Any,
        *,
        rooms: Sequence[str],
        namespace: str,
        skip_sid: str | None = None,
    ) -> None:
        await self.sio.emit(
            event,
            encode(namespace, event, payload),
            to=list(rooms),
            namespace=namespace,
            skip_sid=skip_sid,
        )


class RedisPublisher:
    """For processes without a Socket.IO server (the arq worker): write-only Redis manager."""

    def __init__(self, redis_url: str, channel: str) -> None:
        self.manager = socketio.AsyncRedisManager(redis_url, channel=channel, write_only=True)

    async def emit(
        self,
        event: str,
        payload: Any,
        *,
        rooms: Sequence[str],
        namespace: str,
        skip_sid: str | None = None,
    ) -> None:
        await self.manager.emit(
            event,
            encode(namespace, event, payload),
            room=list(rooms),
            namespace=namespace,
            skip_sid=skip_sid,
        )
