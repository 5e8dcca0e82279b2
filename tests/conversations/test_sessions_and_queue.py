"""Session expiry (through the scheduled job), queue messages, offers, typing both ways."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from baton.conversations.jobs import expire_idle_sessions
from baton.db.base import utcnow
from baton.jobs.registry import registry
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from baton.visitors.models import VisitorSession
from tests.conversations.helpers import agent, visitor
from tests.factories import bearer, make_user, user_headers
from tests.realtime.clients import RecordingClient, barrier
from tests.support import LiveServer


async def _age_sessions(runtime: Runtime, minutes: int) -> None:
    async with runtime.db.session() as session:
        await session.execute(
            update(VisitorSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        await session.commit()


async def test_idle_session_expires_and_a_fresh_conversation_starts(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    assert any(c.job == "conversations.expire_idle_sessions" for c in registry.crons)
    _, admin = await user_headers(client, runtime, "admin")
    v, start = await visitor(server.base_url)
    old_id = start["conversation_id"]
    await v.call("user_message", {"client_id": "1", "text": "is my order shipped?"})
    await _age_sessions(runtime, runtime.settings.session_idle_minutes + 1)
    async with unit_of_work(runtime) as uow:
        assert await expire_idle_sessions(uow) == 1

    refused = await v.call("user_message", {"client_id": "2", "text": "hello?"})
    assert refused["error"] == "session_expired"
    again = await v.call("start_session", {"session_token": start["session_token"]})
    assert (
        again["conversation_id"] != old_id and again["resumed"] is False and again["messages"] == []
    )
    assert again["session_token"] != start["session_token"]
    await v.disconnect()

    old = await client.get(f"/api/v1/conversations/{old_id}", headers=admin)
    assert old.status_code == 200 and old.json()["status"] == "resolved"
    texts = [
        m["text"]
        for m in (
            await client.get(f"/api/v1/conversations/{old_id}/messages", headers=admin)
        ).json()["items"]
    ]
    assert texts[0] == "is my order shipped?" and "inactivity" in texts[-1]


async def test_token_expired_without_sweep_still_starts_fresh(
    server: LiveServer, runtime: Runtime
) -> None:
    v, start = await visitor(server.base_url)
    await _age_sessions(runtime, runtime.settings.session_idle_minutes + 5)
    again = await v.call("start_session", {"session_token": start["session_token"]})
    assert again["conversation_id"] != start["conversation_id"]
    fresh = await v.call("start_session", {"session_token": again["session_token"]})
    assert fresh["conversation_id"] == again["conversation_id"] and fresh["resumed"] is True
    unknown = await v.call("start_session", {"session_token": "never-issued"})
    assert unknown["conversation_id"] not in (start["conversation_id"], again["conversation_id"])
    await v.disconnect()


async def test_queue_positions_and_no_agent_online(server: LiveServer, runtime: Runtime) -> None:
    first, _ = await visitor(server.base_url)
    second, _ = await visitor(server.base_url)
    try:
        await first.call("user_message", {"client_id": "a", "text": "hi"})
        await second.call("user_message", {"client_id": "b", "text": "hello"})
        one = await first.call("user_message", {"client_id": "c", "text": "talk to an agent"})
        assert "error" not in one
        two = await second.call("request_agent", {})
        assert two == {"status": "waiting", "queue_position": 2, "agents_online": False}
        told = await second.wait_for("system_message", lambda d: "online" in d["text"])
        assert "No one from the team is online" in told["text"]
        again = await second.call("request_agent", {})
        assert again["queue_position"] == 2  # idempotent, no second queue message
        await barrier(runtime, second)
        assert len([m for m in second.received["system_message"] if "online" in m["text"]]) == 1
    finally:
        await first.disconnect()
        await second.disconnect()


async def test_queue_moves_up_when_someone_is_taken(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, _ = await agent(server.base_url, client, runtime)
    first, s1 = await visitor(server.base_url)
    second, _ = await visitor(server.base_url)
    try:
        await first.call("request_agent", {})
        assert (await second.call("request_agent", {}))["queue_position"] == 2
        await second.wait_for("system_message", lambda d: "number 2" in d["text"])
        await dana.call("take_over", {"conversation_id": s1["conversation_id"]})
        moved = await second.wait_for("status_changed", lambda d: d.get("queue_position") == 1)
        assert moved["status"] == "waiting"
    finally:
        for c in (first, second, dana):
            await c.disconnect()


async def test_round_robin_offers_respect_presence_and_limits(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    await client.patch("/api/v1/settings", json={"max_open_per_agent": 1}, headers=admin)
    ana, ana_user, _ = await agent(server.base_url, client, runtime, name="Ana")
    ben, ben_user, _ = await agent(server.base_url, client, runtime, name="Ben")
    await make_user(runtime, name="Away Al", presence="away")
    visitors = [await visitor(server.base_url) for _ in range(2)]
    try:
        for v, _ in visitors:
            await v.call("request_agent", {})
        offers_ana = await ana.wait_for("new_notification", lambda d: d["kind"] == "offer")
        offers_ben = await ben.wait_for("new_notification", lambda d: d["kind"] == "offer")
        assert offers_ana["conversation_id"] != offers_ben["conversation_id"]
        # Ana takes hers; at her limit she is not offered the next one
        await ana.call("take_over", {"conversation_id": offers_ana["conversation_id"]})
        await ben.call("take_over", {"conversation_id": offers_ben["conversation_id"]})
        v4, _ = await visitor(server.base_url)
        await v4.call("request_agent", {})
        await barrier(runtime, ana, ben)
        assert len([n for n in ana.received["new_notification"] if n["kind"] == "offer"]) == 1
        assert len([n for n in ben.received["new_notification"] if n["kind"] == "offer"]) == 1
        await v4.disconnect()
    finally:
        for v, _ in visitors:
            await v.disconnect()
        await ana.disconnect()
        await ben.disconnect()
    assert ana_user.id != ben_user.id


async def test_typing_both_ways(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, token = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url)
    cid = start["conversation_id"]
    try:
        await dana.call("join_session", {"conversation_id": cid})
        assert (await v.call("typing_start", {})) == {"ok": True}
        seen = await dana.wait_for("display_typing")
        assert seen == {"conversation_id": cid, "sender": "visitor", "typing": True}
        await dana.call("typing_start", {"conversation_id": cid})
        shown = await v.wait_for("display_typing")
        assert shown == {"sender": "agent", "typing": True, "name": "Dana"}
        await dana.call("typing_stop", {"conversation_id": cid})
        await v.wait_for("display_typing", lambda d: d["typing"] is False)
        assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200
    finally:
        await v.disconnect()
        await dana.disconnect()


async def test_live_visitors_and_page_views(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, dana_token = await agent(server.base_url, client, runtime)
    dana_headers = {"Authorization": f"Bearer {dana_token}"}
    v = RecordingClient("/widget")
    await v.connect(server.base_url)
    try:
        await v.call("start_session", {"visitor": {"name": "Lia"}})
        assert (
            await v.call("visitor_join", {"page_url": "https://shop.example/p/1", "title": "Boots"})
        ) == {"ok": True}
        update_ = await dana.wait_for(
            "live_visitors_update", lambda d: any(x["page_title"] == "Boots" for x in d["upsert"])
        )
        # a delta: only the visitor who changed, not the whole list
        assert [(x["name"], x["page_url"]) for x in update_["upsert"]] == [
            ("Lia", "https://shop.example/p/1")
        ]
        live = (await client.get("/api/v1/visitors/live", headers=dana_headers)).json()["items"]
        assert [(x["name"], x["page_title"]) for x in live] == [("Lia", "Boots")]
        # the same page again changes nothing and tells nobody
        await v.call("visitor_join", {"page_url": "https://shop.example/p/1", "title": "Boots"})
        visitor_id = update_["upsert"][0]["visitor_id"]
        await v.disconnect()
        gone = await dana.wait_for("live_visitors_update", lambda d: d["remove"] == [visitor_id])
        assert gone["upsert"] == []
        seen = [d for d in dana.received["live_visitors_update"] if d["upsert"]]
        assert [x["page_title"] for d in seen for x in d["upsert"]] == [None, "Boots"]
        assert (await client.get("/api/v1/visitors/live", headers=dana_headers)).json() == {
            "items": [],
            "next_cursor": None,
        }
    finally:
        await dana.disconnect()


async def test_online_means_chosen_and_connected(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """An agent who closed the inbox while "online" is not offered chats, nor counted."""
    dana, _, _ = await agent(server.base_url, client, runtime)
    await dana.disconnect()
    first, _ = await visitor(server.base_url)
    try:
        alone = await first.call("request_agent", {})
        assert alone["agents_online"] is False
        back, _, _ = await agent(server.base_url, client, runtime, name="Eve")
        second, _ = await visitor(server.base_url)
        helped = await second.call("request_agent", {})
        assert helped["agents_online"] is True and helped["queue_position"] == 2
        await back.disconnect()
        await second.disconnect()
    finally:
        await first.disconnect()


async def test_taking_over_also_watches_the_conversation(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """An agent who takes over without join_session still sees the visitor type and write."""
    dana, _, _ = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url)
    cid = start["conversation_id"]
    try:
        await dana.call("take_over", {"conversation_id": cid})
        await v.call("typing_start", {})
        assert (await dana.wait_for("display_typing"))["sender"] == "visitor"
        await v.call("user_message", {"client_id": "w1", "text": "are you there?"})
        got = await dana.wait_for(
            "message_created", lambda d: d["message"]["text"] == "are you there?"
        )
        assert got["message"]["sender"] == "visitor"
    finally:
        await v.disconnect()
        await dana.disconnect()


async def test_page_view_before_the_session_starts(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    v = RecordingClient("/widget")
    await v.connect(server.base_url)
    try:
        assert await v.call(
            "visitor_join", {"page_url": "https://shop.example/a", "title": "A"}
        ) == {"ok": True}
        start = await v.call("start_session", {"visitor": {"name": "Ola"}})
        conversation = await client.get(
            f"/api/v1/conversations/{start['conversation_id']}", headers=admin
        )
        seen = conversation.json()["visitor"]
        assert (seen["name"], seen["page_url"], seen["page_title"]) == (
            "Ola",
            "https://shop.example/a",
            "A",
        )
    finally:
        await v.disconnect()
