from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.conversations.helpers import visitor
from tests.factories import user_headers
from tests.support import LiveServer


async def _traffic(server: LiveServer) -> list[str]:
    ids = []
    for i in range(2):
        v, start = await visitor(server.base_url)
        for j in range(3):
            await v.call("user_message", {"client_id": f"{i}-{j}", "text": f"hello, number {j}"})
        await v.disconnect()
        ids.append(start["conversation_id"])
    return ids


async def test_messages_by_day(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    await _traffic(server)
    response = await client.get("/api/v1/analytics/messages", headers=admin)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    visitor_rows = [r for r in items if r["sender"] == "visitor"]
    assert len(visitor_rows) == 1 and len(visitor_rows[0]["day"]) == 10
    assert visitor_rows[0]["messages"] == 6 and visitor_rows[0]["conversations"] == 2
    assert visitor_rows[0]["avg_chars"] == len("hello, number 0")
    empty = await client.get(
        "/api/v1/analytics/messages", params={"since": "2999-01-01T00:00:00Z"}, headers=admin
    )
    assert empty.json()["items"] == []
    bad = await client.get(
        "/api/v1/analytics/messages",
        params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        headers=admin,
    )
    assert bad.status_code == 422 and bad.json()["error"] == "validation_error"


async def test_messages_by_day_permissions(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _, agent = await user_headers(client, runtime, "agent")
    assert (await client.get("/api/v1/analytics/messages", headers=agent)).status_code == 403
    assert (await client.get("/api/v1/analytics/messages")).status_code == 401
