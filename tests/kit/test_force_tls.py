from __future__ import annotations

from typing import Any

from baton.kit.tls import force_tls


async def _run(scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await force_tls(app, "https://support.example")(scope, receive, send)
    return sent


def _scope(kind: str, scheme: str, path: str, query: bytes = b"") -> dict[str, Any]:
    return {
        "type": kind,
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(b"host", b"support.example")],
    }


async def test_plain_http_is_redirected_to_https() -> None:
    sent = await _run(_scope("http", "http", "/api/v1/me", b"a=1"))
    assert sent[0]["status"] == 308
    assert dict(sent[0]["headers"])[b"location"] == b"https://support.example/api/v1/me?a=1"


async def test_https_gets_hsts_and_health_stays_open() -> None:
    sent = await _run(_scope("http", "https", "/api/v1/me"))
    assert sent[0]["status"] == 200 and b"strict-transport-security" in dict(sent[0]["headers"])
    health = await _run(_scope("http", "http", "/health"))
    assert health[0]["status"] == 200


async def test_plain_websocket_is_refused() -> None:
    sent = await _run(_scope("websocket", "ws", "/socket.io/"))
    assert sent == [{"type": "websocket.close", "code": 1008}]


async def test_redirect_ignores_the_host_header() -> None:
    """Review L9: the target is the configured public host, whatever Host the client sent."""
    scope = _scope("http", "http", "/api/v1/auth/login", b"x=1")
    scope["headers"] = [(b"host", b"evil.example")]
    sent = await _run(scope)
    assert sent[0]["status"] == 308
    assert dict(sent[0]["headers"])[b"location"] == b"https://support.example/api/v1/auth/login?x=1"
