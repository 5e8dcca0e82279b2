from __future__ import annotations

import dataclasses

import httpx
import pytest

from baton.auth import service
from baton.kit.errors import RateLimited, Unauthorized
from baton.kit.ratelimit import MemoryRateLimiter
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


async def test_login_rate_limited_per_account_and_per_ip(runtime: Runtime) -> None:
    settings = dataclasses.replace(
        runtime.settings, login_limit_per_account=3, login_limit_per_ip=5, login_window_seconds=60
    )
    limiter = MemoryRateLimiter(clock=lambda: 1_000_000.0)  # one fixed window
    user = await make_user(runtime)
    async with runtime.db.session() as session:
        for _ in range(3):
            with pytest.raises(Unauthorized):
                await service.login(
                    session,
                    settings,
                    limiter,
                    email=user.email,
                    password="bad-pass1",
                    client_ip="10.0.0.1",
                )
        # the right password does not get through once the account is limited
        with pytest.raises(RateLimited):
            await service.login(
                session,
                settings,
                limiter,
                email=user.email,
                password=DEFAULT_PASSWORD,
                client_ip="10.0.0.2",
            )
        # one IP spraying many accounts is limited too
        for i in range(5):
            with pytest.raises(Unauthorized):
                await service.login(
                    session,
                    settings,
                    limiter,
                    email=f"spray{i}@example.com",
                    password="bad-pass1",
                    client_ip="10.0.0.9",
                )
        with pytest.raises(RateLimited):
            await service.login(
                session,
                settings,
                limiter,
                email="other@example.com",
                password="bad-pass1",
                client_ip="10.0.0.9",
            )


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
    finally:
        runtime.settings = original
        await runtime.limiter.reset(f"login:acct:{user.email}")
    assert codes == [401, 401, 429]
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["retry-after"]) > 0
