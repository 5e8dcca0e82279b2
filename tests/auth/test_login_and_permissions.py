from __future__ import annotations

import dataclasses

import httpx
import pytest

from baton.auth import service
from baton.kit.errors import RateLimited, Unauthorized
from baton.kit.ratelimit import MemoryFailureLog, MemoryRateLimiter
from baton.runtime import Runtime
from tests.factories import DEFAULT_PASSWORD, bearer, login, make_user, user_headers

ADMIN_ONLY = [
    ("GET", "/api/v1/users", None),
    (
        "POST",
        "/api/v1/users",
        {"email": "n@example.com", "password": "longenough", "role": "agent"},
    ),
    ("GET", "/api/v1/api-keys", None),
    ("POST", "/api/v1/api-keys", {"name": "x"}),
]


async def test_login_returns_token_and_user(client: httpx.AsyncClient, runtime: Runtime) -> None:
    user = await make_user(runtime, role="admin", name="Ada")
    response = await client.post(
        "/api/v1/auth/login", json={"email": user.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": str(user.id), "email": user.email, "name": "Ada", "role": "admin"}
    me = await client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert "users:manage" in me.json()["permissions"]


async def test_wrong_password_and_unknown_email_look_the_same(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user = await make_user(runtime)
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "nope-nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "ghost@example.com", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "error": "invalid_credentials",
            "detail": "invalid email or password",
        }
    )


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY)
async def test_admin_only_endpoints(
    client: httpx.AsyncClient, runtime: Runtime, method: str, path: str, body: object
) -> None:
    anonymous = await client.request(method, path, json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "unauthorized"
    _, agent = await user_headers(client, runtime, "agent")
    forbidden = await client.request(method, path, json=body, headers=agent)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"] == "forbidden"
    _, admin = await user_headers(client, runtime, "admin")
    allowed = await client.request(method, path, json=body, headers=admin)
    assert allowed.status_code in (200, 201)


async def test_garbage_and_expired_tokens_are_401(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    from baton.auth.tokens import issue_access_token

    user = await make_user(runtime)
    expired, _ = issue_access_token(runtime.settings.secret_key, user.id, user.token_version, -1)
    for token in ("garbage", expired, "bk_not-a-key"):
        response = await client.get("/api/v1/me", headers=bearer(token))
        assert response.status_code == 401, token
    no_scheme = await client.get("/api/v1/me", headers={"Authorization": "Token abc"})
    assert no_scheme.status_code == 401


async def test_password_change_signs_out_old_tokens(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    user, headers = await user_headers(client, runtime)
    changed = await client.patch(
        "/api/v1/me",
        json={"password": "brand-new-pass", "current_password": DEFAULT_PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert await login(client, user.email, "brand-new-pass")


async def test_deactivated_user_is_locked_out(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    user, headers = await user_headers(client, runtime)
    response = await client.patch(
        f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin
    )
    assert response.status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    again = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert again.status_code == 401


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_login_lockout_is_per_account_and_source(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failures from other addresses never lock the real user out (review M3), a source that
    keeps failing is locked out with a growing backoff, and one address cannot spray."""
    settings = dataclasses.replace(
        runtime.settings,
        login_limit_per_account=3,
        login_limit_per_ip=8,
        login_window_seconds=60,
        login_failures_alarm=9,
    )
    clock = _Clock()
    monkeypatch.setattr("baton.auth.lockout.time.time", clock)
    limiter = MemoryRateLimiter(clock=clock)
    failures = MemoryFailureLog(clock=clock)
    user = await make_user(runtime)

    async def attempt(password: str, ip: str) -> str:
        async with runtime.db.session() as session:
            try:
                await service.login(
                    session,
                    settings,
                    limiter,
                    email=user.email,
                    password=password,
                    client_ip=ip,
                    failures=failures,
                )
            except Unauthorized:
                return "401"
            except RateLimited as exc:
                return f"429:{exc.retry_after}"
            return "200"

    # five wrong passwords from five addresses, then the right one from a sixth: it works
    assert [await attempt("bad-pass1", f"10.0.0.{i}") for i in range(1, 6)] == ["401"] * 5
    assert await attempt(DEFAULT_PASSWORD, "10.0.1.1") == "200"

    # one address that keeps failing is locked out of the account (even with the password)
    assert [await attempt("bad-pass1", "10.0.2.1") for _ in range(3)] == ["401"] * 3
    locked = await attempt(DEFAULT_PASSWORD, "10.0.2.1")
    assert locked.startswith("429:") and 0 < int(locked[4:]) <= 61
    # ... while the account stays open from a clean address
    assert await attempt(DEFAULT_PASSWORD, "10.0.1.2") == "200"
    # the lock ends after the window; one more failure then locks for twice as long
    clock.now += 61
    assert await attempt("bad-pass1", "10.0.2.1") == "401"
    relocked = await attempt("bad-pass1", "10.0.2.1")
    assert relocked.startswith("429:") and 61 < int(relocked[4:]) <= 121
    # a success from the source clears it
    clock.now += 121
    assert await attempt(DEFAULT_PASSWORD, "10.0.2.1") == "200"
    assert await attempt("bad-pass1", "10.0.2.1") == "401"

    # under attack (many failures across sources) each source gets one failure, not three
    for i in range(9):
        assert await attempt("bad-pass1", f"10.0.3.{i}") == "401"
    assert (await attempt("bad-pass1", "10.0.3.1")).startswith("429:")
    assert await attempt(DEFAULT_PASSWORD, "10.0.4.1") == "200"  # a clean source still works

    # one address spraying many accounts is limited by its attempts per window
    async with runtime.db.session() as session:
        codes = []
        for i in range(9):
            try:
                await service.login(
                    session,
                    settings,
                    limiter,
                    email=f"spray{i}@example.com",
                    password="bad-pass1",
                    client_ip="10.0.0.9",
                    failures=failures,
                )
            except Unauthorized:
                codes.append(401)
            except RateLimited:
                codes.append(429)
    assert codes == [401] * 8 + [429]


async def test_login_rate_limit_over_http(client: httpx.AsyncClient, runtime: Runtime) -> None:
    user = await make_user(runtime)
    original = runtime.settings
    runtime.settings = dataclasses.replace(original, login_limit_per_account=2)
    try:
        codes = [
            (
                await client.post(
                    "/api/v1/auth/login", json={"email": user.email, "password": "wrong-pw"}
                )
            ).status_code
            for _ in range(3)
        ]
        limited = await client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": "wrong-pw"}
        )
        # the same address is now refused even with the right password...
        right = await client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
    finally:
        runtime.settings = original
    assert codes == [401, 401, 429]
    assert right.status_code == 429
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["retry-after"]) > 0
