"""Real python-socketio clients over the websocket transport, recording what they receive."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import socketio

from baton.runtime import Runtime


class RecordingClient:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: dict[str, list[Any]] = defaultdict(list)
        self._arrived = asyncio.Condition()
        self.sio.on("*", self._record, namespace=namespace)

    async def _record(self, event: str, data: Any = None) -> None:
        async with self._arrived:
            self.received[event].append(data)
            self._arrived.notify_all()

    async def connect(self, base_url: str, auth: Any = None) -> None:
        await self.sio.connect(
            base_url,
            namespaces=[self.namespace],
            transports=["websocket"],
            auth=auth,
            wait_timeout=10,
        )

    async def call(self, event: str, data: Any = None, timeout: float = 10) -> Any:
        return await self.sio.call(
            event, data if data is not None else {}, namespace=self.namespace, timeout=timeout
        )

    async def wait_for(self, event: str, predicate: Any = None, timeout: float = 10) -> Any:
        """Wait for an event (optionally one matching ``predicate``) and return its payload."""

        def find() -> Any:
            for item in self.received.get(event, []):
                if predicate is None or predicate(item):
                    return item
            return None

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: find() is not None), timeout)
            return find()

    async def disconnect(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


async def barrier(runtime: Runtime, *clients: RecordingClient, timeout: float = 10) -> None:
    """Return once everything published before the call has reached each client.

    A probe goes to each socket through the same publisher as the app's own emissions
    (through Redis when it is configured), and Socket.IO keeps order on a connection, so a
    negative assertion made after the barrier cannot pass merely because the machine is
    slow. Work still in flight (a job that has not run yet) is not covered: wait for its
    own sign first.
    """
    for client in clients:
        token = uuid.uuid4().hex
        sid = client.sio.get_sid(client.namespace)
        assert sid is not None, "the client is not connected"
        await runtime.publisher.emit(
            "test_barrier", {"token": token}, rooms=(sid,), namespace=client.namespace
        )
        await client.wait_for("test_barrier", lambda d, t=token: d["token"] == t, timeout)


class LoggingClient(RecordingClient):
    """Keeps every event in arrival order (e.g. deltas, which only make sense replayed in order)."""

    def __init__(self, namespace: str) -> None:
        self.log: list[tuple[str, Any]] = []
        super().__init__(namespace)

    async def _record(self, event: str, data: Any = None) -> None:
        self.log.append((event, data))
        await super()._record(event, data)
