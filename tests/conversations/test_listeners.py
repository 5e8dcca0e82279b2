"""Conversation events reach exactly who should hear them, once per commit."""

from __future__ import annotations

from typing import Any

from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from tests.conversations.helpers import agent, cid, visitor
from tests.support import LiveServer


async def _barrier(runtime: Runtime, *clients: Any) -> None:
    """Events to one socket arrive in order: once a probe sent after the action arrives,
    everything the action sent has arrived too."""
    token = cid()
    async with unit_of_work(runtime) as uow:
        uow.publish("probe", {"token": token}, rooms="agents", namespace="/agent")
    for c in clients:
        await c.wait_for("probe", lambda d: d["token"] == token)


async def test_reply_that_takes_over_sends_one_conversation_update(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    dana, _, _ = await agent(server.base_url, client, runtime, name="Dana")
    watcher, _, _ = await agent(server.base_url, client, runtime, name="Watcher")
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    try:
        await v.call("user_message", {"client_id": cid(), "text": "hello"})
        await _barrier(runtime, dana, watcher)
        watcher.received.clear()
        dana.received.clear()
        ack = await dana.call(
            "agent_message",
            {"conversation_id": conversation_id, "client_id": cid(), "text": "Hi, I'm Dana"},
        )
        assert "error" not in ack, ack
        await _barrier(runtime, dana, watcher)
        updates = [
            u["conversation"]
            for u in dana.received["conversation_updated"]
            if u["conversation"]["id"] == conversation_id
        ]
        # the take-over and the reply in one commit: one update with the final state
        assert [(u["status"], u["assignee"]["name"]) for u in updates] == [("agent", "Dana")]
        assert updates[0]["last_message"]["text"] == "Hi, I'm Dana"
        # the watcher may not read Dana's conversation: one hint that it left his view
        assert [h["status"] for h in watcher.received["conversation_hidden"]] == ["agent"]
        assert not [
            u
            for u in watcher.received.get("conversation_updated", [])
            if u["conversation"]["id"] == conversation_id
        ]
        notes = [
            m["message"]["text"]
            for m in watcher.received.get("message_created", [])
            if m["message"]["conversation_id"] == conversation_id
        ]
        assert notes == []  # the watcher has not opened it, and Dana owns it
        await v.wait_for("agent_message", lambda d: d["text"] == "Hi, I'm Dana")
        status = await v.wait_for("status_changed", lambda d: d["status"] == "agent")
        assert status == {"status": "agent", "queue_position": None}
    finally:
        for c in (v, dana, watcher):
            await c.disconnect()


async def test_handoff_notification_quotes_the_visitor(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    dana, _, _ = await agent(server.base_url, client, runtime)
    v, _ = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "My parcel never came"})
        ack = await v.call("request_agent", {})
        assert ack["status"] == "waiting"
        note = await dana.wait_for("new_notification", lambda n: n["kind"] == "waiting")
        assert note["text"] == "My parcel never came"
    finally:
        await v.disconnect()
        await dana.disconnect()
