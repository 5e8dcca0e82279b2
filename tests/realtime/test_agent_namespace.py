from __future__ import annotations

import httpx
import pytest
import socketio

from baton.realtime.publisher import RedisPublisher
from baton.runtime import Runtime
from tests.factories import user_headers
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer


@pytest.mark.parametrize("auth", [None, {}, {"token": "garbage"}, {"token": "bk_unknown"}])
async def test_agent_namespace_refuses_without_valid_token(
    server: LiveServer, auth: object
) -> None:
    client = RecordingClient("/agent")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server.base_url, auth=auth)
    await client.disconnect()


async def test_publish_reaches_connected_agent(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, headers = await user_headers(client, runtime)
    agent = RecordingClient("/agent")
    await agent.connect(server.base_url, auth={"token": headers["Authorization"][7:]})
    try:
        await runtime.publisher.emit("probe", {"n": 1}, rooms=["agents"], namespace="/agent")
        assert await agent.wait_for("probe") == {"n": 1}
        if runtime.settings.redis_url:
            # the worker's path: a process with no Socket.IO server emits through Redis
            worker_side = RedisPublisher(
                runtime.settings.redis_url, runtime.settings.socketio_channel
            )
            await worker_side.emit("probe", {"n": 2}, rooms=["agents"], namespace="/agent")
            assert await agent.wait_for("probe", lambda d: d["n"] == 2) == {"n": 2}
    finally:
        await agent.disconnect()
