"""The end of a conversation: a follow-up reaches the agent who resolved it (while they are
online and it is recent), and a visitor can start a new conversation instead."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update

from baton.conversations.models import Conversation
from baton.db.base import utcnow
from baton.runtime import Runtime
from tests.conversations.helpers import agent, cid, visitor
from tests.factories import bearer, user_headers
from tests.realtime.clients import RecordingClient, barrier
from tests.support import LiveServer


async def _next_status(v: RecordingClient, seen: int) -> str:
    """The first status the visitor is told about after the ``seen`` ones before it."""
    await v.wait_for("status_changed", lambda _: len(v.received["status_changed"]) > seen)
    return str(v.received["status_changed"][seen]["status"])


async def _resolved_by_agent(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> tuple:  # type: ignore[type-arg]
    v, start = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    await v.call("user_message", {"client_id": cid(), "text": "my parcel never arrived"})
    a, user, token = await agent(server.base_url, client, runtime)
    taken = await a.call("take_over", {"conversation_id": conversation_id})
    assert "error" not in taken, taken
    done = await client.post(
        f"/api/v1/conversations/{conversation_id}/resolve", headers=bearer(token)
    )
    assert done.status_code in (200, 201), done.text
    await v.wait_for("status_changed", lambda p: p["status"] == "resolved")
    return v, a, user, token, conversation_id


async def test_a_quick_follow_up_goes_back_to_the_resolving_agent(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    v, a, user, token, conversation_id = await _resolved_by_agent(server, client, runtime)
    seen = len(v.received["status_changed"])
    answers_before = len(v.received.get("bot_message", []))
    ack = await v.call("user_message", {"client_id": cid(), "text": "sorry, one more thing"})
    assert "error" not in ack, ack
    assert await _next_status(v, seen) == "agent"
    got = await client.get(f"/api/v1/conversations/{conversation_id}", headers=bearer(token))
    assert got.json()["status"] == "agent"
    assert got.json()["assignee"]["id"] == str(user.id)
    line = await v.wait_for("system_message", lambda m: "back in this conversation" in m["text"])
    assert "Dana" in line["text"]
    # the agent is told, and the AI stays out of it
    # (a job-phase listener: on Redis it runs in the worker, so wait for its push)
    await a.wait_for("new_notification", lambda n: "came back" in n["text"])
    notes = await client.get("/api/v1/notifications", headers=bearer(token))
    assert any("came back" in n["text"] for n in notes.json()["items"])
    await barrier(runtime, v)
    assert len(v.received.get("bot_message", [])) == answers_before
    await v.disconnect()
    await a.disconnect()


async def test_a_late_follow_up_or_an_absent_agent_goes_to_the_ai(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    v, a, _, token, conversation_id = await _resolved_by_agent(server, client, runtime)
    async with runtime.db.session() as session:  # resolved two hours ago
        await session.execute(
            update(Conversation)
            .where(Conversation.id == uuid.UUID(conversation_id))
            .values(resolved_at=utcnow() - timedelta(hours=2))
        )
        await session.commit()
    seen = len(v.received["status_changed"])
    await v.call("user_message", {"client_id": cid(), "text": "hello again"})
    assert await _next_status(v, seen) == "bot"
    await v.disconnect()

    # an agent who left the inbox is not waited for either
    v2, a2, _, token2, second = await _resolved_by_agent(server, client, runtime)
    await a2.disconnect()
    seen = len(v2.received["status_changed"])
    await v2.call("user_message", {"client_id": cid(), "text": "are you there?"})
    assert await _next_status(v2, seen) == "bot"
    got = await client.get(f"/api/v1/conversations/{second}", headers=bearer(token2))
    assert got.json()["assignee"] is None
    await v2.disconnect()
    await a.disconnect()


async def test_the_window_is_a_workspace_setting(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    bad = await client.patch(
        "/api/v1/settings", headers=admin, json={"reopen_with_agent_minutes": -1}
    )
    assert bad.status_code == 422
    off = await client.patch(
        "/api/v1/settings", headers=admin, json={"reopen_with_agent_minutes": 0}
    )
    assert off.status_code == 200 and off.json()["reopen_with_agent_minutes"] == 0
    v, a, _, _, _ = await _resolved_by_agent(server, client, runtime)
    seen = len(v.received["status_changed"])
    await v.call("user_message", {"client_id": cid(), "text": "one more question"})
    assert await _next_status(v, seen) == "bot"
    await v.disconnect()
    await a.disconnect()


async def test_a_visitor_starts_a_new_conversation_after_a_resolved_one(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    v, start = await visitor(server.base_url, visitor={"name": "Rosa", "email": "rosa@example.com"})
    first = start["conversation_id"]
    await v.call("user_message", {"client_id": cid(), "text": "where is my order?"})
    refused = await v.call("new_conversation")
    assert refused["error"] == "conversation_open"

    _, admin = await user_headers(client, runtime, "admin")
    done = await client.post(f"/api/v1/conversations/{first}/resolve", headers=admin)
    assert done.status_code in (200, 201)
    fresh = await v.call("new_conversation")
    assert "error" not in fresh, fresh
    assert fresh["conversation_id"] != first and fresh["previous_conversation_id"] == first
    assert fresh["session_token"] != start["session_token"] and fresh["status"] == "bot"
    assert fresh["messages"] == [] and fresh["welcome"]

    sent = await v.call("user_message", {"client_id": cid(), "text": "a new question"})
    assert "error" not in sent, sent
    old = await client.get(f"/api/v1/conversations/{first}", headers=admin)
    new = await client.get(f"/api/v1/conversations/{fresh['conversation_id']}", headers=admin)
    assert old.json()["status"] == "resolved"  # the finished thread is left as it was
    assert new.json()["visitor"]["id"] == old.json()["visitor"]["id"]
    assert new.json()["visitor"]["email"] == "rosa@example.com"
    texts = [
        m["text"]
        for m in (
            await client.get(
                f"/api/v1/conversations/{fresh['conversation_id']}/messages", headers=admin
            )
        ).json()["items"]
    ]
    assert "a new question" in texts

    # a reload resumes the new conversation with the new token
    await v.disconnect()
    again, resumed = await visitor(server.base_url, session_token=fresh["session_token"])
    assert resumed["conversation_id"] == fresh["conversation_id"] and resumed["resumed"] is True
    await again.disconnect()


async def test_new_conversation_needs_a_session(server: LiveServer) -> None:
    bare = RecordingClient("/widget")
    await bare.connect(server.base_url)
    assert (await bare.call("new_conversation"))["error"] == "no_session"
    await bare.disconnect()
