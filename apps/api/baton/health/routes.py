from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Response, get

from baton.auth.edge import PUBLIC
from baton.runtime import Runtime


class HealthOut(msgspec.Struct):
    status: str
    database: str
    redis: str
    realtime: str
    jobs: str


async def _check(coro: Any) -> str:
    try:
        await asyncio.wait_for(coro, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


@get("/health", opt=PUBLIC, tags=["health"])
async def health(runtime: Runtime) -> Response[HealthOut]:
    database = await _check(runtime.db.ping())
    redis = await _check(runtime.redis.ping()) if runtime.redis is not None else "not_configured"
    ok = database == "ok" and redis in ("ok", "not_configured")
    body = HealthOut(
        status="ok" if ok else "degraded",
        database=database,
        redis=redis,
        realtime="redis" if runtime.redis is not None else "in-process",
        jobs="arq" if runtime.redis is not None else "in-process",
    )
    return Response(body, status_code=200 if ok else 503)
