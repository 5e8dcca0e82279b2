"""A lean Socket.IO (protocol 5, Engine.IO 4) client over one shared aiohttp session.

The load generators hold up to a few thousand sockets in one process on a 2-core machine,
so this client does the minimum: WebSocket transport only, acks, and a cheap prefix check
that counts the events a scenario ignores without decoding their JSON. Tests use the real
python-socketio client; this is for load only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import aiohttp

EventHandler = Callable[[str, str, float], None]  # (event, raw JSON array text, received_at)


class SioError(RuntimeError):
    pass


def _event_name(body: str) -> str:
    # body is '["name",...]'
    if body.startswith('["'):
        end = body.find('"', 2)
        if end > 0:
            return body[2:end]
    return json.loads(body)[0]


class SioConn:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        namespace: str,
        on_event: EventHandler | None = None,
        decode: frozenset[str] = frozenset(),
    ) -> None:
        self.session = session
        self.ns = namespace
        self.on_event = on_event
        self.decode = decode  # events whose payload the handler needs
        self.counts: Counter[str] = Counter()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_ack = 1
        self.reader: asyncio.Task[None] | None = None
        self.connected = False
        self.closed_reason: str | None = None
        self._connected = asyncio.get_running_loop().create_future()

    async def connect(
        self,
        base_url: str,
        auth: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 20,
    ) -> None:
        url = base_url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.session.ws_connect(
            url,
            headers=headers,
            heartbeat=None,
            autoping=True,
            max_msg_size=0,
            timeout=aiohttp.ClientWSTimeout(ws_close=5),
            compress=0,
        )
        opened = await asyncio.wait_for(self.ws.receive(), timeout)
        if opened.type != aiohttp.WSMsgType.TEXT or not opened.data.startswith("0"):
            raise SioError(f"unexpected engine.io open: {opened!r}")
        self.reader = asyncio.create_task(self._read())
        await self.ws.send_str(f"40{self.ns}," + (json.dumps(auth) if auth else ""))
        await asyncio.wait_for(self._connected, timeout)

    async def _read(self) -> None:
        assert self.ws is not None
        prefix_len = len(self.ns) + 1
        try:
            async for msg in self.ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                data: str = msg.data
                kind = data[:1]
                if kind == "2":  # engine.io ping
                    await self.ws.send_str("3")
                    continue
                if kind != "4":
                    continue
                ptype = data[1:2]
                rest = data[2:]
                if rest.startswith(self.ns):
                    rest = rest[prefix_len:]
                if ptype == "2":  # event
                    now = time.perf_counter()
                    name = _event_name(rest)
                    self.counts[name] += 1
                    if self.on_event is not None and name in self.decode:
                        self.on_event(name, rest, now)
                elif ptype == "3":  # ack
                    i = 0
                    while i < len(rest) and rest[i].isdigit():
                        i += 1
                    fut = self.acks.pop(int(rest[:i]), None)
                    if fut is not None and not fut.done():
                        fut.set_result(json.loads(rest[i:])[0])
                elif ptype == "0":
                    self.connected = True
                    if not self._connected.done():
                        self._connected.set_result(None)
                elif ptype == "4":
                    if not self._connected.done():
                        self._connected.set_exception(SioError(f"connect refused: {rest}"))
                elif ptype == "1":
                    break
        except (aiohttp.ClientError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.connected = False
            self.closed_reason = self.closed_reason or "closed"
            for fut in self.acks.values():
                if not fut.done():
                    fut.set_exception(SioError("socket closed"))
            self.acks.clear()
            if not self._connected.done():
                self._connected.set_exception(SioError("socket closed before connect"))

    async def emit(self, event: str, data: Any) -> None:
        assert self.ws is not None
        await self.ws.send_str(f"42{self.ns}," + json.dumps([event, data]))

    async def call(self, event: str, data: Any = None, timeout: float = 30) -> Any:
        assert self.ws is not None
        if not self.connected:
            raise SioError("not connected")
        ack = self.next_ack
        self.next_ack += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[ack] = fut
        await self.ws.send_str(f"42{self.ns},{ack}" + json.dumps([event, data or {}]))
        return await asyncio.wait_for(fut, timeout)

    async def close(self) -> None:
        if self.ws is not None and not self.ws.closed:
            with contextlib.suppress(Exception):
                await self.ws.send_str(f"41{self.ns},")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader


def new_session(limit: int = 0) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, force_close=False, enable_cleanup_closed=True)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None))


async def gather_limited(n: int, limit: int, make: Callable[[int], Any]) -> list[Any]:
    """Run ``make(i)`` for i in range(n) with at most ``limit`` in flight; exceptions returned."""
    sem = asyncio.Semaphore(limit)

    async def one(i: int) -> Any:
        async with sem:
            try:
                return await make(i)
            except Exception as exc:
                return exc

    return list(await asyncio.gather(*(one(i) for i in range(n))))
