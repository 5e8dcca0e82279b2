"""Limits on the anonymous /widget edge, shared by every api process through the runtime's
rate limiter (Redis when configured). A refused event is acked with
``{error: "rate_limited", detail, retry_after}`` and stores nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from baton.kit.errors import RateLimited
from baton.kit.ratelimit import Hit

if TYPE_CHECKING:
    from baton.runtime import Runtime

WINDOW_SECONDS = 60


def client_address(environ: dict[str, Any]) -> str:
    """The visitor's address as the server saw it (proxy headers from trusted proxies are
    applied before the app, see ``baton.serving``)."""
    return str(environ.get("REMOTE_ADDR") or "unknown")


async def check(runtime: Runtime, what: str, key: str, limit: int) -> None:
    allowed, retry_after = await runtime.limiter.hit(f"widget:{what}:{key}", limit, WINDOW_SECONDS)
    if not allowed:
        _refuse(what, retry_after)


def _refuse(what: str, retry_after: int) -> NoReturn:
    raise RateLimited(
        f"too many {what.replace('_', ' ')}; try again in {retry_after} s",
        retry_after=retry_after,
    )


async def message(runtime: Runtime, session_id: object, address: str) -> None:
    """Per session and per address, counted in one round trip (this runs for every message
    before it is stored: a second sequential round trip was a tenth of its latency)."""
    settings = runtime.settings
    allowed, retry_after = await runtime.limiter.hit_all(
        [
            Hit(
                f"widget:messages:{session_id}",
                settings.widget_messages_per_session,
                WINDOW_SECONDS,
            ),
            Hit(f"widget:messages_ip:{address}", settings.widget_messages_per_ip, WINDOW_SECONDS),
        ]
    )
    if not allowed:
        _refuse("messages", retry_after)


async def session(runtime: Runtime, address: str) -> None:
    await check(runtime, "sessions", address, runtime.settings.widget_sessions_per_ip)


async def connection(runtime: Runtime, address: str) -> None:
    await check(runtime, "connections", address, runtime.settings.widget_connections_per_ip)


async def event(runtime: Runtime, session_key: str) -> None:
    await check(runtime, "events", session_key, runtime.settings.widget_events_per_session)
