"""Live visitors: presence across tabs, delta events to agents, no ghosts after a socket (or a
whole process) is gone, and proactive chat that reaches only the visitor it is meant for."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from baton.runtime import Runtime
from baton.visitors.presence import presence_of
from tests.conversations.helpers import agent, visitor
from tests.realtime.clients import RecordingClient, barrier
from tests.support import LiveServer, wait_for


async def _live(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    r = await client.get("/api/v1/visitors/live", headers=headers)
    assert r.status_code == 200, r.text
    return {item["visitor_id"]: item for item in r.json()["items"]}


async def _until(predicate: Any, timeout: float = 5) -> None:
    await wait_for(predicate, timeout=timeout)


def _vid(visitor: dict[str, Any]) -> str:
    return str(visitor["visitor_id"])


async def test_two_tabs_are_one_visitor_who_leaves_with_the_last(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, token = await agent(server.base_url, client, runtime)
    headers = {"Authorization": f"Bearer {token}"}
    info = {"page_url": "https://shop.test/pricing", "page_title": "Pricing", "locale": "de-DE"}
    tab1, start = await visitor(server.base_url, visitor=info)
    vid = str(start["visitor_id"])
    joined = await dana.wait_for("visitor_joined", lambda j: _vid(j["visitor"]) == vid)
    assert joined["visitor"]["page_url"] == "https://shop.test/pricing"
    assert joined["visitor"]["locale"] == "de-DE"
    tab2 = RecordingClient("/widget")
    await tab2.connect(server.base_url)
    again = await tab2.call("start_session", {"session_token": start["session_token"]})
    assert "error" not in again
    # the second tab moves to another page (an SPA route change reported by the loader)
    await tab2.call("visitor_join", {"page_url": "https://shop.test/checkout", "title": "Checkout"})
    updated = await dana.wait_for(
        "visitor_updated", lambda d: d["visitor"]["page_url"] == "https://shop.test/checkout"
    )
    assert updated["visitor"]["pages_viewed"] >= 2
    # only this visitor's events: one of an earlier test on this server may still be leaving
    assert [j for j in dana.received["visitor_joined"] if _vid(j["visitor"]) == vid] == [joined]
    live = await _live(client, headers)
    assert live[vid]["page_title"] == "Checkout"
    assert live[vid]["started_at"] is not None
    await tab1.disconnect()
    await barrier(runtime, dana)  # a (wrong) left event would have arrived before this
    assert {"visitor_id": vid} not in dana.received.get("visitor_left", [])
    assert vid in await _live(client, headers)
    await tab2.disconnect()
    left = await dana.wait_for("visitor_left", lambda e: e["visitor_id"] == vid, timeout=5)
    assert left == {"visitor_id": vid}
    assert {"upsert": [], "remove": [vid]} in dana.received["live_visitors_update"]
    assert vid not in await _live(client, headers)
    await dana.disconnect()


async def test_a_crashed_process_visitors_expire(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A socket entry nobody refreshes (its process died) expires and the visitor leaves."""
    dana, _, token = await agent(server.base_url, client, runtime)
    headers = {"Authorization": f"Bearer {token}"}
    v, start = await visitor(server.base_url)
    vid = str(start["visitor_id"])
    await dana.wait_for("visitor_joined", lambda j: _vid(j["visitor"]) == vid)
    presence = presence_of(server.runtime)
    assert presence.store is not None
    # the "dead process": its entry for the visitor is written once and never refreshed
    await presence.store.join(vid, "sid-of-a-dead-process", time.time() + 0.5)
    # the live socket closes: the dead process's entry keeps the visitor until it expires
    await v.disconnect()
    assert vid in await _live(client, headers)
    deadline = time.monotonic() + 5
    # the background sweep may win the race; an earlier test's visitor may leave meanwhile
    while {"visitor_id": vid} not in dana.received.get("visitor_left", []):
        assert time.monotonic() < deadline, "the expired visitor never left"
        gone = await presence.tick()
        if gone and presence.on_expired is not None:
            await presence.on_expired(gone)
        await asyncio.sleep(0.1)
    assert vid not in await _live(client, headers)
    await dana.disconnect()


async def test_proactive_chat_reaches_only_its_visitor(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, dana_user, token = await agent(server.base_url, client, runtime)
    headers = {"Authorization": f"Bearer {token}"}
    alice, a_start = await visitor(server.base_url, visitor={"page_url": "https://shop.test/a"})
    bob, _ = await visitor(server.base_url, visitor={"page_url": "https://shop.test/b"})
    try:
        await _until(lambda: _has_two(client, headers))
        live = await _live(client, headers)
        [alice_id] = [k for k, v in live.items() if v["page_url"] == "https://shop.test/a"]
        ack = await dana.call("initiate_chat", {"visitor_id": alice_id, "text": "Need a hand?"})
        assert ack["conversation_id"] == a_start["conversation_id"], ack
        got = await alice.wait_for("agent_initiated_chat")
        assert got["conversation_id"] == a_start["conversation_id"]
        assert got["message"]["text"] == "Need a hand?"
        assert got["message"]["sender"] == "agent"
        r = await client.get(f"/api/v1/conversations/{ack['conversation_id']}", headers=headers)
        assert r.json()["status"] == "agent"
        assert r.json()["assignee"]["id"] == str(dana_user.id)
        await barrier(runtime, bob)
        assert "agent_initiated_chat" not in bob.received
        assert "agent_message" not in bob.received
    finally:
        await alice.disconnect()
        await bob.disconnect()
        await dana.disconnect()


async def _has_two(client: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    return len(await _live(client, headers)) == 2


async def test_initiate_chat_bad_input_changes_nothing(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, token = await agent(server.base_url, client, runtime)
    headers = {"Authorization": f"Bearer {token}"}
    v, start = await visitor(server.base_url)
    await v.disconnect()
    try:
        for bad in (str(uuid.uuid4()), "not-a-uuid"):
            ack = await dana.call("initiate_chat", {"visitor_id": bad, "text": "hi"})
            assert ack["error"] == "visitor_not_live", ack
        ack = await dana.call("initiate_chat", {"text": "hi"})
        assert "error" in ack
        r = await client.get(f"/api/v1/conversations/{start['conversation_id']}", headers=headers)
        assert r.status_code in (200, 404)
        if r.status_code == 200:
            assert r.json()["status"] == "bot"
    finally:
        await dana.disconnect()
