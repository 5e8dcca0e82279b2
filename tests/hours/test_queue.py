"""Queue ETA from recent waits, and the offline form for a wait past the limit."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select

from baton.conversations.models import Conversation, ConversationEvent
from baton.hours.jobs import offer_offline
from baton.hours.queue import eta_seconds
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from tests.conversations.helpers import agent, visitor
from tests.factories import user_headers
from tests.support import LiveServer


def test_eta_scales_with_position_and_agents() -> None:
    assert eta_seconds(3, 60.0, 1) == 180
    assert eta_seconds(3, 60.0, 3) == 60
    assert eta_seconds(None, 60.0, 1) is None
    assert eta_seconds(1, None, 1) is None
    assert eta_seconds(1, 60.0, 0) is None


async def _backdate_waiting(runtime: Runtime, conversation_id: str, seconds: int) -> None:
    """As if the visitor had queued ``seconds`` earlier."""
    cid = uuid.UUID(conversation_id)
    shift = timedelta(seconds=seconds)
    async with runtime.db.session() as session:
        events = await session.scalars(
            select(ConversationEvent).where(
                ConversationEvent.conversation_id == cid, ConversationEvent.to_status == "waiting"
            )
        )
        for event in events:
            event.created_at = event.created_at - shift
        conversation = await session.get(Conversation, cid)
        assert conversation is not None and conversation.waiting_since is not None
        conversation.waiting_since = conversation.waiting_since - shift
        await session.commit()


async def test_eta_comes_from_recent_waits(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, _ = await agent(server.base_url, client, runtime)
    first, s1 = await visitor(server.base_url)
    second, _ = await visitor(server.base_url)
    try:
        assert "eta_seconds" not in await first.call("request_agent", {})  # no basis yet
        await _backdate_waiting(runtime, s1["conversation_id"], 120)
        taken = await dana.call("take_over", {"conversation_id": s1["conversation_id"]})
        assert taken["conversation"]["status"] == "agent"
        ack = await second.call("request_agent", {})
        assert ack["queue_position"] == 1
        assert 115 <= ack["eta_seconds"] <= 125, ack  # one agent, a two-minute median wait
    finally:
        for c in (first, second, dana):
            await c.disconnect()


async def test_a_wait_past_the_limit_is_offered_the_offline_form_once(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    hours = (await client.get("/api/v1/business-hours", headers=admin)).json()
    r = await client.put(
        "/api/v1/business-hours", json={**hours, "wait_limit_seconds": 60}, headers=admin
    )
    assert r.status_code == 200, r.text
    v, start = await visitor(server.base_url)
    patient, _ = await visitor(server.base_url)
    try:
        await v.call("request_agent", {})
        await patient.call("request_agent", {})
        await _backdate_waiting(runtime, start["conversation_id"], 90)
        async with unit_of_work(server.runtime) as uow:
            assert await offer_offline(uow) == 1
        offer = await v.wait_for("offline_offer")
        assert offer == {
            "conversation_id": start["conversation_id"],
            "reason": "wait_limit",
            "next_open_at": None,
        }
        await v.wait_for("system_message", lambda d: "leave us a message" in d["text"])
        async with unit_of_work(server.runtime) as uow:
            assert await offer_offline(uow) == 0  # once per wait
        assert "offline_offer" not in patient.received
    finally:
        await v.disconnect()
        await patient.disconnect()
