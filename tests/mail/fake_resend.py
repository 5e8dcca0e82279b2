"""A local Resend speaking its REST API: ``POST /emails`` (honouring ``Idempotency-Key``)
and ``GET /emails/receiving/{id}`` (inbound emails the test put there). It can fail for a
window of its own clock (which a test advances instead of sleeping) and can hold a request
after accepting it (a worker killed mid-send)."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_KEY = "re_test_key_0123456789"


@dataclass
class Delivered:
    id: str
    body: dict[str, Any]
    idempotency_key: str | None


@dataclass
class FakeResend:
    port: int = 0
    delivered: list[Delivered] = field(default_factory=list)
    failed_attempts: int = 0
    replays: int = 0
    inbound: dict[str, dict[str, Any]] = field(default_factory=dict)
    _by_key: dict[str, str] = field(default_factory=dict)
    _offset: float = 0.0
    _fail_until: float = 0.0
    _hold: asyncio.Event | None = None
    received_while_held: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def clock(self) -> float:
        return time.monotonic() + self._offset

    def fail_for(self, seconds: float) -> None:
        """Answer 503 until ``seconds`` of this fake's clock have passed."""
        self._fail_until = self.clock() + seconds

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def hold_after_accepting(self) -> None:
        """Store the next email, then never answer (until ``release``)."""
        self._hold = asyncio.Event()
        self.received_while_held = asyncio.Event()

    def release(self) -> None:
        if self._hold is not None:
            self._hold.set()
            self._hold = None

    def reset(self) -> None:
        self.release()
        self.delivered.clear()
        self._by_key.clear()
        self.inbound.clear()
        self.failed_attempts = self.replays = 0
        self._fail_until = 0.0

    def to(self, address: str) -> list[Delivered]:
        return [d for d in self.delivered if address in d.body.get("to", [])]

    async def _send(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return web.json_response({"name": "validation_error", "message": "bad key"}, status=401)
        if self.clock() < self._fail_until:
            self.failed_attempts += 1
            return web.json_response({"name": "internal_server_error"}, status=503)
        body = await request.json()
        key = request.headers.get("Idempotency-Key")
        if key and key in self._by_key:
            self.replays += 1
            return web.json_response({"id": self._by_key[key]})
        email_id = str(uuid.uuid4())
        if key:
            self._by_key[key] = email_id
        self.delivered.append(Delivered(email_id, body, key))
        if self._hold is not None:
            hold = self._hold
            self.received_while_held.set()
            await hold.wait()
        return web.json_response({"id": email_id})

    async def _received(self, request: web.Request) -> web.Response:
        found = self.inbound.get(request.match_info["email_id"])
        if found is None:
            return web.json_response({"name": "not_found"}, status=404)
        return web.json_response({"object": "email", **found})

    async def start(self) -> FakeResend:
        app = web.Application()
        app.router.add_post("/emails", self._send)
        app.router.add_get("/emails/receiving/{email_id}", self._received)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self._runner.setup()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
