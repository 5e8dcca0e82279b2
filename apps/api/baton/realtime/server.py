"""The Socket.IO server: in-process rooms, or Redis fan-out across api processes."""

from __future__ import annotations

import socketio

from baton.realtime.fanout import ResyncingRedisManager
from baton.settings import Settings


def build_sio(settings: Settings) -> socketio.AsyncServer:
    manager = (
        ResyncingRedisManager(settings.redis_url, channel=settings.socketio_channel)
        if settings.redis_url
        else None
    )
    origins: str | list[str] = "*" if "*" in settings.cors_origins else list(settings.cors_origins)
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=origins,
        max_http_buffer_size=settings.max_body_bytes,
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
