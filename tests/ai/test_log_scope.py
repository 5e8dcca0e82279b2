"""The accuracy log follows the conversations' read policy: an agent without
``conversations:read_all`` sees (lists, counts, opens, judges) only the AI replies of
conversations they may read; another agent's conversation stays a 404."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.ai.helpers import ask, seed_kb
from tests.conversations.helpers import agent
from tests.factories import user_headers
from tests.support import LiveServer


async def test_an_agent_sees_only_the_logs_of_conversations_they_may_read(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await seed_kb(runtime)
    dana, _, dana_token = await agent(server.base_url, client, runtime, name="Dana")
    sam, _, sam_token = await agent(server.base_url, client, runtime, name="Sam")
    sam_h = {"Authorization": f"Bearer {sam_token}"}
    _, admin_h = await user_headers(client, runtime, "admin")
    owned_v, owned_id, _ = await ask(server.base_url, "How do I reset my password?")
    open_v, open_id, _ = await ask(server.base_url, "How do I reset my password?")
    try:
        took = await dana.call("take_over", {"conversation_id": owned_id})
        assert "error" not in took, took

        everything = (await client.get("/api/v1/ai/logs", headers=admin_h)).json()["items"]
        assert {i["conversation_id"] for i in everything} == {owned_id, open_id}
        [hidden] = [i for i in everything if i["conversation_id"] == owned_id]

        mine = (await client.get("/api/v1/ai/logs", headers=sam_h)).json()
        assert [i["conversation_id"] for i in mine["items"]] == [open_id]
        asked = await client.get(
            "/api/v1/ai/logs", params={"conversation_id": owned_id}, headers=sam_h
        )
        assert asked.status_code == 200 and asked.json()["items"] == []
        one = await client.get(f"/api/v1/ai/logs/{hidden['id']}", headers=sam_h)
        assert one.status_code == 404
        judged = await client.post(
            f"/api/v1/ai/logs/{hidden['id']}/verdict", json={"verdict": "bad"}, headers=sam_h
        )
        assert judged.status_code == 404
        [row] = (await client.get("/api/v1/ai/logs/summary", headers=sam_h)).json()["rows"]
        assert row["replies"] == 1
        [all_rows] = (await client.get("/api/v1/ai/logs/summary", headers=admin_h)).json()["rows"]
        assert all_rows["replies"] == 2

        # the owner and a supervisor read it; nothing was changed by the refused verdict
        dana_h = {"Authorization": f"Bearer {dana_token}"}
        assert (await client.get(f"/api/v1/ai/logs/{hidden['id']}", headers=dana_h)).is_success
        seen = await client.get(f"/api/v1/ai/logs/{hidden['id']}", headers=admin_h)
        assert seen.json()["verdict"] is None
    finally:
        for c in (owned_v, open_v, dana, sam):
            await c.disconnect()
