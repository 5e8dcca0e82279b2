"""Visitors and agents as real Socket.IO clients."""

from __future__ import annotations

import uuid
from typing import Any

from baton.runtime import Runtime
from tests.factories import login, make_user
from tests.realtime.clients import RecordingClient


async def visitor(base_url: str, **start: Any) -> tuple[RecordingClient, dict[str, Any]]:
    client = RecordingClient("/widget")
    await client.connect(base_url)
    ack = await client.call("start_session", start or {})
    assert "error" not in ack, ack
    return client, ack


async def agent(
    base_url: str,
    http: Any,
    runtime: Runtime,
    *,
    role: str = "agent",
    name: str = "Dana",
    presence: str = "online",
) -> tuple[RecordingClient, Any, str]:
    user = await make_user(runtime, role=role, name=name, presence=presence)
    token = await login(http, user.email)
    client = RecordingClient("/agent")
    await client.connect(base_url, auth={"token": token})
    return client, user, token


def cid() -> str:
    return uuid.uuid4().hex
