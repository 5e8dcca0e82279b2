"""Sign-in and REST keep working while Redis is unreachable: rate limits and sign-in failure
counts fall back to this process (per-process limits, not none)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from redis.asyncio import Redis

from baton.auth.lockout import failure_log
from baton.kit.ratelimit import RedisFailureLog, RedisRateLimiter
from baton.runtime import Runtime
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support import free_port, uses_postgres

pytestmark = pytest.mark.skipif(
    not uses_postgres(), reason="the Redis-backed limits (PostgreSQL + Redis run)"
)


@pytest.fixture
def redis_away(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5)
    limiter, failures = runtime.limiter, failure_log(runtime)
    assert isinstance(limiter, RedisRateLimiter) and isinstance(failures, RedisFailureLog)
    monkeypatch.setattr(limiter, "redis", dead)
    monkeypatch.setattr(failures, "redis", dead)
    yield


async def test_sign_in_works_while_redis_is_away(
    client: httpx.AsyncClient, runtime: Runtime, redis_away: None
) -> None:
    user = await make_user(runtime, role="agent")
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "not-the-password"}
    )
    assert wrong.status_code == 401, wrong.text
    right = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert right.status_code == 200, right.text
    token = right.json()["access_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
