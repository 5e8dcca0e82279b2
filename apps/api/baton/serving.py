"""Run the ASGI app under granian (default), uvicorn or socketify.

granian is the default because it measured fastest here (docs/performance.md, scenario 6).
socketify runs through ``baton.socketify_compat``, which corrects its ASGI defects.
"""

from __future__ import annotations

APP_TARGET = "baton.asgi:app"
SERVERS = ("granian", "uvicorn", "socketify")


def serve(*, server: str, host: str, port: int, workers: int = 1) -> None:
    if workers < 1:
        raise SystemExit("--workers must be at least 1")
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
            proxy_headers=True,
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
