"""baton.serving: the app every server runs honours proxy headers from trusted proxies only."""

from __future__ import annotations

from typing import Any

import pytest

import baton.app
from baton import serving


def echo_app(seen: list[dict[str, Any]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append({"client": scope.get("client"), "scheme": scope.get("scheme")})

    return app


async def call(app: Any, client: tuple[str, int], scope_type: str = "http") -> None:
    scope = {
        "type": scope_type,
        "scheme": "http" if scope_type == "http" else "ws",
        "client": client,
        "headers": [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-proto", b"https")],
    }

    async def receive() -> Any:
        return {}

    async def send(_: Any) -> None:
        return None

    await app(scope, receive, send)


@pytest.mark.parametrize(
    ("trusted", "peer", "expected_host", "expected_scheme"),
    [
        (None, "127.0.0.1", "203.0.113.9", "https"),  # default: the local proxy
        ("10.0.0.0/8", "10.1.2.3", "203.0.113.9", "https"),  # a CIDR network (compose)
        (None, "198.51.100.7", "198.51.100.7", "http"),  # not a trusted proxy: ignored
        ("", "127.0.0.1", "127.0.0.1", "http"),  # disabled
    ],
)
async def test_forwarded_headers(
    monkeypatch: pytest.MonkeyPatch,
    trusted: str | None,
    peer: str,
    expected_host: str,
    expected_scheme: str,
) -> None:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(baton.app, "build_asgi", lambda: echo_app(seen))
    if trusted is None:
        monkeypatch.delenv(serving.TRUSTED_PROXIES_ENV, raising=False)
    else:
        monkeypatch.setenv(serving.TRUSTED_PROXIES_ENV, trusted)
    app = serving.build_served_app()
    await call(app, (peer, 40000))
    assert seen[0]["client"][0] == expected_host
    assert seen[0]["scheme"] == expected_scheme
    await call(app, (peer, 40000), "websocket")
    assert seen[1]["client"][0] == expected_host
    assert seen[1]["scheme"] == expected_scheme.replace("http", "ws")


def test_unknown_server_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown server"):
        serving.serve(server="gunicorn", host="127.0.0.1", port=0)


def test_socketify_refuses_workers() -> None:
    with pytest.raises(SystemExit, match="one process per"):
        serving.serve(server="socketify", host="127.0.0.1", port=0, workers=2)
