"""Lossless delivery: acks after commit, resends by client_id stored and seen exactly once."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from baton.conversations.models import Message
from baton.runtime import Runtime
from tests.conversations.helpers import agent, visitor
from tests.factories import bearer
from tests.realtime.clients import RecordingClient, barrier
from tests.support import LiveServer


async def _count(runtime: Runtime, text: str) -> int:
    async with runtime.db.session() as session:  # texts are sealed: compared once read
        return sum(1 for t in await session.scalars(select(Message.text)) if t == text)


async def test_resend_after_connection_killed_mid_flight(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, token = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    await dana.call("join_session", {"conversation_id": conversation_id})
    try:
        # fire the message and cut the connection before any ack can come back
        await v.sio.emit(
            "user_message",
            {"client_id": "flaky-1", "text": "Did this arrive?"},
            namespace="/widget",
        )
        await v.sio.eio.disconnect(abort=True)
        # stored or not (either may happen), the resend below must give one message

        again = RecordingClient("/widget")
        await again.connect(server.base_url)
        resumed = await again.call("start_session", {"session_token": start["session_token"]})
        assert resumed["conversation_id"] == conversation_id and resumed["resumed"] is True
        ack = await again.call("user_message", {"client_id": "flaky-1", "text": "Did this arrive?"})
        assert "error" not in ack, ack
        ack2 = await again.call(
            "user_message", {"client_id": "flaky-1", "text": "Did this arrive?"}
        )
        assert ack2["id"] == ack["id"] and ack2["duplicate"] is True

        await dana.wait_for("message_created", lambda d: d["message"]["client_id"] == "flaky-1")
        await barrier(runtime, dana)  # a duplicate broadcast would have arrived before this
        seen = [
            d for d in dana.received["message_created"] if d["message"]["client_id"] == "flaky-1"
        ]
        assert len(seen) == 1
        assert await _count(runtime, "Did this arrive?") == 1
        transcript = (
            await client.get(
                f"/api/v1/conversations/{conversation_id}/messages", headers=bearer(token)
            )
        ).json()["items"]
        assert [m["client_id"] for m in transcript].count("flaky-1") == 1
        await again.disconnect()
    finally:
        await dana.disconnect()


async def test_concurrent_resends_store_once(server: LiveServer, runtime: Runtime) -> None:
    v, _ = await visitor(server.base_url)
    try:
        acks = await asyncio.gather(
            *[v.call("user_message", {"client_id": "same", "text": "once only"}) for _ in range(5)]
        )
        assert len({a["id"] for a in acks}) == 1, acks
        assert await _count(runtime, "once only") == 1
    finally:
        await v.disconnect()


async def test_sync_returns_what_was_missed(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, token = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url)
    cid = start["conversation_id"]
    try:
        first = await v.call("user_message", {"client_id": "m1", "text": "first"})
        await dana.call("take_over", {"conversation_id": cid})
        await dana.call(
            "agent_message",
            {"conversation_id": cid, "client_id": "a1", "text": "while you were away"},
        )
        missed = await v.call("sync", {"after_id": first["id"]})
        texts = [m["text"] for m in missed["messages"]]
        assert texts == ["Dana joined the conversation", "while you were away"]
        assert missed["status"] == "agent"
        # agents re-sync over REST with ?after=
        rest = await client.get(
            f"/api/v1/conversations/{cid}/messages",
            params={"after": first["id"]},
            headers=bearer(token),
        )
        assert [m["text"] for m in rest.json()["items"]] == texts
    finally:
        await v.disconnect()
        await dana.disconnect()
