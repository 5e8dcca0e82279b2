"""``BATON_FORCE_TLS``: plain-HTTP requests are redirected to https (WebSockets refused), and
https responses carry HSTS. Run it behind the proxy-headers layer so ``scheme`` is the
client's, not the proxy hop's. ``/health`` stays reachable over http for load balancers.

The redirect goes to the host of ``BATON_PUBLIC_URL``, never to the request's ``Host``
header (which the client chooses: a 308 keeps method and body, so a login posted over http
would otherwise be re-posted wherever the request said)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
EXEMPT = ("/health",)


def force_tls(app: Any, public_url: str) -> Any:
    public_host = urlsplit(public_url).netloc
    if not public_host:
        raise ValueError("BATON_FORCE_TLS needs BATON_PUBLIC_URL (https://your.host)")

    async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket") or scope.get("path") in EXEMPT:
            await app(scope, receive, send)
            return
        if scope.get("scheme") in ("http", "ws"):
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            host = public_host
            query = scope.get("query_string", b"").decode()
            target = f"https://{host}{scope.get('raw_path', b'').decode() or scope['path']}"
            if query and "?" not in target:
                target += f"?{query}"
            await send(
                {
                    "type": "http.response.start",
                    "status": 308,
                    "headers": [(b"location", target.encode()), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_hsts(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), HSTS]
            await send(message)

        await app(scope, receive, send_with_hsts if kind == "http" else send)

    return middleware
