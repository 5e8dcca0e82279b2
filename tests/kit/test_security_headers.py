"""Security headers and browser origins (review M6)."""

from __future__ import annotations

import httpx
import pytest

from baton.runtime import Runtime
from tests.factories import user_headers
from tests.support import LiveServer

EVIL = "https://evil.example"


def _csp(response: httpx.Response) -> dict[str, str]:
    out = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value
    return out


async def test_inbox_has_a_strict_csp(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/")
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["permissions-policy"]


async def test_api_responses_are_not_documents(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/widget/config", "/api/v1/me", "/health"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert _csp(response) == {"default-src": "'none'", "frame-ancestors": "'none'"}, path


async def test_widget_frame_ancestors_follow_the_allowed_origins(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    frame = await client.get("/widget/frame.html")
    assert frame.status_code == 200
    assert _csp(frame)["frame-ancestors"] == "*"  # any site until the admin lists some
    assert "x-frame-options" not in frame.headers
    _, admin = await user_headers(client, runtime, "admin")
    saved = await client.patch(
        "/api/v1/widget/settings",
        json={"allowed_origins": ["https://shop.example", "https://*.acme.example/"]},
        headers=admin,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["allowed_origins"] == ["https://shop.example", "https://*.acme.example"]
    assert "allowed_origins" not in (await client.get("/api/v1/widget/config")).json()
    frame = await client.get("/widget/frame.html")
    assert _csp(frame)["frame-ancestors"] == "https://shop.example https://*.acme.example"
    for bad in (["javascript:alert(1)"], ["https://shop.example/path"], ["*"], ["shop.example"]):
        refused = await client.patch(
            "/api/v1/widget/settings", json={"allowed_origins": bad}, headers=admin
        )
        assert refused.status_code == 422, bad
    settings = (await client.get("/api/v1/widget/settings", headers=admin)).json()
    assert settings["allowed_origins"] == ["https://shop.example", "https://*.acme.example"]


async def test_rest_cors_answers_only_allowed_origins(client: httpx.AsyncClient) -> None:
    evil = await client.get("/api/v1/widget/config", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in evil.headers
    preflight = await client.options(
        "/api/v1/auth/login",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers.get("access-control-allow-origin") not in ("*", EVIL)


@pytest.mark.parametrize("transport", ["polling"])
async def test_engineio_refuses_foreign_origins(
    server: LiveServer, client: httpx.AsyncClient, transport: str
) -> None:
    url = f"/socket.io/?EIO=4&transport={transport}"
    evil = await client.get(url, headers={"Origin": EVIL})
    assert evil.status_code == 400
    assert "access-control-allow-origin" not in evil.headers
    same = await client.get(url, headers={"Origin": server.base_url})
    assert same.status_code == 200
    assert same.headers["access-control-allow-origin"] == server.base_url
    no_origin = await client.get(url)  # not a browser
    assert no_origin.status_code == 200
