"""REST for the inbox and integrators: filters, cursors, counts, actions, API keys."""

from __future__ import annotations

from typing import Any

import httpx

from baton.runtime import Runtime
from tests.conversations.helpers import visitor
from tests.factories import bearer, make_user, user_headers
from tests.support import LiveServer


async def _conversations(server: LiveServer, n: int) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    for i in range(n):
        v, start = await visitor(
            server.base_url, visitor={"name": f"Visitor {i}", "email": f"v{i}@example.com"}
        )
        await v.call("user_message", {"client_id": f"m{i}", "text": f"question number {i}"})
        out.append((v, start["conversation_id"]))
    return out


async def test_list_filter_paginate_and_count(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin_user, admin = await user_headers(client, runtime, "admin")
    convs = await _conversations(server, 5)
    empty, _ = await visitor(server.base_url)  # started but never wrote: not in the inbox
    try:
        ids = [c for _, c in convs]
        for cid in ids[:2]:
            assert (
                await client.post(f"/api/v1/conversations/{cid}/handoff", headers=admin)
            ).status_code == 200
        assert (
            await client.post(f"/api/v1/conversations/{ids[2]}/take-over", headers=admin)
        ).status_code == 200

        page1 = await client.get("/api/v1/conversations", params={"limit": 2}, headers=admin)
        assert page1.status_code == 200
        body = page1.json()
        assert len(body["items"]) == 2 and body["next_cursor"]
        seen = [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        while cursor:
            nxt = (
                await client.get(
                    "/api/v1/conversations", params={"limit": 2, "cursor": cursor}, headers=admin
                )
            ).json()
            seen += [c["id"] for c in nxt["items"]]
            cursor = nxt["next_cursor"]
        assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))

        waiting = (
            await client.get("/api/v1/conversations", params={"status": "waiting"}, headers=admin)
        ).json()
        assert [c["id"] for c in waiting["items"]] == ids[:2]  # oldest first
        assert [c["queue_position"] for c in waiting["items"]] == [1, 2]

        mine = (
            await client.get("/api/v1/conversations", params={"assignee": "me"}, headers=admin)
        ).json()
        assert [c["id"] for c in mine["items"]] == [ids[2]]
        assert mine["items"][0]["assignee"]["id"] == str(admin_user.id)

        found = (
            await client.get("/api/v1/conversations", params={"q": "number 3"}, headers=admin)
        ).json()
        assert [c["id"] for c in found["items"]] == [ids[3]]
        by_email = (
            await client.get("/api/v1/conversations", params={"q": "V4@EXAMPLE"}, headers=admin)
        ).json()
        assert [c["id"] for c in by_email["items"]] == [ids[4]]

        counts = (await client.get("/api/v1/conversations/counts", headers=admin)).json()
        assert counts == {
            "waiting": 2,
            "mine": 1,
            "bot": 2,
            "unassigned": 4,
            "agent": 1,
            "resolved": 0,
            "all": 5,
        }

        later = (
            await client.get(
                "/api/v1/conversations",
                params={"updated_since": "2999-01-01T00:00:00Z"},
                headers=admin,
            )
        ).json()
        assert later["items"] == []
    finally:
        for v, _ in convs:
            await v.disconnect()  # type: ignore[attr-defined]
        await empty.disconnect()


async def test_integrator_with_api_key(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    key = (
        await client.post("/api/v1/api-keys", json={"name": "Helpdesk sync"}, headers=admin)
    ).json()["key"]
    agent_user = await make_user(runtime, name="Sam")
    ((v, cid),) = await _conversations(server, 1)
    try:
        headers = bearer(key)
        listed = await client.get("/api/v1/conversations", headers=headers)
        assert listed.status_code == 200 and listed.json()["items"][0]["id"] == cid
        forced = await client.post(
            f"/api/v1/conversations/{cid}/handoff", json={"reason": "vip"}, headers=headers
        )
        assert forced.status_code == 200 and forced.json()["status"] == "waiting"
        assert forced.json()["handoff_reason"] == "vip"
        assigned = await client.post(
            f"/api/v1/conversations/{cid}/assign",
            json={"agent_id": str(agent_user.id)},
            headers=headers,
        )
        assert assigned.status_code == 200
        assert assigned.json()["status"] == "agent" and assigned.json()["assignee"]["name"] == "Sam"
        reply = await client.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "Synced from the CRM", "client_id": "crm-1"},
            headers=headers,
        )
        assert reply.status_code == 201
        # agents and visitors see "Integration", never the key's own name (security review)
        assert reply.json()["author"] == {"id": None, "name": "Integration"}
        got = await v.wait_for("agent_message")  # type: ignore[attr-defined]
        assert got["text"] == "Synced from the CRM"
        again = await client.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "Synced from the CRM", "client_id": "crm-1"},
            headers=headers,
        )
        assert again.json()["id"] == reply.json()["id"]
        resolved = await client.post(f"/api/v1/conversations/{cid}/resolve", headers=headers)
        assert resolved.json()["status"] == "resolved"
        illegal = await client.post(f"/api/v1/conversations/{cid}/release", headers=headers)
        assert illegal.status_code == 409 and illegal.json()["error"] == "invalid_transition"
    finally:
        await v.disconnect()  # type: ignore[attr-defined]


async def test_agents_cannot_assign_and_anonymous_cannot_read(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    other = await make_user(runtime)
    _, agent_headers = await user_headers(client, runtime, "agent")
    ((v, cid),) = await _conversations(server, 1)
    try:
        assert (await client.get("/api/v1/conversations")).status_code == 401
        denied = await client.post(
            f"/api/v1/conversations/{cid}/assign",
            json={"agent_id": str(other.id)},
            headers=agent_headers,
        )
        assert denied.status_code == 403
        # an agent replying takes the conversation over, so the AI stays silent
        reply = await client.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "I'm here", "client_id": "r1"},
            headers=agent_headers,
        )
        assert reply.status_code == 201
        conv = (await client.get(f"/api/v1/conversations/{cid}", headers=agent_headers)).json()
        assert conv["status"] == "agent"
        stolen = await client.post(
            f"/api/v1/conversations/{cid}/take-over",
            headers=(await user_headers(client, runtime, "agent"))[1],
        )
        assert stolen.status_code == 409 and stolen.json()["error"] == "already_assigned"
    finally:
        await v.disconnect()  # type: ignore[attr-defined]
