"""An integrator's endpoint: records every POST with its headers; can fail the first N
attempts of each delivery (by ``X-Baton-Delivery``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support import serve_local


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    fail_first: int = 0
    fail_status: int = 500
    port: int = 0
    received: list[Received] = field(default_factory=list)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        delivery = request.headers.get("X-Baton-Delivery")
        earlier = sum(1 for r in self.received if r.headers.get("X-Baton-Delivery") == delivery)
        status = self.fail_status if earlier < self.fail_first else 200
        async with self._arrived:
            self.received.append(Received(dict(request.headers), body, status))
            self._arrived.notify_all()
        return web.json_response({"ok": status == 200}, status=status)

    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.status == 200]

    async def wait_for(self, predicate: Any, timeout: float = 15) -> None:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: predicate(self)), timeout)

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner, self.port = await serve_local(app)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
