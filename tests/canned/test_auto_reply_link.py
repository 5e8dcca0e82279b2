"""An auto-reply rule that answers with a global canned response, following its edits."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.conversations.helpers import cid, visitor
from tests.factories import user_headers
from tests.support import LiveServer


async def test_a_rule_answers_with_the_canned_body(
    client: httpx.AsyncClient, runtime: Runtime, server: LiveServer
) -> None:
    _, admin = await user_headers(client, runtime, role="admin")
    _, dana = await user_headers(client, runtime)
    hours = await client.post(
        "/api/v1/canned-responses",
        json={
            "shortcut": "hours",
            "title": "Opening hours",
            "body": "Hi {{visitor.name}}, we open at 9.",
            "visibility": "global",
        },
        headers=admin,
    )
    assert hours.status_code == 201, hours.text
    private = await client.post(
        "/api/v1/canned-responses",
        json={"shortcut": "mine", "title": "Mine", "body": "only mine"},
        headers=dana,
    )
    rule = {"name": "Hours", "match": "contains", "patterns": ["opening hours"]}
    refused = await client.post(
        "/api/v1/ai/auto-replies",
        json={**rule, "canned_response_id": private.json()["id"]},
        headers=admin,
    )
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_canned_response"
    made = await client.post(
        "/api/v1/ai/auto-replies",
        json={**rule, "canned_response_id": hours.json()["id"]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["canned_response_id"] == hours.json()["id"]
    assert made.json()["response"] == "Hi {{visitor.name}}, we open at 9."  # the fallback copy

    v, _ = await visitor(server.base_url, visitor={"name": "Ada"})
    try:
        await v.call("user_message", {"client_id": cid(), "text": "What are your opening hours?"})
        answer = await v.wait_for("bot_message")
        assert answer["text"] == "Hi Ada, we open at 9."
        edited = await client.patch(
            f"/api/v1/canned-responses/{hours.json()['id']}",
            json={"body": "Hi {{visitor.name}}, we open at 8 now."},
            headers=admin,
        )
        assert edited.status_code == 200
        await v.call("user_message", {"client_id": cid(), "text": "opening hours again?"})
        later = await v.wait_for("bot_message", lambda m: m["id"] != answer["id"])
        assert later["text"] == "Hi Ada, we open at 8 now."
    finally:
        await v.disconnect()
