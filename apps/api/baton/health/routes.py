"""Liveness (``/health``) and readiness (``/health/ready``): database and Redis reachability.

``/health`` answers 200 while the process serves requests (a container restart would not
bring a locked or restarting database back); its body still says what answers. ``/health/ready``
answers 503 when the database cannot answer now (a load balancer takes the process out of
rotation): a connection from the pool and a query within 2 s, and on SQLite the write lock.
Redis is reported on both; REST keeps working without it, so it does not make a process unready.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from baton.auth.edge import PUBLIC
from baton.db.errors import RETRY_AFTER_SECONDS
from baton.kit.http import errors
from baton.runtime import Runtime

CHECK_SECONDS = 2.0


class HealthOut(msgspec.Struct):
    status: str
    database: str
    redis: str
    realtime: str
    jobs: str


async def _check(coro: Any) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await coro
        return "ok"
    except TimeoutError:
        return "error: timeout"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


async def _report(runtime: Runtime, database: str) -> HealthOut:
    redis = await _check(runtime.redis.ping()) if runtime.redis is not None else "not_configured"
    ok = database == "ok" and redis in ("ok", "not_configured")
    return HealthOut(
        status="ok" if ok else "degraded",
        database=database,
        redis=redis,
        realtime="redis" if runtime.redis is not None else "in-process",
        jobs="arq" if runtime.redis is not None else "in-process",
    )


@get("/health", opt=PUBLIC, tags=["health"], responses=errors())
async def health(runtime: Runtime) -> HealthOut:
    """Liveness: 200 while this process answers; the body reports the database and Redis."""
    return await _report(runtime, await _check(runtime.db.ping()))


@get(
    "/health/ready",
    opt=PUBLIC,
    tags=["health"],
    responses={
        **errors(),
        503: ResponseSpec(HealthOut, description="Not ready: the database does not answer"),
    },
)
async def ready(runtime: Runtime) -> Response[HealthOut]:
    """Readiness: 503 (with Retry-After) when the database cannot answer within 2 s."""
    body = await _report(runtime, await _check(runtime.db.ready(CHECK_SECONDS)))
    if body.database != "ok":
        return Response(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return Response(body, status_code=200)
