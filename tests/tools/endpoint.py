"""A real backend serving tools over HTTP: it verifies Baton's signature with the secret it
was given, answers each tool with a JSON result, or fails (a status, a stall) on demand."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support import serve_local


@dataclass
class Call:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class ToolEndpoint:
    secret: str = ""
    mode: str = "ok"  # ok | error500 | stall | not_json
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tools"

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        timestamp = headers.get("X-Baton-Timestamp", "")
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(headers.get("X-Baton-Signature", ""), f"sha256={expected}")

    async def _tools(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = dict(request.headers)
        ok = bool(self.secret) and self.verify(headers, body)
        self.calls.append(Call(headers, body, ok))
        if not ok:
            return web.json_response({"error": "bad signature"}, status=401)
        if self.mode == "error500":
            return web.json_response({"error": "database down"}, status=500)
        if self.mode == "stall":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), 30)
            return web.json_response({"late": True})
        if self.mode == "not_json":
            return web.Response(text="<html>oops</html>", content_type="text/html")
        tool = json.loads(body)["tool"]
        return web.json_response(self.results.get(tool, {"ok": True}))

    async def start(self) -> ToolEndpoint:
        app = web.Application()
        app.router.add_post("/tools", self._tools)
        self._runner, self.port = await serve_local(app)
        return self

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
