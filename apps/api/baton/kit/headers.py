"""Security headers on every HTTP response, and who may talk to the api from a browser.

| path | headers |
| --- | --- |
| every response | ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``, ``Permissions-Policy`` |
| ``/app`` (the inbox) and ``/`` | a strict ``Content-Security-Policy`` (scripts and styles from the api's own origin only, no framing), ``X-Frame-Options: DENY``, ``Cross-Origin-Opener-Policy`` |
| ``/widget/`` documents (the chat frame) | a CSP whose ``frame-ancestors`` lists the workspace's allowed origins (widget settings ``allowed_origins``; any site when empty) |
| ``/api``, ``/health`` | ``default-src 'none'; frame-ancestors 'none'`` (JSON is never a document) |
| ``/schema`` | ``X-Frame-Options: DENY`` (the API reference loads its viewer from a CDN) |

Browser origins (``BATON_CORS_ORIGINS``): REST CORS answers only those; Socket.IO accepts
those plus the api's own origin (the inbox and the widget frame are served from it). The
default is the origin of ``BATON_PUBLIC_URL``; ``*`` must be asked for explicitly, and then
Engine.IO stops allowing credentials.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (
        b"permissions-policy",
        b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        b"accelerometer=(), gyroscope=(), magnetometer=(), browsing-topics=()",
    ),
]

INBOX_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# the chat frame injects its stylesheet at run time (one request less): inline styles only
WIDGET_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors {ancestors}"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"

FrameAncestors = Callable[[], Awaitable[Sequence[str]]]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _kind(path: str) -> str:
    if path == "/" or path == "/app" or path.startswith("/app/"):
        return "inbox"
    if path.startswith("/widget/") or path == "/widget":
        return "widget"
    if path.startswith("/schema"):
        return "schema"
    return "api"


def security_headers(app: Any, frame_ancestors: FrameAncestors) -> Any:
    """ASGI middleware adding the headers above to every HTTP response."""

    async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        kind = _kind(scope.get("path", ""))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = list(BASE_HEADERS)
                content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if kind == "inbox":
                    extra += [
                        (b"content-security-policy", INBOX_CSP.encode()),
                        (b"x-frame-options", b"DENY"),
                        (b"cross-origin-opener-policy", b"same-origin"),
                    ]
                elif kind == "widget" and content_type.startswith(b"text/html"):
                    allowed = await frame_ancestors()
                    ancestors = " ".join(allowed) if allowed else "*"
                    extra.append(
                        (
                            b"content-security-policy",
                            WIDGET_CSP.format(ancestors=ancestors).encode(),
                        )
                    )
                elif kind == "schema":
                    extra.append((b"x-frame-options", b"DENY"))
                elif kind == "api":
                    extra += [
                        (b"content-security-policy", API_CSP.encode()),
                        (b"x-frame-options", b"DENY"),
                    ]
                message["headers"] = headers + [(k, v) for k, v in extra if k not in present]
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def cors_origins(configured: Sequence[str], public_url: str) -> list[str]:
    """The REST CORS allow-list: the configured origins, else the public URL's origin."""
    origins = [o.rstrip("/") for o in configured if o.strip()]
    return origins or [origin_of(public_url)]


def socket_origin_check(configured: Sequence[str], public_url: str) -> Callable[..., bool]:
    """Engine.IO ``cors_allowed_origins``: the allow-list plus the api's own origin."""
    allowed = set(cors_origins(configured, public_url))

    def check(origin: str | None, environ: dict[str, Any] | None = None) -> bool:
        if not origin:
            return True  # not a browser (no Origin header): CORS does not apply
        if "*" in allowed or origin.rstrip("/").lower() in allowed:
            return True
        host = (environ or {}).get("HTTP_HOST", "")
        return bool(host) and urlsplit(origin).netloc.lower() == str(host).lower()

    return check
