"""Run the ASGI app under granian (default), uvicorn or socketify.

granian is the default because it measured fastest here (docs/performance.md, scenario 6).
socketify runs through ``baton.socketify_compat``, which corrects its ASGI defects.

Behind a reverse proxy the client address and scheme come from ``X-Forwarded-For`` /
``X-Forwarded-Proto``, trusted only from ``BATON_TRUSTED_PROXIES`` (comma-separated
addresses or CIDR networks, default ``127.0.0.1``; empty disables). The same middleware runs
under every server, so login rate limits and logs see the visitor's address, not the proxy's.
"""

from __future__ import annotations

import os
import socket
from typing import Any

APP_TARGET = "baton.serving:app"
SERVERS = ("granian", "uvicorn", "socketify")
TRUSTED_PROXIES_ENV = "BATON_TRUSTED_PROXIES"

_app: Any = None


def trusted_proxies() -> list[str]:
    raw = os.environ.get(TRUSTED_PROXIES_ENV, "127.0.0.1")
    return [h.strip() for h in raw.split(",") if h.strip()]


def build_served_app() -> Any:
    """Baton's ASGI app as the servers run it: proxy headers honoured from trusted proxies."""
    from baton.app import build_asgi

    app = build_asgi()
    trusted = trusted_proxies()
    if trusted:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app = ProxyHeadersMiddleware(app, trusted_hosts=trusted)
    return app


def __getattr__(name: str) -> Any:
    # ``baton.serving:app`` is built on first access, in the process that serves it
    global _app
    if name == "app":
        if _app is None:
            _app = build_served_app()
        return _app
    raise AttributeError(name)


def ensure_port_free(host: str, port: int) -> None:
    """Refuse to start when something already listens on ``host:port``.

    granian binds with ``SO_REUSEPORT``: a second ``baton serve`` on the same port would start
    without an error and the kernel would split the connections between the two (each with
    its own data folder and secrets). A plain bind (no ``SO_REUSEPORT``) fails while any
    listener holds the port, so probe with one first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise SystemExit(
                f"cannot serve on {host}:{port}: the port is already in use ({exc.strerror}); "
                "stop the other process or choose another --port"
            ) from None


def serve(*, server: str, host: str, port: int, workers: int = 1) -> None:
    if workers < 1:
        raise SystemExit("--workers must be at least 1")
    ensure_port_free(host, port)
    if server == "granian":
        from granian.constants import Interfaces
        from granian.server import Server

        Server(
            APP_TARGET,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            websockets=True,
            log_access=False,
        ).serve()
    elif server == "uvicorn":
        import uvicorn

        uvicorn.run(
            APP_TARGET,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            proxy_headers=False,  # done by build_served_app, the same way for every server
            lifespan="on",
        )
    elif server == "socketify":
        if workers != 1:
            raise SystemExit(
                "socketify runs one process per `baton serve`; run several behind the proxy "
                "(scripts/cluster, docker/compose.yaml) instead of --workers"
            )
        from baton.socketify_compat import run_socketify

        run_socketify(APP_TARGET, host=host, port=port)
    else:
        raise SystemExit(f"unknown server {server!r} (choose from {', '.join(SERVERS)})")
