"""Bad input gets a clear 4xx in the error shape, never a 500."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.factories import user_headers


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


async def test_wrong_types_and_unknown_fields(client: httpx.AsyncClient, runtime: Runtime) -> None:
    wrong = await client.post("/api/v1/auth/login", json={"email": 5, "password": []})
    assert wrong.status_code == 422 and wrong.json()["error"] == "validation_error"
    _, admin = await user_headers(client, runtime, "admin")
    unknown = await client.post(
        "/api/v1/users",
        json={"email": "a@example.com", "password": "longenough", "is_superuser": True},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert "is_superuser" in str(unknown.json()["detail"])
    not_object = await client.post("/api/v1/users", json=[1, 2], headers=admin)
    assert not_object.status_code in (400, 422)


async def test_oversized_body(client: httpx.AsyncClient, runtime: Runtime) -> None:
    big = b'{"email": "' + b"a" * (runtime.settings.max_body_bytes + 10) + b'", "password": "x"}'
    response = await client.post(
        "/api/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


async def test_unknown_route_and_bad_id(client: httpx.AsyncClient, runtime: Runtime) -> None:
    missing = await client.get("/api/v1/nope")
    assert missing.status_code in (401, 404)
    assert "error" in missing.json()
    _, admin = await user_headers(client, runtime, "admin")
    bad_id = await client.get("/api/v1/users/not-a-uuid", headers=admin)
    assert bad_id.status_code in (400, 404)
    assert "error" in bad_id.json()


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert response.json()["database"] == "ok"


async def test_options_is_never_a_server_error(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/users", "/api/v1/conversations", "/api/v1/api-keys"):
        response = await client.options(path)
        assert response.status_code < 500, (path, response.text)
    # the tests' BATON_PUBLIC_URL is http://127.0.0.1: its origin is allowed by default ...
    preflight = await client.options(
        "/api/v1/conversations",
        headers={"Origin": "http://127.0.0.1", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "http://127.0.0.1"
    # ... another site is not (CORS is no longer "*" by default)
    foreign = await client.options(
        "/api/v1/conversations",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"},
    )
    assert 400 <= foreign.status_code < 500
    assert "access-control-allow-origin" not in foreign.headers
