"""Registers proactive chat on /agent and reports visitors whose sockets expired."""

from __future__ import annotations

import uuid

import socketio

from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from baton.visitors import proactive
from baton.visitors.presence import presence_of
from baton.visitors.service import left


def register(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    proactive.actions.register(sio, runtime)

    async def expired(visitor_ids: list[str]) -> None:
        async with unit_of_work(runtime) as uow:
            for visitor_id in visitor_ids:
                left(uow, uuid.UUID(visitor_id))

    presence_of(runtime).on_expired = expired
