"""Run the ASGI app under granian (default), uvicorn or socketify."""

from __future__ import annotations

APP_TARGET = "baton.asgi:app"


def serve(*, server: str, host: str, port: int, workers: int = 1) -> None:
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
        from baton.socketify_compat import run_socketify

        run_socketify(APP_TARGET, host=host, port=port)
    else:
        raise ValueError(f"unknown server {server!r}")
