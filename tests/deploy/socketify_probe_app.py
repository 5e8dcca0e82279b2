"""A tiny Litestar app that exposes what the server hands it (run under socketify in tests)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from litestar import Litestar, Request, WebSocket, get, websocket
from litestar.response import Stream

MARKER = Path(os.environ["PROBE_MARKER_DIR"])


@asynccontextmanager
async def lifespan(_: Litestar) -> AsyncIterator[None]:
    (MARKER / "startup").write_text("ok")
    try:
        yield
    finally:
        await anyio.sleep(0.05)  # shutdown work that needs the loop
        (MARKER / "shutdown").write_text("ok")


@get("/scope/{name:str}")
async def scope_probe(request: Request[Any, Any, Any], name: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": request.scope["path"],
        "query_string": request.scope["query_string"].decode(),
        "query": dict(request.query_params),
        "client": list(request.scope["client"] or []),
    }


@get("/stream")
async def stream() -> Stream:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(5):
            with anyio.fail_after(5):  # a cancel scope inside a streamed response
                await anyio.sleep(0.01)
            yield f"chunk{i}\n".encode()

    return Stream(chunks(), media_type="text/plain")


@websocket("/ws")
async def ws(socket: WebSocket[Any, Any, Any]) -> None:
    await socket.accept()
    text = await socket.receive_text()
    await socket.send_json(
        {
            "echo": text,
            "query_string": socket.scope["query_string"].decode(),
            "has_method": "method" in socket.scope,
        }
    )
    await socket.close()


app = Litestar([scope_probe, stream, ws], lifespan=[lifespan])
