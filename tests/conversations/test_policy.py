"""``conversations:read_all`` and ownership, the same over REST and sockets: an agent sees
the conversations nobody owns and their own; another agent's is a 404 everywhere."""

from __future__ import annotations

from typing import Any

from baton.runtime import Runtime
from tests.conversations.helpers import agent, cid, visitor
from tests.factories import user_headers
from tests.realtime.clients import barrier
from tests.support import LiveServer


async def test_another_agents_conversation_is_invisible(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    dana, _, dana_token = await agent(server.base_url, client, runtime, name="Dana")
    sam, _, sam_token = await agent(server.base_url, client, runtime, name="Sam")
    sam_h = {"Authorization": f"Bearer {sam_token}"}
    _, admin_h = await user_headers(client, runtime, "admin")
    owned_v, owned = await visitor(server.base_url, visitor={"name": "Priya Secret"})
    open_v, unowned = await visitor(server.base_url, visitor={"name": "Olu Open"})
    owned_id, unowned_id = owned["conversation_id"], unowned["conversation_id"]
    try:
        await owned_v.call("user_message", {"client_id": cid(), "text": "refund for order 77"})
        await open_v.call("user_message", {"client_id": cid(), "text": "refund question"})
        took = await dana.call("take_over", {"conversation_id": owned_id})
        assert "error" not in took, took

        base = f"/api/v1/conversations/{owned_id}"
        for path in (base, f"{base}/messages", f"{base}/events"):
            r = await client.get(path, headers=sam_h)
            assert r.status_code == 404, (path, r.status_code)
            assert (await client.get(path, headers=admin_h)).status_code == 200
        listed = (await client.get("/api/v1/conversations", headers=sam_h)).json()["items"]
        assert [c["id"] for c in listed] == [unowned_id]
        found = await client.get("/api/v1/conversations", params={"q": "refund"}, headers=sam_h)
        assert [c["id"] for c in found.json()["items"]] == [unowned_id]
        everyone = await client.get(
            "/api/v1/conversations", params={"q": "refund"}, headers=admin_h
        )
        assert {c["id"] for c in everyone.json()["items"]} == {owned_id, unowned_id}
        counts = (await client.get("/api/v1/conversations/counts", headers=sam_h)).json()
        assert counts["all"] == 1 and counts["agent"] == 0

        reply = await client.post(
            f"{base}/messages", json={"text": "hi", "client_id": cid()}, headers=sam_h
        )
        assert reply.status_code == 404
        assert (await client.post(f"{base}/resolve", headers=sam_h)).status_code == 404
        for event, body in (
            ("join_session", {"conversation_id": owned_id}),
            ("agent_message", {"conversation_id": owned_id, "client_id": cid(), "text": "x"}),
            ("internal_note", {"conversation_id": owned_id, "text": "peek"}),
            ("typing_start", {"conversation_id": owned_id}),
            ("resolve", {"conversation_id": owned_id}),
        ):
            ack = await sam.call(event, body)
            assert ack.get("error") == "not_found", (event, ack)
        # taking it is a plain conflict: Sam saw it in the queue a moment ago
        ack = await sam.call("take_over", {"conversation_id": owned_id})
        assert ack["error"] == "already_assigned" and "conversation" not in ack

        # the conversation nobody owns is Sam's to read and answer
        assert (await client.get(f"/api/v1/conversations/{unowned_id}", headers=sam_h)).is_success
        joined = await sam.call("join_session", {"conversation_id": unowned_id})
        assert joined["conversation"]["id"] == unowned_id
        # a supervisor (conversations:assign) may step into Dana's conversation
        step_in = await client.post(
            f"{base}/messages", json={"text": "Admin here", "client_id": cid()}, headers=admin_h
        )
        assert step_in.status_code == 201
        transcript = await client.get(f"{base}/messages", headers=admin_h)
        assert [m["text"] for m in transcript.json()["items"]][-1] == "Admin here"
    finally:
        for c in (owned_v, open_v, dana, sam):
            await c.disconnect()


async def test_the_owner_replies_and_leaves_notes(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    dana, _, dana_token = await agent(server.base_url, client, runtime, name="Dana")
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    try:
        await v.call("user_message", {"client_id": cid(), "text": "hello"})
        await dana.call("take_over", {"conversation_id": conversation_id})
        own = await dana.call(
            "agent_message", {"conversation_id": conversation_id, "client_id": cid(), "text": "ok"}
        )
        note = await dana.call(
            "internal_note", {"conversation_id": conversation_id, "text": "VIP customer"}
        )
        assert "error" not in own and "error" not in note
    finally:
        await v.disconnect()
        await dana.disconnect()


async def test_live_rows_follow_the_read_policy(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    """Bo (an agent) sees the waiting row; once Dana takes it over, Bo is told only that it
    left his view, while an admin (read_all) and Dana keep getting the row."""
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    await v.call("user_message", {"client_id": cid(), "text": "my card was charged twice"})
    dana, dana_user, _ = await agent(server.base_url, client, runtime, name="Dana")
    bo, _, _ = await agent(server.base_url, client, runtime, name="Bo")
    ada, _, _ = await agent(server.base_url, client, runtime, role="admin", name="Ada")
    asked = await v.call("request_agent")
    assert asked["status"] == "waiting", asked
    for socket in (dana, bo, ada):
        await socket.wait_for(
            "conversation_updated", lambda p: p["conversation"]["status"] == "waiting"
        )
    before = len(bo.received["conversation_updated"])

    taken = await dana.call("take_over", {"conversation_id": conversation_id})
    assert "error" not in taken, taken
    hint = await bo.wait_for("conversation_hidden")
    assert hint == {
        "conversation_id": conversation_id,
        "status": "agent",
        "assignee_id": str(dana_user.id),
    }
    await ada.wait_for("conversation_updated", lambda p: p["conversation"]["status"] == "agent")
    await dana.wait_for("conversation_updated", lambda p: p["conversation"]["status"] == "agent")
    await v.call("user_message", {"client_id": cid(), "text": "hello? it was 40 euros"})
    await dana.wait_for("message_created", lambda p: "40 euros" in p["message"]["text"])
    await barrier(runtime, bo, ada)
    # Bo got no row of Dana's conversation (nor its messages), the admin never a hint
    assert len(bo.received["conversation_updated"]) == before
    assert not any("40 euros" in str(m) for m in bo.received.get("message_created", []))
    assert not ada.received.get("conversation_hidden")
    for socket in (v, dana, bo, ada):
        await socket.disconnect()
