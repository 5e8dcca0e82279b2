"""The agent-connection registry answers "who of these is connected" for any list, the
empty one included (found by scripts/compose-test: with an agent's inbox open but nobody
set online, every visitor message failed on the Redis-backed registry)."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.conversations.helpers import agent, cid, visitor
from tests.support import LiveServer


async def test_a_visitor_message_is_stored_when_no_agent_is_online_but_one_is_connected(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    sock, user, _ = await agent(server.base_url, client, runtime, presence="offline")
    v, _ = await visitor(server.base_url)
    try:
        assert await runtime.connections.which_connected([]) == set()
        assert await runtime.connections.which_connected([user.id]) == {user.id}
        ack = await v.call("user_message", {"client_id": cid(), "text": "hello?"})
        assert "error" not in ack and ack["id"], ack
    finally:
        await v.disconnect()
        await sock.disconnect()
