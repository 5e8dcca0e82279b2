"""Bad input gets a clear error ack / 4xx and changes nothing."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from baton.conversations.models import Conversation, Message
from baton.runtime import Runtime
from tests.conversations.helpers import agent, visitor
from tests.factories import bearer
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer


async def _state(runtime: Runtime) -> tuple[int, list[str]]:
    async with runtime.db.session() as session:
        count = int(await session.scalar(select(func.count()).select_from(Message)) or 0)
        statuses = list(
            await session.scalars(select(Conversation.status).order_by(Conversation.id))
        )
    return count, statuses


async def test_visitor_bad_input(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    v, start = await visitor(server.base_url)
    other, other_start = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": "ok", "text": "a real question"})
        before = await _state(runtime)
        cases = {
            "empty": ({"client_id": "e1", "text": "   "}, "empty_message"),
            "huge": ({"client_id": "e2", "text": "x" * 100_000}, "message_too_long"),
            "missing client_id": ({"text": "hello"}, "invalid_client_id"),
            "client_id wrong type": ({"client_id": 5, "text": "hello"}, "invalid_client_id"),
            "text wrong type": ({"client_id": "e3", "text": {"a": 1}}, "invalid_text"),
            "another visitor's conversation": (
                {
                    "client_id": "e4",
                    "text": "hi",
                    "conversation_id": other_start["conversation_id"],
                },
                "not_found",
            ),
            "unknown conversation": (
                {"client_id": "e5", "text": "hi", "conversation_id": str(uuid.uuid4())},
                "not_found",
            ),
        }
        for name, (payload, code) in cases.items():
            ack = await v.call("user_message", payload)
            assert ack.get("error") == code, (name, ack)
        not_a_dict = await v.call("user_message", "just a string")
        assert not_a_dict["error"] == "validation_error"
        # an agent event from a visitor socket
        sneaky = await v.call(
            "agent_message",
            {
                "conversation_id": start["conversation_id"],
                "client_id": "x",
                "text": "I am the agent now",
            },
        )
        assert sneaky["error"] == "unknown_event"
        take = await v.call("take_over", {"conversation_id": start["conversation_id"]})
        assert take["error"] == "unknown_event"
        bad_token = await v.call("start_session", {"session_token": 12})
        assert bad_token["error"] == "validation_error"
        assert await _state(runtime) == before
    finally:
        await v.disconnect()
        await other.disconnect()


async def test_events_before_start_session_are_refused(server: LiveServer) -> None:
    raw = RecordingClient("/widget")
    await raw.connect(server.base_url)
    try:
        for event in ("user_message", "request_agent", "sync", "typing_start", "end_session"):
            ack = await raw.call(event, {"client_id": "x", "text": "hi"})
            assert ack["error"] == "no_session", event
    finally:
        await raw.disconnect()


async def test_agent_bad_input(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, token = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url)
    cid = start["conversation_id"]
    try:
        await v.call("user_message", {"client_id": "ok", "text": "question"})
        before = await _state(runtime)
        for event, payload, code in [
            ("join_session", {"conversation_id": str(uuid.uuid4())}, "not_found"),
            ("join_session", {"conversation_id": "not-a-uuid"}, "not_found"),
            ("join_session", {}, "validation_error"),
            ("take_over", {"conversation_id": str(uuid.uuid4())}, "not_found"),
            ("agent_message", {"conversation_id": cid, "text": "hi"}, "invalid_client_id"),
            (
                "agent_message",
                {"conversation_id": cid, "client_id": "z", "text": ""},
                "empty_message",
            ),
            (
                "agent_message",
                {"conversation_id": cid, "client_id": "z", "text": "y" * 100_000},
                "message_too_long",
            ),
            ("internal_note", {"conversation_id": cid, "text": "  "}, "empty_message"),
            ("release", {"conversation_id": cid}, "invalid_transition"),
            ("set_presence", {"presence": "sleeping"}, "validation_error"),
            ("fly_to_moon", {}, "unknown_event"),
        ]:
            ack = await dana.call(event, payload)
            assert ack.get("error") == code, (event, payload, ack)
        assert await _state(runtime) == before

        headers = bearer(token)
        missing = await client.get(f"/api/v1/conversations/{uuid.uuid4()}", headers=headers)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        for body, status in [
            ({"text": "", "client_id": "r1"}, 422),
            ({"text": "hi"}, 422),
            ({"text": "hi", "client_id": "r2", "surprise": 1}, 422),
            ({"text": "z" * 100_000, "client_id": "r3"}, 422),
        ]:
            response = await client.post(
                f"/api/v1/conversations/{cid}/messages", json=body, headers=headers
            )
            assert response.status_code == status, (body, response.text)
            assert "error" in response.json()
        bad_status = await client.get(
            "/api/v1/conversations", params={"status": "sleeping"}, headers=headers
        )
        assert bad_status.status_code == 422
        bad_limit = await client.get("/api/v1/conversations", params={"limit": 0}, headers=headers)
        assert bad_limit.status_code == 422
        bad_cursor = await client.get(
            "/api/v1/conversations", params={"cursor": "%%%"}, headers=headers
        )
        assert bad_cursor.status_code == 422
        assert await _state(runtime) == before
    finally:
        await v.disconnect()
        await dana.disconnect()
