"""The whole story with real Socket.IO clients: visitor, queue, take-over, notes, release, resolve."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.conversations.helpers import agent, visitor
from tests.factories import bearer
from tests.realtime.clients import barrier
from tests.support import LiveServer


async def test_visitor_to_agent_and_back(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, dana_user, token = await agent(server.base_url, client, runtime, name="Dana")
    v, start = await visitor(
        server.base_url,
        visitor={
            "name": "Vera",
            "email": "vera@example.com",
            "page_url": "https://shop.example/cart",
        },
    )
    conversation_id = start["conversation_id"]
    assert start["status"] == "bot" and start["messages"] == [] and start["session_token"]
    try:
        first = await v.call("user_message", {"client_id": "c1", "text": "Where is my parcel?"})
        assert "error" not in first, first

        queued = await v.call("request_agent", {})
        assert queued["status"] == "waiting" and queued["queue_position"] == 1
        status = await v.wait_for("status_changed", lambda d: d["status"] == "waiting")
        assert status["queue_position"] == 1
        told = await v.wait_for("system_message", lambda d: "queue" in d["text"])
        assert "next in the queue" in told["text"]
        update = await dana.wait_for(
            "conversation_updated", lambda d: d["conversation"]["status"] == "waiting"
        )
        assert update["conversation"]["visitor"]["name"] == "Vera"

        joined = await dana.call("join_session", {"conversation_id": conversation_id})
        assert [m["text"] for m in joined["messages"]][0] == "Where is my parcel?"
        taken = await dana.call("take_over", {"conversation_id": conversation_id})
        assert taken["conversation"]["status"] == "agent"
        assert taken["conversation"]["assignee"]["name"] == "Dana"
        assert (await v.wait_for("system_message", lambda d: "joined" in d["text"]))[
            "text"
        ] == "Dana joined the conversation"
        assert (await v.wait_for("status_changed", lambda d: d["status"] == "agent"))[
            "status"
        ] == "agent"

        reply = await dana.call(
            "agent_message",
            {
                "conversation_id": conversation_id,
                "client_id": "a1",
                "text": "Hi Vera, let me check.",
            },
        )
        assert "error" not in reply
        got = await v.wait_for("agent_message")
        assert got["text"] == "Hi Vera, let me check." and got["agent"] == {"name": "Dana"}

        await v.call("user_message", {"client_id": "c2", "text": "Thanks!"})
        created = await dana.wait_for(
            "message_created", lambda d: d["message"]["text"] == "Thanks!"
        )
        assert created["message"]["sender"] == "visitor"

        note = await dana.call(
            "internal_note",
            {"conversation_id": conversation_id, "text": "VIP customer, refund if needed"},
        )
        assert "error" not in note
        await dana.wait_for("message_created", lambda d: d["message"]["internal"])

        released = await dana.call("release", {"conversation_id": conversation_id})
        assert released["conversation"]["status"] == "bot"
        await v.wait_for("status_changed", lambda d: d["status"] == "bot")

        resolved = await client.post(
            f"/api/v1/conversations/{conversation_id}/resolve", headers=bearer(token)
        )
        assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
        await v.wait_for("status_changed", lambda d: d["status"] == "resolved")
        await barrier(runtime, v)

        # the visitor never saw the note, in any event
        everything = [str(p) for events in v.received.values() for p in events]
        assert not any("VIP customer" in p for p in everything)

        transcript = await client.get(
            f"/api/v1/conversations/{conversation_id}/messages", headers=bearer(token)
        )
        assert transcript.status_code == 200
        items = transcript.json()["items"]
        assert [(m["sender"], m["internal"]) for m in items] == [
            ("visitor", False),
            ("system", False),
            ("system", False),
            ("agent", False),
            ("visitor", False),
            ("agent", True),
            ("system", False),
            ("system", False),
        ]
        assert [m["text"] for m in items][0] == "Where is my parcel?"
        assert len({m["id"] for m in items}) == len(items)
        assert [m["id"] for m in items] == sorted(m["id"] for m in items)

        events = (
            await client.get(
                f"/api/v1/conversations/{conversation_id}/events", headers=bearer(token)
            )
        ).json()["items"]
        assert [
            (e["from_status"], e["to_status"], e["actor_kind"], e["actor_name"], e["reason"])
            for e in events
        ] == [
            ("bot", "waiting", "visitor", None, "visitor_request"),
            ("waiting", "agent", "agent", "Dana", "take_over"),
            ("agent", "bot", "agent", "Dana", "released"),
            ("bot", "resolved", "agent", "Dana", "resolved"),
        ]
    finally:
        await v.disconnect()
        await dana.disconnect()
